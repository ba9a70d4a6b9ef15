// Apps on this computer: the approval of a pairing (what the app says it is, what its session
// may do), the paired apps with their sessions (revoke on chain, or disconnect), and the
// Settings switch of the local wallet API.
import { signal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import type { AppInfo, CallsPrompt, PairingPrompt, SettingsInfo } from './bindings';
import { originWords, spentLine } from './apps-words';
import { duration, plural, relativeTime } from './format';
import { expiryDate } from './home';
import { ipc } from './ipc';
import { Button, Card, Field } from './parts';
import { act, fail, minute, wallet, working } from './state';

/** The pairing waiting for the user (the approval screen shows while it is set). */
export const pairing = signal<PairingPrompt | null>(null);
/** Calls outside an app's session waiting for the user. */
export const calling = signal<CallsPrompt | null>(null);
/** The paired apps, as last read. */
export const apps = signal<AppInfo[]>([]);

export async function reloadApps() {
  try {
    apps.value = await ipc.listApps();
  } catch {
    apps.value = [];
  }
}

/** Listens for pairings (and asks once, for one that arrived before the window). */
export function watchPairings() {
  void ipc.onPairingChanged((prompt) => {
    pairing.value = prompt;
    if (!prompt) void reloadApps();
  });
  void ipc.pendingPairing().then((prompt) => {
    if (prompt) pairing.value = prompt;
  });
  void ipc.onCallsChanged((prompt) => {
    calling.value = prompt;
  });
  void ipc.pendingCalls().then((prompt) => {
    if (prompt) calling.value = prompt;
  });
}

/** Calls an app asked for outside its session: each in words, why its session refused them;
 * sent signed with your key only after the PIN or biometrics. */
export function CallsApproval() {
  const p = calling.value!;
  const [pin, setPin] = useState('');
  // One answer at a time, for the prompt it was given for (its id).
  const busy = working.value !== null;
  const bio = wallet.value?.biometrics;
  const answer = (approve: boolean, pinOrBio: string | null) =>
    void act(approve ? 'Sending with your key…' : 'Declining…', async () => {
      await ipc.answerCalls(p.id, approve, pinOrBio);
      if (calling.value?.id === p.id) calling.value = null;
    }).then((ok) => ok && setPin(''));
  return (
    <Card title={`${p.name} asks for more than its session allows`} testid="calls" focus>
      <p class="note">
        From <span data-testid="calls-origin">{originWords(p.origin)}</span>. Its session refused this: <span data-testid="calls-reason">{p.reason}</span>
      </p>
      <ul data-testid="calls-list">
        {p.calls.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <p class="warning">Approved, this is signed with your own key: no session limit applies to it.</p>
      {bio?.enabled ? (
        <Button testid="calls-biometric" disabled={busy} onClick={() => answer(true, null)}>
          Send with {bio.name}
        </Button>
      ) : null}
      <Field label="PIN" testid="calls-pin" type="password" value={pin} onInput={setPin} />
      <div class="row">
        <Button testid="calls-approve" kind="danger" disabled={!pin || busy} onClick={() => answer(true, pin)}>
          Send
        </Button>
        <Button testid="calls-decline" kind="secondary" disabled={busy} onClick={() => answer(false, null)}>
          Decline
        </Button>
      </div>
    </Card>
  );
}

export function PairingApproval() {
  const p = pairing.value!;
  const [pin, setPin] = useState('');
  const busy = working.value !== null;
  const bio = wallet.value?.biometrics;
  const answer = (approve: boolean, pinOrBio: string | null) =>
    void act(approve ? `Registering a session for ${p.name}…` : 'Declining…', async () => {
      await ipc.answerPairing(p.id, approve, pinOrBio);
      if (pairing.value?.id === p.id) pairing.value = null;
      await reloadApps();
    }).then((ok) => ok && setPin(''));
  return (
    <Card title="An app asks for a session" testid="pairing" focus>
      <p>
        <strong data-testid="pairing-name">“{p.name}”</strong> — the name it gives itself — from <span data-testid="pairing-origin">{originWords(p.origin)}</span>.
      </p>
      <p class="note">Approve only if you started this app just now. Within these limits it acts without asking you again.</p>
      <dl class="facts">
        <dt>It may call</dt>
        <dd data-testid="pairing-allowed">
          {p.allowed.map((line) => (
            <div key={line}>{line}</div>
          ))}
        </dd>
        <dt>Spending</dt>
        <dd data-testid="pairing-limits">{p.limits.length ? p.limits.map((line) => <div key={line}>{line}</div>) : 'No token may leave the wallet'}</dd>
        {p.messages.length ? (
          <>
            <dt>Messages it may sign</dt>
            <dd data-testid="pairing-messages">{p.messages.join(', ')}</dd>
          </>
        ) : null}
        <dt>For</dt>
        <dd data-testid="pairing-terms">
          {duration(p.durationSecs)}, {plural(p.maxCalls, 'call')} at most
        </dd>
      </dl>
      {p.askOutside ? (
        <p class="warning" data-testid="pairing-asks">
          It also asks to put calls beyond these limits to you: each would be shown here and sent with your own key only after your PIN or biometrics.
        </p>
      ) : null}
      {bio?.enabled ? (
        <Button testid="pairing-biometric" disabled={busy} onClick={() => answer(true, null)}>
          Approve with {bio.name}
        </Button>
      ) : null}
      <Field label="PIN" testid="pairing-pin" type="password" value={pin} onInput={setPin} />
      <div class="row">
        <Button testid="pairing-approve" disabled={!pin || busy} onClick={() => answer(true, pin)}>
          Approve
        </Button>
        <Button testid="pairing-decline" kind="secondary" disabled={busy} onClick={() => answer(false, null)}>
          Decline
        </Button>
      </div>
    </Card>
  );
}

function AppCard({ app }: { app: AppInfo }) {
  const [pin, setPin] = useState('');
  const s = app.session;
  const live = s.state === 'active' || s.state === 'registering';
  const bio = wallet.value?.biometrics;
  const revoke = (p: string | null) => void act(`Revoking ${app.name}'s session…`, () => ipc.revokeApp(app.id, p).then((list) => (apps.value = list))).then((ok) => ok && setPin(''));
  return (
    <section class="card" data-testid="app-card" data-app={app.name} aria-label={app.name}>
      <div class="row spread">
        <h3>{app.name}</h3>
        <span class={`chip ${s.state === 'active' ? 'success' : 'muted'}`} data-testid="app-state">
          {s.state}
        </span>
      </div>
      <p class="note">{originWords(app.origin)}</p>
      <dl class="facts">
        <dt>May call</dt>
        <dd data-testid="app-allowed">
          {app.allowed.map((line) => (
            <div key={line}>{line}</div>
          ))}
        </dd>
        <dt>Calls left</dt>
        <dd data-testid="app-calls">
          {s.remainingCalls ?? '–'}
          {s.maxCalls ? ` of ${s.maxCalls}` : ''}
        </dd>
        <dt>Spent</dt>
        <dd data-testid="app-spent">{app.session.limits.map(spentLine).map((line) => <div key={line}>{line}</div>)}</dd>
        <dt>Expires</dt>
        <dd>{s.validUntil ? expiryDate(s) : '–'}</dd>
        <dt>Last use</dt>
        <dd data-testid="app-last-use">{app.lastUsed ? relativeTime(Number(app.lastUsed), minute.value) : 'not yet'}</dd>
      </dl>
      {live ? (
        <>
          {bio?.enabled ? (
            <Button testid="app-revoke-biometric" kind="danger" onClick={() => revoke(null)}>
              Revoke with {bio.name}
            </Button>
          ) : null}
          <Field label="PIN" testid="app-revoke-pin" type="password" value={pin} onInput={setPin} />
        </>
      ) : null}
      <div class="row">
        {live ? (
          <Button testid="app-revoke" kind="danger" disabled={!pin} onClick={() => revoke(pin)}>
            Revoke on chain
          </Button>
        ) : null}
        <Button testid="app-disconnect" kind="secondary" onClick={() => void act(`Disconnecting ${app.name}…`, () => ipc.disconnectApp(app.id).then((list) => (apps.value = list)))}>
          Disconnect
        </Button>
      </div>
      {live ? <p class="note">Disconnect deletes its session key here without a transaction; revoking also ends it on chain.</p> : null}
    </section>
  );
}

/** The paired apps, under the wallet's own session on the Session screen. */
export function AppsSection() {
  useEffect(() => {
    reloadApps().catch(fail);
  }, []);
  return (
    <section class="stack" data-testid="apps" aria-label="Apps">
      <h2>Apps</h2>
      {apps.value.length ? apps.value.map((app) => <AppCard key={app.id} app={app} />) : <p class="note">No app is paired. Turn on “Apps on this computer” in Settings to let one ask.</p>}
    </section>
  );
}

/** The Settings switch of the local wallet API. */
export function WalletApiSwitch({ s }: { s: SettingsInfo | null }) {
  return (
    <Card title="Apps on this computer" testid="wallet-api">
      <label class="row">
        <input
          type="checkbox"
          data-testid="settings-wallet-api"
          checked={s?.walletApi ?? false}
          onChange={(e) => {
            const on = (e.target as HTMLInputElement).checked;
            void act(on ? 'Turning the wallet API on…' : 'Turning the wallet API off…', () => ipc.setWalletApi(on));
          }}
        />
        <span>Let apps and scripts on this computer ask for a session of their own (on 127.0.0.1 only)</span>
      </label>
      <p class="note">Each app is shown here first with what it asks for; nothing is paired without your PIN. Off, every app's connection closes.</p>
    </Card>
  );
}
