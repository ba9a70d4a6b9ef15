// The wallet's frame (network, short address, the session's dot, the tabs), the lock screen, and
// the home screen: the balance first, receive, the session card, recent activity.
import qrcode from 'qrcode-generator';
import { useState } from 'preact/hooks';
import { checksumAddress } from './address';
import { formatUnits } from './amount';
import type { SessionInfo } from './bindings';
import { balance, duration, shortAddress, timeLeft } from './format';
import { Icon, type IconName } from './icons';
import { ipc } from './ipc';
import { Button, Card, Copy, Field } from './parts';
import { ActivityLine } from './history';
import { act, activity, balances, deployed, loadedAt, now, openSettings, session, settings, tab, wallet, type Tab } from './state';

/** Seconds left before the session expires, as the chain counts them. */
export function secondsLeft(s: SessionInfo, at: number): number | null {
  if (!s.validUntil || s.state === 'revoked') return null;
  return Number(s.validUntil) - Number(s.chainTime) - Math.floor((at - loadedAt.value) / 1000);
}

export function countdown(s: SessionInfo, at: number) {
  const left = secondsLeft(s, at);
  if (left === null) return '–';
  if (left <= 0) return 'expired';
  return `${timeLeft(left)} left`;
}

/** The live countdown: the one part of the window redrawn every second. */
function Countdown({ s }: { s: SessionInfo }) {
  return <span data-testid="expiry-countdown">{countdown(s, now.value)}</span>;
}

/** The expiry as a local date and time. */
export function expiryDate(s: SessionInfo) {
  if (!s.validUntil) return '–';
  return new Date(Number(s.validUntil) * 1000).toLocaleString();
}

function backendName() {
  const g = settings.value?.gas;
  if (!g) return '';
  if (g.mode === 'direct') return 'you pay the network fee';
  if (g.mode === 'chipiApi') return 'through the Chipi API';
  return g.feeMode === 'gasless' ? `paymaster, fee in ${g.gasToken}` : 'sponsored';
}

const stateWords: Record<SessionInfo['state'], string> = {
  none: 'No session',
  created: 'Not registered',
  registering: 'Registering',
  active: 'Session active',
  expired: 'Session expired',
  revoked: 'Session revoked',
};

/** The session in one dot and a word: the header shows no more of it (the card does). */
function SessionDot({ s }: { s: SessionInfo }) {
  return (
    <button type="button" class="ghost status-dot" data-testid="session-dot" data-state={s.state} title="Show the session" onClick={() => (tab.value = 'session')}>
      <span class={`dot ${s.state}`} aria-hidden="true" />
      {stateWords[s.state]}
    </button>
  );
}

const screens: [Tab, string, IconName][] = [
  ['home', 'Home', 'home'],
  ['send', 'Send', 'send'],
  ['session', 'Session', 'key'],
  ['history', 'History', 'clock'],
];

/** The compact header (network, short address with copy, the session's dot, lock) and the tabs. */
export function Frame({ children }: { children: preact.ComponentChildren }) {
  const w = wallet.value!;
  const s = session.value!;
  const full = checksumAddress(w.address);
  return (
    <>
      <header class="top">
        <div class="who">
          <span data-testid="network-name" class="chip">
            {w.network}
          </span>
          <code data-testid="wallet-address" data-address={full} class="address" title={full}>
            {shortAddress(w.address)}
          </code>
          <Copy testid="copy-address" text={full} label="Copy the whole address" iconOnly />
        </div>
        <SessionDot s={s} />
        <Button testid="lock-wallet" kind="ghost" icon="lock" label="Lock" onClick={() => void act('Locking…', () => ipc.lock(), 'home')} />
      </header>
      <nav class="tabs" aria-label="Screens">
        {screens.map(([id, label, icon]) => (
          <button type="button" key={id} data-testid={`nav-${id}`} class={tab.value === id ? 'tab current' : 'tab'} aria-current={tab.value === id ? 'page' : undefined} onClick={() => (tab.value = id)}>
            <Icon name={icon} />
            {label}
          </button>
        ))}
        <button type="button" data-testid="open-settings" class="tab" onClick={openSettings}>
          <Icon name="gear" />
          Settings
        </button>
      </nav>
      <main class="stack">{children}</main>
    </>
  );
}

/**
 * The lock screen: the app, the network and the unlock form, nothing of the wallet (no
 * address, balance, session or history).
 */
export function LockScreen() {
  const [pin, setPin] = useState('');
  const bio = wallet.value?.biometrics;
  return (
    <main class="lock-screen" data-testid="lock-screen">
      <div class="badge">
        <Icon name="lock" size={28} />
      </div>
      <h1>Chipi Session Wallet</h1>
      <span class="chip" data-testid="lock-network">
        {wallet.value?.network}
      </span>
      <section class="card" data-testid="unlock-form" aria-label="Unlock">
        <p class="note">Locked. Enter your PIN to open the wallet.</p>
        {bio?.enabled ? (
          <Button testid="unlock-biometric" icon="fingerprint" onClick={() => void act(`Waiting for ${bio.name}…`, () => ipc.unlock(null), 'home')}>
            Unlock with {bio.name}
          </Button>
        ) : null}
        <Field label="PIN" testid="unlock-pin" type="password" value={pin} onInput={setPin} focus />
        <Button testid="unlock-submit" disabled={!pin} onClick={() => void act('Unlocking…', () => ipc.unlock(pin), 'home').then(() => setPin(''))}>
          Unlock
        </Button>
      </section>
      {/* The way to a backup, a restore or the network when the wallet does not open. */}
      <Button testid="lock-settings" kind="ghost" icon="gear" onClick={openSettings}>
        Settings
      </Button>
    </main>
  );
}

/** A wallet created here whose deployment did not go through: the way on, with the PIN. */
function Deploy() {
  const [pin, setPin] = useState('');
  return (
    <Card title="Not on chain yet" testid="deploy-card">
      <p class="note">This wallet's account is not deployed: it cannot set up a session or send until it is. The deployment is free (the network's sponsor pays).</p>
      <Field label="PIN" testid="deploy-pin" type="password" value={pin} onInput={setPin} />
      <Button testid="deploy-submit" disabled={!pin} onClick={() => void act('Deploying your wallet…', () => ipc.deployWallet(pin)).finally(() => setPin(''))}>
        Deploy
      </Button>
    </Card>
  );
}

/** A token's round mark: the known ones in their colours, any other in one from its address. */
export function TokenMark({ symbol, address }: { symbol: string; address: string }) {
  const known: Record<string, string> = { STRK: '#5b3fd0', ETH: '#3c4a8f', USDC: '#1f5fa8', USDT: '#1d7a5c' };
  let hue = 0;
  for (const c of address.toLowerCase()) hue = (hue * 31 + c.charCodeAt(0)) % 360;
  // Drawn as SVG (a fill attribute, not an inline style the content policy would refuse).
  return (
    <svg class="mark" width="28" height="28" viewBox="0 0 28 28" aria-hidden="true">
      <circle cx="14" cy="14" r="14" fill={known[symbol] ?? `hsl(${hue}, 45%, 38%)`} />
      <text x="14" y="17.5" text-anchor="middle" font-size={symbol.length > 3 ? 7 : 9} font-weight="700" fill="#ffffff">
        {symbol.slice(0, 4)}
      </text>
    </svg>
  );
}

/** The headline figure (the network's first token, the one fees are paid in) and every token. */
function Balances({ receive, onReceive }: { receive: boolean; onReceive: () => void }) {
  const list = balances.value;
  const lead = list?.[0];
  return (
    <section class="card" data-testid="balances" aria-label="Balances">
      <div class="row spread">
        <div class="hero">
          <span class="row">
            <span class="note">Balance</span>
            <Button testid="manage-tokens" kind="ghost" icon="plus" label="Manage tokens: add, hide or show" onClick={() => (tab.value = 'tokens')}>
              Tokens
            </Button>
          </span>
          <span class="total" data-testid="balance-total">
            {lead?.amount != null ? balance(lead.amount) : '–'} <span class="unit">{lead?.symbol ?? ''}</span>
          </span>
        </div>
        <div class="row">
          <Button testid="home-send" icon="send" onClick={() => (tab.value = 'send')}>
            Send
          </Button>
          <Button testid="receive" kind="secondary" icon="receive" onClick={onReceive}>
            {receive ? 'Hide' : 'Receive'}
          </Button>
        </div>
      </div>
      {list === null ? (
        <p class="note">Reading…</p>
      ) : (
        <ul class="balances">
          {list.map((b) => (
            <li key={b.token}>
              <span class="token">
                <TokenMark symbol={b.symbol} address={b.token} />
                <span class="symbol">{b.symbol}</span>
              </span>
              <span data-testid={`balance-${b.symbol}`} class="amount" title={b.amount ?? undefined}>
                {b.amount == null ? '–' : balance(b.amount)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The address as a QR code, drawn as one SVG path (no image, no script). */
function Qr({ text }: { text: string }) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 2} ${r + 2}h1v1h-1z`;
  return (
    <svg data-testid="receive-qr" viewBox={`0 0 ${n + 4} ${n + 4}`} width="168" height="168" role="img" aria-label="QR code of the address">
      <rect width={n + 4} height={n + 4} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

export function rulesInWords(s: SessionInfo) {
  const parts: string[] = [];
  parts.push(s.allowedNames.length === 0 ? 'any call' : `only ${s.allowedNames.join(', ')}`);
  for (const l of s.limits) {
    const symbol = l.symbol ?? l.token;
    parts.push(
      `at most ${formatUnits(l.maxPerCall, l.decimals)} ${symbol} per transfer and ${formatUnits(l.maxPerWindow, l.decimals)} ${symbol} per ${duration(l.windowSeconds)}`,
    );
  }
  return parts.join('; ');
}

export function rulesLine(s: SessionInfo) {
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

function busyWords(s: SessionInfo) {
  if (s.busy.registering) return 'Registering the session on chain…';
  if (s.busy.revoking) return 'Revoking…';
  if (s.busy.executing) return 'Sending…';
  return 'Checking status…';
}

/** The session in full: the one place its state, calls, expiry, rules and spending are shown. */
export function SessionCard({ s }: { s: SessionInfo }) {
  const busy = s.busy.executing || s.busy.registering || s.busy.revoking || s.busy.loadingStatus;
  const remaining = s.remainingCalls ?? 0;
  const max = Math.max(s.maxCalls ?? remaining, remaining, 1);
  const tone = s.state === 'active' ? 'success' : s.state === 'expired' || s.state === 'revoked' ? 'danger' : 'muted';
  return (
    <section class="card" data-testid="session-card" data-key={s.publicKey ?? undefined} aria-label="Session">
      <div class="row spread">
        <h2>Session</h2>
        <div class="row">
          <span class={`chip ${tone}`} data-testid="session-state">
            {s.state}
          </span>
          <Button
            testid="refresh-status"
            kind="ghost"
            icon="refresh"
            label="Read the session from the chain again"
            disabled={s.busy.loadingStatus}
            onClick={() => void act('Reading the session from the chain…', () => ipc.refreshStatus())}
          />
        </div>
      </div>
      <div data-testid="session-rules">{rulesLine(s)}</div>
      {s.state !== 'none' ? (
        <>
          <dl class="facts">
            <dt>Calls left</dt>
            <dd>
              <strong data-testid="remaining-calls">{s.remainingCalls === null ? '–' : String(s.remainingCalls)}</strong>
              {s.maxCalls ? <span class="note"> of {s.maxCalls}</span> : null}
              <progress data-testid="remaining-bar" max={String(max)} value={String(remaining)} aria-label="Calls left" />
            </dd>
            <dt>Expires</dt>
            <dd>
              <Countdown s={s} />
              {s.validUntil ? (
                <span class="note">
                  {' '}
                  · <span data-testid="expiry-date">{expiryDate(s)}</span>
                </span>
              ) : null}
            </dd>
            <dt>Fees</dt>
            <dd data-testid="backend-name">{backendName()}</dd>
          </dl>
        </>
      ) : null}
      {s.state === 'active'
        ? s.limits.map((l) => (
            <div key={l.token} data-testid={`spent-${l.symbol ?? l.token}`}>
              Spent this window: {formatUnits(l.spentInWindow, l.decimals)} of {formatUnits(l.maxPerWindow, l.decimals)} {l.symbol ?? l.token}
            </div>
          ))
        : null}
      {busy ? (
        <div data-testid="session-busy" aria-live="polite">
          {busyWords(s)}
        </div>
      ) : null}
      {s.state !== 'active' && tab.value !== 'session' ? (
        <div class="row">
          <Button testid="go-setup" kind="secondary" icon="key" onClick={() => (tab.value = 'session')}>
            Set up a session
          </Button>
        </div>
      ) : null}
    </section>
  );
}

export function Home() {
  const w = wallet.value!;
  const s = session.value!;
  const [receive, setReceive] = useState(false);
  const full = checksumAddress(w.address);
  return (
    <>
      {w.deployable && deployed.value === false ? <Deploy /> : null}
      <Balances receive={receive} onReceive={() => setReceive(!receive)} />
      {receive ? (
        <Card title="Receive" testid="receive-view">
          <Qr text={full} />
          <code class="address" data-testid="receive-address">
            {full}
          </code>
          <Copy testid="copy-receive-address" text={full} label="Copy address" />
          <p class="note">Send only Starknet tokens on {w.network} to this address.</p>
        </Card>
      ) : null}
      <SessionCard s={s} />
      <Card title="Recent activity">
        <ul data-testid="activity-list" class="activity">
          {activity.value.slice(0, 3).map((a, i) => (
            <ActivityLine key={`${a.at}-${i}`} a={a} testid="activity-item" />
          ))}
        </ul>
        {activity.value.length === 0 ? <p class="note">Nothing yet.</p> : null}
      </Card>
    </>
  );
}
