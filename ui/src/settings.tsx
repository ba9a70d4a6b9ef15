// Settings in four groups: Network (the node URL under Advanced), Gas (each way of sending with
// its own fields; keys typed here, shown masked), Security (auto-lock, biometrics, backup,
// upgrade, removal) and About (the log, diagnostics).
import type { ComponentChildren } from 'preact';
import { WalletApiSwitch } from './apps';
import { useState } from 'preact/hooks';
import type { LogLevel, SettingsInfo } from './bindings';
import { ipc } from './ipc';
import { Button, Card, Field, Select } from './parts';
import { checkPassphrase } from './pin';
import { act, banner, closeSettings, settings, wallet } from './state';
import { UpdateCheck } from './updates';

const PROFILES = ['local', 'sepolia', 'mainnet'];

function NetworkSettings({ s }: { s: SettingsInfo | null }) {
  const names = [...PROFILES, ...(s?.savedNetworks ?? []).filter((n) => !PROFILES.includes(n))];
  if (s && !names.includes(s.network.name)) names.push(s.network.name);
  const [profile, setProfile] = useState(s?.network.name ?? 'local');
  const [name, setName] = useState('');
  const [rpc, setRpc] = useState('');
  const [chain, setChain] = useState('');
  const [sponsor, setSponsor] = useState('');
  const [pin, setPin] = useState('');
  const custom = profile === 'custom';
  // Moving the node or paymaster of the network that holds this wallet needs its PIN.
  const moves = !custom && profile === s?.network.name && wallet.value !== null && (rpc.trim() !== '' || sponsor.trim() !== '');
  return (
    <Card title="Network">
      <div>
        Now: <strong data-testid="settings-current-network">{s ? s.network.name : '–'}</strong>
      </div>
      <Select label="Network" testid="settings-network-profile" value={profile} options={[...names.map((n): [string, string] => [n, n]), ['custom', 'Another network…']]} onChange={setProfile} />
      {custom ? (
        <div data-testid="settings-custom" class="stack">
          <Field label="Name" testid="settings-custom-name" value={name} onInput={setName} />
          <Field label="Chain id (SN_MAIN or 0x…)" testid="settings-custom-chain" value={chain} onInput={setChain} />
          <Field label="Node URL" testid="settings-custom-rpc" value={rpc} onInput={setRpc} placeholder="https://…" />
        </div>
      ) : null}
      <details data-testid="settings-advanced">
        <summary>Advanced: node and paymaster</summary>
        <div class="stack">
          <div class="note" data-testid="settings-node-url">
            Node: <code>{s?.network.rpcUrl ?? '–'}</code>
          </div>
          {s?.network.nodeSpecVersion ? (
            <div class="note" data-testid="settings-node-spec">
              Node in use: {s.network.nodeInUse} · JSON-RPC {s.network.nodeSpecVersion}
            </div>
          ) : null}
          {s && s.network.fallbackRpcUrls.length > 0 ? (
            <div class="note" data-testid="settings-node-fallbacks">
              If it refuses or is busy: {s.network.fallbackRpcUrls.join(', ')}
            </div>
          ) : null}
          {custom ? null : <Field label="Another node URL (empty: the network's own)" testid="settings-custom-rpc" value={rpc} onInput={setRpc} placeholder="https://…" />}
          <Field label="Paymaster URL (optional)" testid="settings-custom-sponsor" value={sponsor} onInput={setSponsor} />
        </div>
      </details>
      {moves ? (
        <Field
          label={`PIN (changing where this wallet's transactions go${wallet.value?.biometrics.enabled ? `; empty: ${wallet.value.biometrics.name}` : ''})`}
          testid="settings-network-pin"
          type="password"
          value={pin}
          onInput={setPin}
        />
      ) : null}
      <Button
        testid="settings-network-save"
        onClick={() =>
          void act('Checking the node and switching…', () =>
            ipc.switchNetwork(
              {
                profile,
                name: custom ? name.trim() : null,
                rpcUrl: rpc.trim() || null,
                chainId: custom ? chain.trim() : null,
                sponsorUrl: sponsor.trim() || null,
              },
              moves && pin ? pin : null,
            ),
          ).then(() => setPin(''))
        }
      >
        Use this network
      </Button>
      <p class="note">Each network keeps its own wallet and session. The node must report the chain id of the network.</p>
    </Card>
  );
}

// The published CHIPI classes' session message leaves the fee unsigned: the direct path with a
// session is refused unless the user turns it on here, warned, with the PIN.
function UnsignedFees({ s }: { s: SettingsInfo | null }) {
  const on = s?.gas.directUnsignedFees ?? false;
  const [pin, setPin] = useState('');
  const biometric = wallet.value?.biometrics.enabled ? `; empty: ${wallet.value.biometrics.name}` : '';
  return (
    <div class="stack" data-testid="settings-unsigned-fees">
      <p class="warning">
        On CHIPI accounts a session's direct transaction does not sign its fee: a node that holds it could send it again with a large tip, paid from
        your balance. Sessions use the direct path there only if you allow it.
      </p>
      <div>
        Direct path for sessions without a signed fee: <strong data-testid="settings-unsigned-fees-state">{on ? 'allowed' : 'refused'}</strong>
      </div>
      {on ? null : <Field label={`PIN${biometric}`} testid="settings-unsigned-fees-pin" type="password" value={pin} onInput={setPin} />}
      <Button
        testid="settings-unsigned-fees-toggle"
        kind="secondary"
        onClick={() => void act('Saving…', () => ipc.setDirectUnsignedFees(!on, on ? null : pin || null)).then(() => setPin(''))}
      >
        {on ? 'Refuse it again' : 'Allow it'}
      </Button>
    </div>
  );
}

function FeeSettings({ s }: { s: SettingsInfo | null }) {
  const gas = s?.gas;
  const [mode, setMode] = useState<string>(gas?.mode ?? 'paymaster');
  const [feeMode, setFeeMode] = useState<string>(gas?.feeMode ?? 'sponsored');
  const [gasToken, setGasToken] = useState(gas?.gasToken ?? 'STRK');
  const [maxFee, setMaxFee] = useState(gas?.maxFee ?? '0.1');
  const [paymasterKey, setPaymasterKey] = useState('');
  const [chipiKey, setChipiKey] = useState('');
  const [bearer, setBearer] = useState('');
  const save = (clearPaymasterKey: boolean) =>
    void act('Saving…', () =>
      ipc.saveGasSettings({
        mode: mode as 'paymaster' | 'chipiApi' | 'direct',
        feeMode: feeMode as 'sponsored' | 'gasless',
        gasToken,
        maxFee: maxFee.trim(),
        paymasterApiKey: clearPaymasterKey ? '' : paymasterKey.trim() || null,
        chipiApiKey: chipiKey.trim() || null,
        chipiBearer: bearer.trim() || null,
      }),
    ).then((ok) => {
      if (ok) {
        setPaymasterKey('');
        setChipiKey('');
        setBearer('');
      }
    });
  return (
    <Card title="Fees">
      <Select
        label="Send through"
        testid="settings-gas-mode"
        value={mode}
        options={[
          ['paymaster', 'Paymaster (SNIP-29)'],
          ['chipiApi', 'Chipi API'],
          ['direct', 'Direct (the account pays gas)'],
        ]}
        onChange={setMode}
      />
      {mode === 'paymaster' ? (
        <>
          <Select
            label="Fee"
            testid="settings-fee-mode"
            value={feeMode}
            options={[
              ['sponsored', 'Sponsored: the paymaster pays'],
              ['gasless', 'Gasless: you pay the fee in a token'],
            ]}
            onChange={setFeeMode}
          />
          {feeMode === 'gasless' ? (
            <>
              <Select label="Fee token" testid="settings-gas-token" value={gasToken} options={(s?.network.tokens ?? []).map((t) => [t.symbol, t.symbol])} onChange={setGasToken} />
              <Field label="Most fee accepted" testid="settings-max-fee" value={maxFee} onInput={setMaxFee} inputMode="decimal" />
            </>
          ) : null}
          <div>
            Paymaster key: <code data-testid="settings-paymaster-key-masked">{gas?.paymasterApiKey ?? 'not set'}</code>
          </div>
          <Field label="Paymaster API key" testid="settings-paymaster-key" type="password" value={paymasterKey} onInput={setPaymasterKey} />
          {gas?.paymasterApiKey ? (
            <Button testid="settings-paymaster-key-remove" kind="secondary" onClick={() => save(true)}>
              Remove the paymaster key
            </Button>
          ) : null}
        </>
      ) : null}
      {mode === 'chipiApi' ? (
        <>
          <div>
            Chipi API key: <code data-testid="settings-chipi-key-masked">{gas?.chipiApiKey ?? 'not set'}</code>
          </div>
          <Field label="Chipi public API key (pk_…)" testid="settings-chipi-key" type="password" value={chipiKey} onInput={setChipiKey} />
          <div>
            Bearer token: <span data-testid="settings-chipi-bearer-set">{gas?.chipiBearerSet ? 'set' : 'not set'}</span>
            {gas?.bearerCommandSet ? <span class="note"> (renewed automatically on this computer)</span> : null}
          </div>
          <Field label="Chipi bearer token" testid="settings-chipi-bearer" type="password" value={bearer} onInput={setBearer} />
        </>
      ) : null}
      <Button testid="settings-gas-save" onClick={() => save(false)}>
        Save fee settings
      </Button>
      {mode === 'direct' ? <UnsignedFees s={s} /> : null}
      <p class="note">Keys are kept in the system keychain and shown masked.</p>
    </Card>
  );
}

function AutoLock({ s }: { s: SettingsInfo | null }) {
  const [minutes, setMinutes] = useState(String(s?.autoLockMinutes ?? 15));
  return (
    <Card title="Auto-lock">
      <Select
        label="Lock after this long without use"
        testid="settings-auto-lock"
        value={minutes}
        options={[
          ['1', '1 minute'],
          ['5', '5 minutes'],
          ['15', '15 minutes'],
          ['30', '30 minutes'],
          ['60', '1 hour'],
          ['0', 'Never'],
        ]}
        onChange={setMinutes}
      />
      <Button testid="settings-auto-lock-save" kind="secondary" onClick={() => void act('Saving…', () => ipc.setAutoLock(Number(minutes)))}>
        Save
      </Button>
      <p class="note">A machine that slept longer than this finds the wallet locked.</p>
    </Card>
  );
}

// About: what the log records, where it is, a report to paste into a bug (nothing secret), and
// updates.
function About({ s }: { s: SettingsInfo | null }) {
  const [level, setLevel] = useState<LogLevel>(s?.logLevel ?? 'info');
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    const text = await ipc.getDiagnostics();
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      banner.value = { title: 'The diagnostics were not copied', next: 'The clipboard is not available here.', kind: 'Internal', detail: '' };
    }
  };
  return (
    <Card title="About">
      <Select
        label="Log detail"
        testid="settings-log-level"
        value={level}
        options={[
          ['error', 'Errors only'],
          ['warn', 'Errors and refusals'],
          ['info', 'Every action (default)'],
          ['debug', 'And every request'],
          ['trace', 'Everything'],
        ]}
        onChange={(v) => setLevel(v as LogLevel)}
      />
      <Button testid="settings-log-level-save" kind="secondary" onClick={() => void act('Saving…', () => ipc.setLogLevel(level))}>
        Save
      </Button>
      <div class="row">
        <Button testid="settings-open-logs" kind="secondary" onClick={() => void act('Opening…', () => ipc.openLogsFolder())}>
          Open logs folder
        </Button>
        <Button testid="settings-copy-diagnostics" kind="secondary" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy diagnostics'}
        </Button>
      </div>
      <p class="note">The log and the diagnostics hold no PIN, key, passphrase or API key: you can attach them to a bug report.</p>
      <label class="row">
        <input
          type="checkbox"
          data-testid="settings-notifications"
          checked={s?.notifications ?? true}
          onChange={(e) => {
            const on = (e.target as HTMLInputElement).checked;
            void act(on ? 'Turning notifications on…' : 'Turning notifications off…', () => ipc.setNotifications(on));
          }}
        />
        <span>Notifications: a session about to end, tokens received, a transfer confirmed while the window is hidden</span>
      </label>
      <UpdateCheck />
    </Card>
  );
}

function BiometricUnlock() {
  const [pin, setPin] = useState('');
  const bio = wallet.value?.biometrics;
  if (!bio) return null;
  return (
    <Card title="Unlock without the PIN" testid="biometrics">
      {!bio.available ? (
        <p class="note" data-testid="biometrics-none">
          This device offers no biometric unlock here (Touch ID on macOS, Windows Hello on Windows): the PIN is used.
        </p>
      ) : bio.enabled ? (
        <>
          <p class="note" data-testid="biometrics-on">
            {bio.name} unlocks the wallet and confirms setting up or revoking a session. The PIN still works.
          </p>
          <Button testid="biometrics-disable" kind="secondary" onClick={() => void act('Turning it off…', () => ipc.disableBiometrics())}>
            Turn off {bio.name}
          </Button>
        </>
      ) : (
        <>
          <p class="note">Use {bio.name} instead of typing the PIN. Backing up and removing the wallet still ask for the PIN.</p>
          {bio.sealedByCheck ? null : (
            <p class="warning" data-testid="biometrics-not-sealed">
              {bio.name} is asked before the key is read, but it does not seal the key: a program running under your account could read it without the check. Keep it off if that matters to you.
            </p>
          )}
          <Field label="PIN" testid="biometrics-pin" type="password" value={pin} onInput={setPin} />
          <Button testid="biometrics-enable" disabled={!pin} onClick={() => void act(`Waiting for ${bio.name}…`, () => ipc.enableBiometrics(pin)).then(() => setPin(''))}>
            Turn on {bio.name}
          </Button>
        </>
      )}
    </Card>
  );
}

function Backup() {
  const [pin, setPin] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [path, setPath] = useState<string | null>(null);
  const problem = passphrase || again ? checkPassphrase(passphrase, again, pin) : null;
  return (
    <Card title="Back up the owner key" testid="backup">
      <p class="note">
        The backup file holds the owner key sealed under a passphrase of its own. Keep the file and the passphrase apart; with both, anyone
        can take the funds.
      </p>
      <Field label="PIN" testid="backup-pin" type="password" value={pin} onInput={setPin} />
      <Field label="Backup passphrase (10 or more characters, not the PIN)" testid="backup-passphrase" type="password" value={passphrase} onInput={setPassphrase} invalid={!!problem} />
      <Field label="The same passphrase again" testid="backup-passphrase-again" type="password" value={again} onInput={setAgain} invalid={!!problem} />
      <div class="hint" data-testid="backup-validation" aria-live="polite">
        {problem ?? ''}
      </div>
      <Button
        testid="backup-export"
        disabled={!pin || checkPassphrase(passphrase, again, pin) !== null}
        onClick={() =>
          void act('Writing the backup…', async () => setPath(await ipc.exportBackup(pin, passphrase))).then(() => {
            setPin('');
            setPassphrase('');
            setAgain('');
          })
        }
      >
        Write backup file
      </Button>
      {path ? (
        <p aria-live="polite">
          Saved as <code data-testid="backup-path">{path}</code>
        </p>
      ) : null}
    </Card>
  );
}

/** Moves an older CHIPI account (no spending limits) to CHIPI v33, where the network has it. */
function Upgrade() {
  const [pin, setPin] = useState('');
  const w = wallet.value;
  if (!w?.upgradable) return null;
  const biometric = w.biometrics.enabled ? `; empty: ${w.biometrics.name}` : '';
  const unfinished = w.upgradeUnfinished;
  return (
    <Card title={unfinished ? 'Finish the upgrade' : 'Upgrade account'} testid="upgrade">
      {unfinished ? (
        <p data-testid="upgrade-unfinished">
          This account is on CHIPI v33, but its upgrade stopped before the last step: until it is finished, paymasters cannot relay for it. One
          more transaction, signed with the owner key, finishes it; the account pays its network fee (a little STRK).
        </p>
      ) : (
        <p>
          {w.accountClass ?? 'This account'} keeps no spending limits. CHIPI v33 keeps a limit per token. The address, the owner key and the balances
          stay; the session of this device is revoked with the upgrade (set up a new one after).
        </p>
      )}
      <Field label={`PIN${biometric}`} testid="upgrade-pin" type="password" value={pin} onInput={setPin} />
      <Button
        testid="upgrade-account"
        onClick={() =>
          void act(unfinished ? 'Finishing the upgrade…' : 'Upgrading the account…', () => ipc.upgradeAccount(pin || null), 'home').then(() => setPin(''))
        }
      >
        {unfinished ? 'Finish the upgrade' : 'Upgrade to CHIPI v33'}
      </Button>
    </Card>
  );
}

function Remove() {
  const [pin, setPin] = useState('');
  const [backedUp, setBackedUp] = useState(false);
  return (
    <Card title="Remove the wallet from this device" testid="remove">
      <p class="warning">Without a backup, removing the wallet loses its funds. Revoke a live session first.</p>
      <label class="check">
        <input data-testid="remove-confirm" type="checkbox" checked={backedUp} onChange={(e) => setBackedUp((e.target as HTMLInputElement).checked)} />I have a backup of the owner key
      </label>
      <Field label="PIN" testid="remove-pin" type="password" value={pin} onInput={setPin} />
      <Button testid="remove-wallet" kind="danger" disabled={!backedUp || !pin} onClick={() => void act('Removing the wallet…', () => ipc.removeWallet(pin, backedUp), 'home').then(() => setPin(''))}>
        Remove wallet
      </Button>
    </Card>
  );
}

/** One of the four groups (Network, Gas, Security, About), reached from the links on top. */
function Group({ title, children }: { title: string; children: ComponentChildren }) {
  const id = `settings-group-${title.toLowerCase()}`;
  return (
    <section class="stack" id={id} data-testid={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="group-title">
        {title}
      </h2>
      {children}
    </section>
  );
}

export function Settings() {
  const s = settings.value;
  return (
    <div data-testid="settings" class="stack">
      <div class="row spread">
        <h1>Settings</h1>
        <Button testid="close-settings" kind="secondary" icon="back" onClick={closeSettings}>
          Back
        </Button>
      </div>
      <nav class="row" aria-label="Settings groups">
        {['Network', 'Gas', 'Security', 'About'].map((g) => (
          <a key={g} class="chip" href={`#settings-group-${g.toLowerCase()}`}>
            {g}
          </a>
        ))}
      </nav>
      <Group title="Network">
        <NetworkSettings key={s?.network.name} s={s} />
      </Group>
      <Group title="Gas">
        <FeeSettings key={`${s?.network.name}-${s?.gas.mode}-${s?.gas.feeMode}`} s={s} />
      </Group>
      <Group title="Security">
        <AutoLock s={s} />
        {wallet.value ? (
          <>
            <BiometricUnlock />
            <Backup />
            <Upgrade />
            <Remove />
          </>
        ) : null}
      </Group>
      <Group title="About">
        <WalletApiSwitch s={s} />
        <About key={s?.logLevel} s={s} />
      </Group>
    </div>
  );
}
