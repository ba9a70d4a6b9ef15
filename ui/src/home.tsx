// The wallet's frame (who, where, the session at a glance, the tabs) and the home screen:
// balances, receive, the session card, recent activity.
import qrcode from 'qrcode-generator';
import { useState } from 'preact/hooks';
import { checksumAddress } from './address';
import { formatUnits } from './amount';
import type { SessionInfo } from './bindings';
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
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  return `${h}h ${m}m ${left % 60}s left`;
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
  if (g.mode === 'direct') return 'direct (you pay gas)';
  if (g.mode === 'chipiApi') return 'Chipi API';
  return g.feeMode === 'gasless' ? `paymaster, fee in ${g.gasToken}` : 'sponsored by the paymaster';
}

/** Name, network, address; the session at a glance on every screen; the tabs. */
export function Frame({ children }: { children: preact.ComponentChildren }) {
  const w = wallet.value!;
  const s = session.value!;
  const remaining = s.remainingCalls ?? 0;
  const max = Math.max(s.maxCalls ?? remaining, remaining, 1);
  const tabs: [Tab, string][] = [
    ['home', 'Home'],
    ['send', 'Send'],
    ['session', 'Session'],
    ['history', 'History'],
  ];
  return (
    <>
      <header class="top">
        <div>
          <span data-testid="network-name" class="pill">
            {w.network}
          </span>{' '}
          <span class="note" data-testid="backend-name">
            {backendName()}
          </span>
        </div>
        <div class="row">
          <code data-testid="wallet-address" class="address" title={w.address}>
            {checksumAddress(w.address)}
          </code>
          <Copy testid="copy-address" text={checksumAddress(w.address)} />
        </div>
        <div class="strip" data-testid="session-strip">
          <span>
            Session: <strong data-testid="session-state">{s.state}</strong>
          </span>
          <span>
            Calls left: <strong data-testid="remaining-calls">{s.remainingCalls === null ? '–' : String(s.remainingCalls)}</strong>
            {s.maxCalls ? <span class="note"> of {s.maxCalls}</span> : null}
          </span>
          <progress data-testid="remaining-bar" max={String(max)} value={String(remaining)} aria-label="Calls left" />
          <span>
            Expires: <Countdown s={s} />
          </span>
          <div class="row">
            <Button testid="refresh-status" kind="secondary" disabled={s.busy.loadingStatus} onClick={() => void act('Reading the session from the chain…', () => ipc.refreshStatus())}>
              Refresh
            </Button>
            {w.unlocked ? (
              <Button testid="lock-wallet" kind="secondary" onClick={() => void act('Locking…', () => ipc.lock(), 'home')}>
                Lock
              </Button>
            ) : null}
          </div>
        </div>
      </header>
      <nav class="tabs" aria-label="Screens">
        {tabs.map(([id, label]) => (
          <button type="button" key={id} data-testid={`nav-${id}`} class={tab.value === id ? 'tab current' : 'tab'} aria-current={tab.value === id ? 'page' : undefined} onClick={() => (tab.value = id)}>
            {label}
          </button>
        ))}
        <button type="button" data-testid="open-settings" class="tab" onClick={openSettings}>
          Settings
        </button>
      </nav>
      <main class="stack">{children}</main>
    </>
  );
}

export function Unlock() {
  const [pin, setPin] = useState('');
  const bio = wallet.value?.biometrics;
  return (
    <Card title="Locked" testid="unlock-form">
      <p class="note">The session key is closed. Enter your PIN to send again.</p>
      {bio?.enabled ? (
        <Button testid="unlock-biometric" onClick={() => void act(`Waiting for ${bio.name}…`, () => ipc.unlock(null))}>
          Unlock with {bio.name}
        </Button>
      ) : null}
      <Field label="PIN" testid="unlock-pin" type="password" value={pin} onInput={setPin} />
      <Button testid="unlock-submit" disabled={!pin} onClick={() => void act('Unlocking…', () => ipc.unlock(pin)).then(() => setPin(''))}>
        Unlock
      </Button>
    </Card>
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

function Balances() {
  const list = balances.value;
  return (
    <Card title="Balances" testid="balances">
      {list === null ? (
        <p class="note">Reading…</p>
      ) : (
        <ul class="balances">
          {list.map((b) => (
            <li key={b.token}>
              <span class="symbol">{b.symbol}</span>
              <span data-testid={`balance-${b.symbol}`} class="amount">
                {b.amount ?? '–'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
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
      `at most ${formatUnits(l.maxPerCall, l.decimals)} ${symbol} per transfer and ${formatUnits(l.maxPerWindow, l.decimals)} ${symbol} per ${Math.round(l.windowSeconds / 60)} min`,
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

function SessionCard({ s }: { s: SessionInfo }) {
  const busy = s.busy.executing || s.busy.registering || s.busy.revoking || s.busy.loadingStatus;
  return (
    <Card title="Session" testid="session-card">
      <div data-testid="session-rules">{rulesLine(s)}</div>
      {s.validUntil && s.state !== 'none' ? (
        <div>
          Until <span data-testid="expiry-date">{expiryDate(s)}</span>
        </div>
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
      {s.state !== 'active' ? (
        <Button testid="go-setup" kind="secondary" onClick={() => (tab.value = 'session')}>
          Set up a session
        </Button>
      ) : null}
    </Card>
  );
}

export function Home() {
  const w = wallet.value!;
  const s = session.value!;
  const [receive, setReceive] = useState(false);
  return (
    <>
      {w.unlocked ? null : <Unlock />}
      {w.deployable && deployed.value === false ? <Deploy /> : null}
      <Balances />
      <div class="row">
        <Button testid="receive" kind="secondary" onClick={() => setReceive(!receive)}>
          {receive ? 'Hide address' : 'Receive'}
        </Button>
        <Button testid="home-send" onClick={() => (tab.value = 'send')}>
          Send
        </Button>
      </div>
      {receive ? (
        <Card title="Receive" testid="receive-view">
          <Qr text={checksumAddress(w.address)} />
          <code class="address">{checksumAddress(w.address)}</code>
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
      </Card>
    </>
  );
}
