// The wallet's window: onboarding, the session card, set-up, transfers, revoke and activity.
// Every interactive element has a data-testid; all text goes through textContent.
import './style.css';
import { checkAddress, checkAmount, formatUnits } from './amount';
import { isAppError, showError } from './errors';
import { ipc } from './ipc';
import { checkLimits, defaultLimit, limitInputs, setupSummary, type TokenLimit } from './setup';
import type { ActivityInfo, FeeQuote, NetworkInfo, SessionInfo, SettingsInfo, WalletInfo } from './bindings';

type Attrs = Record<string, string>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'testid') node.dataset.testid = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

const root = document.getElementById('app')!;
let wallet: WalletInfo | null = null;
let session: SessionInfo | null = null;
let network: NetworkInfo | null = null;
let activity: ActivityInfo[] = [];
let banner: { title: string; next: string; kind: string; detail: string } | null = null;
let transferState: {
  pending: boolean;
  quote?: { fee: FeeQuote; token: string; recipient: string; amount: string };
  result?: { hash: string; url: string | null; what: string };
} = { pending: false };
let settings: SettingsInfo | null = null;
let settingsOpen = false;

function fail(error: unknown) {
  if (isAppError(error)) {
    const shown = showError(error);
    banner = { ...shown, kind: error.kind, detail: error.message };
  } else {
    banner = { title: 'Something went wrong', next: 'Try again.', kind: 'Internal', detail: String(error) };
  }
  render();
}

async function act(f: () => Promise<unknown>) {
  banner = null;
  render();
  try {
    await f();
    dropPins = true;
    await reload();
  } catch (e) {
    fail(e);
  }
}

async function reload() {
  network = await ipc.getNetwork();
  settings = await ipc.getSettings().catch(() => null);
  try {
    wallet = await ipc.getWallet();
    session = await ipc.getSessionView();
  } catch (e) {
    wallet = null;
    session = null;
    if (isAppError(e) && e.kind !== 'NoWallet') fail(e);
  }
  activity = await ipc.listActivity();
  render();
}

function input(testid: string, attrs: Attrs = {}) {
  return el('input', { testid, ...attrs }) as HTMLInputElement;
}

function button(testid: string, label: string, onClick: () => void, disabled = false) {
  const b = el('button', { testid }, label) as HTMLButtonElement;
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

function bannerView() {
  if (!banner) return el('div');
  return el(
    'div',
    { testid: 'error-banner', class: 'banner', 'data-kind': banner.kind },
    el('strong', { testid: 'error-title' }, banner.title),
    el('span', { testid: 'error-next' }, ` ${banner.next}`),
    el('div', { testid: 'error-detail', class: 'detail' }, banner.detail),
    button('error-dismiss', 'Dismiss', () => {
      banner = null;
      render();
    }),
  );
}

function onboarding() {
  const select = el('select', { testid: 'network-select' }) as HTMLSelectElement;
  const labels: Record<string, string> = { local: 'Local sandbox', sepolia: 'Sepolia testnet', mainnet: 'Mainnet' };
  for (const name of ['local', 'sepolia', 'mainnet']) {
    const option = el('option', { value: name }, labels[name]) as HTMLOptionElement;
    option.selected = network?.name === name;
    select.append(option);
  }
  select.addEventListener('change', () => act(() => ipc.setNetwork(select.value)));
  const pin = input('onboard-pin', { type: 'password', placeholder: 'PIN (4 or more)', autocomplete: 'off' });
  // New wallets get the network's account class; this project's class only where it is declared.
  const ownClass = input('own-class', { type: 'checkbox' });
  const ours = network?.newWalletClass.includes('this project') ?? true;
  const address = input('import-address', { placeholder: 'Account address (0x…)' });
  const key = input('import-key', { type: 'password', placeholder: 'Owner key: 0x… or the SDK-encrypted key', autocomplete: 'off' });
  return el(
    'section',
    { testid: 'onboarding' },
    el('h1', {}, 'Session wallet'),
    el(
      'p',
      { class: 'lead' },
      'Your PIN protects the keys on this device. Set up a session once, then send without signing each transfer: no gas, within the limits you choose.',
    ),
    el('label', {}, 'Network ', select),
    pin,
    ours
      ? ''
      : el(
          'label',
          { class: 'hint' },
          ownClass,
          ` Use this project's account class instead of ${network?.newWalletClass} (only where it is declared)`,
        ),
    el('p', { testid: 'new-wallet-class', class: 'hint' }, `New wallets use: ${network?.newWalletClass ?? '–'}`),
    button('create-wallet', 'Create wallet', () => act(() => ipc.createWallet(pin.value, ownClass.checked))),
    el('h2', {}, 'Or import'),
    address,
    key,
    button('import-wallet', 'Import', () => act(() => ipc.importWallet(address.value, key.value, pin.value))),
  );
}

function tokenDecimals(token: string) {
  return network?.tokens.find((t) => t.symbol === token || t.address === token)?.decimals ?? 18;
}

function rulesInWords(s: SessionInfo) {
  const parts: string[] = [];
  parts.push(s.allowedNames.length === 0 ? 'any call' : `only ${s.allowedNames.join(', ')}`);
  for (const l of s.limits) {
    const symbol = l.symbol ?? l.token;
    parts.push(
      `at most ${formatUnits(l.maxPerCall, l.decimals)} ${symbol} per transfer and ${formatUnits(l.maxPerWindow, l.decimals)} ${symbol} per ${Math.round(l.windowSeconds / 60)} min`,
    );
  }
  return parts.join('; ');
}

function rulesLine(s: SessionInfo) {
  switch (s.state) {
    case 'none':
      return 'No session: set one up to send without signing each transfer.';
    case 'revoked':
      return 'Revoked: this key can no longer act for the wallet.';
    case 'expired':
      return 'Expired: set up a new session to keep sending.';
    case 'created':
    case 'registering':
      return 'Not registered on chain yet.';
    default:
      return `Allowed: ${rulesInWords(s)}`;
  }
}

function countdown(s: SessionInfo) {
  if (!s.validUntil || s.state === 'revoked') return '–';
  const left = Number(s.validUntil) - Number(s.chainTime) - Math.floor((Date.now() - loadedAt) / 1000);
  if (left <= 0) return 'expired';
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  return `${h}h ${m}m ${left % 60}s left`;
}
let loadedAt = Date.now();

function sessionCard(s: SessionInfo) {
  const remaining = s.remainingCalls ?? 0;
  const bar = el('progress', { testid: 'remaining-bar', max: '100', value: String(Math.min(remaining, 100)) });
  const clock = el('span', { testid: 'expiry-countdown' }, countdown(s));
  return el(
    'section',
    { testid: 'session-card', class: 'card' },
    el('h2', {}, 'Session'),
    el('div', {}, 'State: ', el('strong', { testid: 'session-state' }, s.state)),
    el('div', {}, 'Calls left: ', el('span', { testid: 'remaining-calls' }, String(s.remainingCalls ?? '–')), ' ', bar),
    el('div', {}, 'Expires: ', clock),
    el('div', { testid: 'session-rules' }, rulesLine(s)),
    s.busy.executing || s.busy.registering || s.busy.revoking || s.busy.loadingStatus
      ? el('div', { testid: 'session-busy' }, busyWords(s))
      : '',
    el(
      'div',
      { class: 'row' },
      button('refresh-status', 'Refresh', () => act(() => ipc.refreshStatus()), s.busy.loadingStatus),
      wallet?.unlocked ? button('lock-wallet', 'Lock', () => act(() => ipc.lock())) : '',
    ),
  );
}

function busyWords(s: SessionInfo) {
  if (s.busy.registering) return 'Registering the session on chain…';
  if (s.busy.revoking) return 'Revoking…';
  if (s.busy.executing) return 'Sending…';
  return 'Checking status…';
}

function setUpForm() {
  const hours = input('setup-hours', { value: '6', inputmode: 'numeric' });
  const calls = input('setup-max-calls', { value: '10', inputmode: 'numeric' });
  // One limit per token of the network: a token without one cannot be sent by the session. An
  // account class that cannot keep limits gets none (the core refuses them there), and says so.
  const limitsKept = wallet?.spendingLimitsEnforced ?? true;
  const rows = (limitsKept ? (network?.tokens ?? []) : []).map((t) => {
    const d = defaultLimit(t.symbol);
    return {
      token: t,
      perCall: input(`setup-limit-call-${t.symbol}`, { value: d.perTransfer, inputmode: 'decimal' }),
      perWindow: input(`setup-limit-window-${t.symbol}`, { value: d.perHour, inputmode: 'decimal' }),
    };
  });
  const limits = (): TokenLimit[] =>
    rows.map((r) => ({ symbol: r.token.symbol, decimals: r.token.decimals, perTransfer: r.perCall.value, perHour: r.perWindow.value }));
  const pin = input('setup-pin', { type: 'password', placeholder: 'PIN', autocomplete: 'off' });
  const summary = el('p', { testid: 'setup-summary' });
  const problem = el('div', { testid: 'setup-validation', class: 'hint' });
  const confirm = button('setup-confirm', 'Confirm and set up', () =>
    act(() =>
      // A session created earlier whose registration did not finish is registered, not replaced.
      (session?.state === 'created' ? ipc.registerSession : ipc.setUpSession)(
        {
          durationSeconds: Math.round(Number(hours.value) * 3600),
          maxCalls: Number(calls.value),
          allowedEntrypoints: ['transfer'],
          limits: limitInputs(limits()),
        },
        pin.value,
      ),
    ),
  );
  const describe = () => {
    summary.textContent = setupSummary(hours.value, calls.value, limits());
    problem.textContent = checkLimits(limits()) ?? '';
    confirm.disabled = problem.textContent !== '';
  };
  for (const i of [hours, calls, ...rows.flatMap((r) => [r.perCall, r.perWindow])]) i.addEventListener('input', describe);
  describe();
  return el(
    'section',
    { testid: 'setup-form', class: 'card' },
    el('h2', {}, 'Set up session'),
    classNotes(),
    el('label', {}, 'Hours ', hours),
    el('label', {}, 'Calls ', calls),
    ...rows.map((r) =>
      el(
        'div',
        { class: 'limit' },
        el('label', {}, `Max ${r.token.symbol} per transfer `, r.perCall),
        el('label', {}, `Max ${r.token.symbol} per hour `, r.perWindow),
      ),
    ),
    summary,
    problem,
    pin,
    confirm,
  );
}

// What the wallet's account class cannot enforce, in words: no limit is promised that the chain
// does not keep.
function classNotes() {
  if (!wallet) return '';
  const notes: string[] = [];
  const name = wallet.accountClass ?? 'This account';
  if (!wallet.spendingLimitsEnforced)
    notes.push(`${name} cannot enforce spending limits: within its calls, the session can send any amount of an allowed token.`);
  if (!wallet.gaslessLimitsEnforced)
    notes.push(`${name} does not check the call budget or the allowed calls on gasless transfers: on chain, only the expiry limits them (this app still checks them before signing).`);
  return notes.length ? el('div', { testid: 'class-notes', class: 'hint' }, ...notes.map((n) => el('p', {}, n))) : '';
}

function option(value: string, label: string, selected: boolean) {
  const o = el('option', { value }, label) as HTMLOptionElement;
  o.selected = selected;
  return o;
}

// The settings screen: the network (a profile, a saved one or a custom one, its node checked
// for the right chain id), and how transactions reach it. Keys are typed here and shown masked.
function settingsView() {
  const s = settings;
  const profile = el('select', { testid: 'settings-network-profile' }) as HTMLSelectElement;
  const names = ['local', 'sepolia', 'mainnet', ...(s?.savedNetworks ?? []).filter((n) => !['local', 'sepolia', 'mainnet'].includes(n))];
  if (s && !names.includes(s.network.name)) names.push(s.network.name);
  for (const n of names) profile.append(option(n, n, s?.network.name === n));
  profile.append(option('custom', 'custom…', false));
  const customName = input('settings-custom-name', { placeholder: 'Name' });
  // The node and paymaster may be replaced on any network (the node must report its chain id);
  // name and chain id only for a custom one.
  const customRpc = input('settings-custom-rpc', { placeholder: 'Node URL (https://…; empty: the profile\'s)' });
  const customChain = input('settings-custom-chain', { placeholder: 'Chain id (SN_MAIN or 0x…)' });
  const customSponsor = input('settings-custom-sponsor', { placeholder: 'Paymaster URL (optional)' });
  const custom = el('div', { testid: 'settings-custom' }, customName, customChain);
  const showCustom = () => (custom.hidden = profile.value !== 'custom');
  profile.addEventListener('change', showCustom);
  showCustom();
  const saveNetwork = button('settings-network-save', 'Use this network', () =>
    act(async () => {
      const isCustom = profile.value === 'custom';
      await ipc.switchNetwork({
        profile: profile.value,
        name: isCustom ? customName.value.trim() : null,
        rpcUrl: customRpc.value.trim() || null,
        chainId: isCustom ? customChain.value.trim() : null,
        sponsorUrl: customSponsor.value.trim() || null,
      });
    }),
  );

  const gas = s?.gas;
  const mode = el('select', { testid: 'settings-gas-mode' }) as HTMLSelectElement;
  for (const [v, label] of [
    ['paymaster', 'Paymaster (SNIP-29)'],
    ['chipiApi', 'Chipi API'],
    ['direct', 'Direct (the account pays gas)'],
  ])
    mode.append(option(v, label, gas?.mode === v));
  const feeMode = el('select', { testid: 'settings-fee-mode' }) as HTMLSelectElement;
  feeMode.append(option('sponsored', 'Sponsored: the paymaster pays', gas?.feeMode === 'sponsored'));
  feeMode.append(option('gasless', 'Gasless: you pay the fee in a token', gas?.feeMode === 'gasless'));
  const gasToken = el('select', { testid: 'settings-gas-token' }) as HTMLSelectElement;
  for (const t of s?.network.tokens ?? []) gasToken.append(option(t.symbol, t.symbol, gas?.gasToken === t.symbol));
  const maxFee = input('settings-max-fee', { value: gas?.maxFee ?? '0.1', inputmode: 'decimal' });
  const paymasterKey = input('settings-paymaster-key', { type: 'password', autocomplete: 'off', placeholder: 'Paymaster API key' });
  const chipiKey = input('settings-chipi-key', { type: 'password', autocomplete: 'off', placeholder: 'Chipi public API key (pk_…)' });
  const bearer = input('settings-chipi-bearer', { type: 'password', autocomplete: 'off', placeholder: 'Chipi bearer token' });
  const save = (clearPaymasterKey: boolean) =>
    act(async () => {
      await ipc.saveGasSettings({
        mode: mode.value as 'paymaster' | 'chipiApi' | 'direct',
        feeMode: feeMode.value as 'sponsored' | 'gasless',
        gasToken: gasToken.value,
        maxFee: maxFee.value.trim(),
        paymasterApiKey: clearPaymasterKey ? '' : paymasterKey.value.trim() || null,
        chipiApiKey: chipiKey.value.trim() || null,
        chipiBearer: bearer.value.trim() || null,
      });
      dropPins = true;
    });
  return el(
    'section',
    { testid: 'settings', class: 'card' },
    el('h2', {}, 'Settings'),
    el('h3', {}, 'Network'),
    el('div', {}, 'Now: ', el('strong', { testid: 'settings-current-network' }, s ? `${s.network.name} (${s.network.rpcUrl})` : '–')),
    el('label', {}, 'Network ', profile),
    custom,
    customRpc,
    customSponsor,
    saveNetwork,
    el('p', { class: 'hint' }, 'Each network keeps its own wallet and session. The node must report the chain id of the network.'),
    el('h3', {}, 'Fees'),
    el('label', {}, 'Send through ', mode),
    el('label', {}, 'Fee ', feeMode),
    el('label', {}, 'Fee token ', gasToken),
    el('label', {}, 'Most fee accepted ', maxFee),
    el(
      'div',
      {},
      'Paymaster key: ',
      el('code', { testid: 'settings-paymaster-key-masked' }, gas?.paymasterApiKey ?? 'not set'),
      ' ',
      paymasterKey,
      gas?.paymasterApiKey ? button('settings-paymaster-key-remove', 'Remove', () => save(true)) : '',
    ),
    el('div', {}, 'Chipi API key: ', el('code', { testid: 'settings-chipi-key-masked' }, gas?.chipiApiKey ?? 'not set'), ' ', chipiKey),
    el('div', {}, 'Bearer token: ', el('span', { testid: 'settings-chipi-bearer-set' }, gas?.chipiBearerSet ? 'set' : 'not set'), ' ', bearer),
    el(
      'div',
      { class: 'hint' },
      gas?.bearerCommandSet ? 'A command refreshes the bearer token (CHIPI_BEARER_COMMAND).' : 'No command refreshes the bearer token (set CHIPI_BEARER_COMMAND to run one).',
    ),
    button('settings-gas-save', 'Save fee settings', () => save(false)),
    el('p', { class: 'hint' }, 'Keys are kept in the system keychain and shown masked.'),
  );
}

function feeWords() {
  const g = settings?.gas;
  if (!g || g.mode === 'direct') return 'The account pays the network fee.';
  if (g.mode === 'chipiApi') return 'Sponsored by the Chipi API: no fee.';
  return g.feeMode === 'gasless' ? `You pay the paymaster's fee in ${g.gasToken} (at most ${g.maxFee}).` : 'Sponsored: no fee.';
}

function transferForm() {
  const token = el('select', { testid: 'transfer-token' }) as HTMLSelectElement;
  // Only tokens the session has a limit for: the chain refuses the others.
  const limited = new Set((session?.limits ?? []).map((l) => l.symbol ?? l.token));
  const sendable = (network?.tokens ?? []).filter((t) => limited.size === 0 || limited.has(t.symbol));
  for (const t of sendable) token.append(el('option', { value: t.symbol }, t.symbol));
  const recipient = input('transfer-recipient', { placeholder: 'Recipient 0x…' });
  const amount = input('transfer-amount', { placeholder: 'Amount', inputmode: 'decimal' });
  const problem = el('div', { testid: 'transfer-validation', class: 'hint' });
  const sendNow = (t: string, to: string, value: string, acceptedFee: string | null = null) => {
    banner = null;
    transferState = { pending: true };
    render();
    ipc
      .transfer(t, to, value, acceptedFee)
      .then((r) => {
        transferState = {
          pending: false,
          result: { hash: r.transactionHash, url: r.explorerUrl, what: `${value} ${t} to ${to}` },
        };
        return reload();
      })
      .catch((e) => {
        transferState = { pending: false };
        fail(e);
      });
  };
  // In the gasless fee mode the paymaster's fee is asked and shown first; sending needs a
  // second click on the fee the user saw.
  const gasless = settings?.gas.mode === 'paymaster' && settings.gas.feeMode === 'gasless';
  const send = button('transfer-submit', gasless ? 'See the fee' : 'Send gasless', () => {
    const [t, to, value] = [token.value, recipient.value.trim(), amount.value.trim()];
    if (!gasless) return sendNow(t, to, value);
    banner = null;
    ipc
      .quoteTransfer(t, to, value)
      .then((fee) => {
        transferState = { pending: false, quote: { fee, token: t, recipient: to, amount: value } };
        render();
      })
      .catch(fail);
  });
  const quote = transferState.quote;
  const quoteView = quote
    ? el(
        'div',
        { testid: 'transfer-quote' },
        el('div', { testid: 'transfer-fee' }, `Fee: ${quote.fee.amount} ${quote.fee.token}, paid by you (at most ${quote.fee.maxFee}).`),
        button('transfer-confirm', `Send ${quote.amount} ${quote.token} and pay the fee`, () =>
          sendNow(quote.token, quote.recipient, quote.amount, quote.fee.mode === 'gasless' ? quote.fee.amount : null),
        ),
        button('transfer-cancel', 'Cancel', () => {
          transferState = { pending: false };
          render();
        }),
      )
    : '';
  const validate = () => {
    const a = checkAddress(recipient.value);
    const b = checkAmount(amount.value, tokenDecimals(token.value));
    problem.textContent = recipient.value && !a.ok ? a.reason : amount.value && !b.ok ? b.reason : '';
    send.disabled = !(a.ok && b.ok) || transferState.pending;
  };
  for (const i of [recipient, amount]) i.addEventListener('input', validate);
  token.addEventListener('change', validate);
  validate();
  const result = transferState.result
    ? el(
        'div',
        { testid: 'transfer-result' },
        el('div', {}, `Sent ${transferState.result.what}, no gas paid. Transaction:`),
        el('code', { testid: 'transfer-hash' }, transferState.result.hash),
        button('copy-hash', 'Copy', () => navigator.clipboard?.writeText(transferState.result?.hash ?? '')),
        transferState.result.url ? el('a', { testid: 'explorer-link', href: transferState.result.url, target: '_blank' }, 'Explorer') : '',
      )
    : '';
  const blocked =
    session && session.state !== 'active'
      ? el('div', { testid: 'transfer-blocked', class: 'hint' }, `The session is ${session.state}: transfers will be refused until a new one is set up.`)
      : '';
  return el(
    'section',
    { testid: 'transfer-form', class: 'card' },
    el('h2', {}, 'Gasless transfer'),
    el('div', { testid: 'transfer-fee-mode', class: 'hint' }, feeWords()),
    blocked,
    token,
    recipient,
    amount,
    problem,
    send,
    quoteView,
    transferState.pending ? el('div', { testid: 'transfer-progress' }, 'Sending…') : '',
    result,
  );
}

function revokeForm() {
  const pin = input('revoke-pin', { type: 'password', placeholder: 'PIN', autocomplete: 'off' });
  return el(
    'section',
    { class: 'card' },
    pin,
    button('revoke-submit', 'Revoke session', () => act(() => ipc.revokeSession(pin.value))),
    el(
      'p',
      { class: 'hint' },
      'Forgetting an active session without revoking it leaves the key valid on chain until it expires, and this device can no longer revoke it.',
    ),
    button('clear-revoke', 'Revoke and forget', () => act(() => ipc.clearSession(pin.value, true))),
    button('clear-keep', 'Forget without revoking', () => act(() => ipc.clearSession(pin.value, false))),
  );
}

function clearForm() {
  return el('section', { class: 'card' }, button('clear-session', 'Forget this session', () => act(() => ipc.clearSession(null, false))));
}

function unlockForm() {
  const pin = input('unlock-pin', { type: 'password', placeholder: 'PIN', autocomplete: 'off' });
  return el('section', { testid: 'unlock-form', class: 'card' }, pin, button('unlock-submit', 'Unlock', () => act(() => ipc.unlock(pin.value))));
}

function activityList() {
  return el(
    'section',
    { class: 'card' },
    el('h2', {}, 'Activity'),
    el(
      'ul',
      { testid: 'activity-list' },
      ...activity.map((a) =>
        el(
          'li',
          { testid: 'activity-item', 'data-status': a.status, 'data-kind': a.kind },
          `${new Date(Number(a.at) * 1000).toLocaleTimeString()} ${a.kind}: ${a.summary} (${a.status})`,
          a.transactionHash ? el('code', { class: 'hash' }, ` ${a.transactionHash.slice(0, 10)}…`) : '',
        ),
      ),
    ),
  );
}

// What the user typed survives a re-render (a status event can arrive while they type); PINs are
// dropped once an action succeeded.
let dropPins = false;
type Field = HTMLInputElement | HTMLSelectElement;

function keepFields() {
  const kept = new Map<string, string>();
  root.querySelectorAll<Field>('input[data-testid], select[data-testid]').forEach((f) => {
    if (!(dropPins && f.type === 'password')) kept.set(f.dataset.testid!, f.value);
  });
  dropPins = false;
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.testid;
  return () => {
    const fields = Array.from(root.querySelectorAll<Field>('select[data-testid], input[data-testid]'));
    for (const f of fields) {
      const value = kept.get(f.dataset.testid!);
      if (value === undefined || value === f.value) continue;
      f.value = value;
      if (f instanceof HTMLInputElement) f.dispatchEvent(new Event('input'));
    }
    if (focused) root.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus();
  };
}

function render() {
  const restore = keepFields();
  build();
  restore();
}

function build() {
  root.replaceChildren();
  root.append(bannerView());
  if (banner?.kind === 'Keychain') root.append(button('retry-keychain', 'Retry', () => act(() => ipc.retryKeychain())));
  const toggle = settingsOpen
    ? button('close-settings', 'Back', () => {
        settingsOpen = false;
        render();
      })
    : button('open-settings', 'Settings', () => {
        settingsOpen = true;
        banner = null;
        render();
      });
  if (settingsOpen) {
    root.append(toggle, settingsView());
    return;
  }
  if (!wallet || !session) {
    root.append(toggle, onboarding());
    return;
  }
  root.append(
    el('header', {}, el('span', { testid: 'network-name' }, wallet.network), ' ', el('code', { testid: 'wallet-address' }, wallet.address), ' ', toggle),
  );
  root.append(sessionCard(session));
  if (!wallet.unlocked) root.append(unlockForm());
  if (['none', 'expired', 'revoked', 'created'].includes(session.state)) root.append(setUpForm());
  if (['active', 'expired', 'revoked'].includes(session.state)) root.append(transferForm());
  if (session.state === 'active') root.append(revokeForm());
  if (['expired', 'revoked'].includes(session.state)) root.append(clearForm());
  root.append(activityList());
}

ipc.onSessionChanged((info) => {
  session = info;
  loadedAt = Date.now();
  render();
  // A refresh may have settled a transaction left pending by an earlier run.
  if (!info.busy.executing)
    ipc
      .listActivity()
      .then((list) => {
        activity = list;
        render();
      })
      .catch(fail);
});
// One timer for the live countdown.
setInterval(() => {
  const clock = document.querySelector('[data-testid="expiry-countdown"]');
  if (clock && session) clock.textContent = countdown(session);
}, 1000);
reload().catch(fail);
