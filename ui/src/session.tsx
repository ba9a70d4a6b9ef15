// The session screen: approving a new session (what it may do, for how long, how much of each
// token), or revoking the one that is live.
import { useState } from 'preact/hooks';
import { AppsSection } from './apps';
import type { AllowedCallInput } from './bindings';
import { parseCalls } from './calls';
import { plural } from './format';
import { expiryDate, rulesInWords, SessionCard } from './home';
import { ipc } from './ipc';
import { Button, Card, Field } from './parts';
import { checkLimits, defaultLimit, keptSummary, limitInputs, noLimitProblem, noLimitSummary, setupSummary, unboundedTokensNote, type TokenLimit } from './setup';
import { act, balances, network, session, wallet } from './state';

/** What the wallet's account class cannot enforce, in words: no limit is promised that the
 * chain does not keep. */
function ClassNotes() {
  const w = wallet.value;
  if (!w) return null;
  const notes: string[] = [];
  const name = w.accountClass ?? 'This account';
  if (w.unboundedWithoutPolicy) notes.push(unboundedTokensNote((network.value?.tokens ?? []).map((t) => t.symbol)));
  if (!w.spendingLimitsEnforced) notes.push(`${name} cannot enforce spending limits: within its calls, the session can send any amount of an allowed token.`);
  if (w.sessionSignsMessages)
    notes.push(`A session key of ${name} can also sign messages that apps check against your account (permits, off-chain orders), whatever the calls it is allowed.`);
  if (!w.gaslessLimitsEnforced)
    notes.push(`${name} does not check the call budget or the allowed calls on gasless transfers: on chain, only the expiry limits them (this app still checks them before signing).`);
  return notes.length ? (
    <div data-testid="class-notes" class="warning">
      {notes.map((n) => (
        <p key={n}>{n}</p>
      ))}
    </div>
  ) : null;
}

/** `contract entrypoint` per line: calls the session may make on one contract only, read as
 * the advanced call screen reads calls, without calldata. */
function parseBound(text: string): { reason: string | null; calls: AllowedCallInput[] } {
  if (!text.trim()) return { reason: null, calls: [] };
  const parsed = parseCalls(text);
  if (!parsed.ok) return { reason: `Advanced: ${parsed.reason}`, calls: [] };
  if (parsed.calls.some((c) => c.calldata.length > 0)) return { reason: 'Advanced: a contract address and an entrypoint per line, nothing more', calls: [] };
  return { reason: null, calls: parsed.calls.map(({ contractAddress, entrypoint }) => ({ contractAddress, entrypoint })) };
}

/** The durations offered in one click (in hours, as the field holds them); any other is typed. */
const PRESETS: [string, string][] = [
  ['1 h', '1'],
  ['6 h', '6'],
  ['24 h', '24'],
  ['7 d', '168'],
];

function Approve() {
  const s = session.value!;
  const limitsKept = wallet.value?.spendingLimitsEnforced ?? true;
  const tokens = limitsKept ? (network.value?.tokens ?? []).filter((t) => !t.hidden) : [];
  const held = new Set((balances.value ?? []).filter((b) => b.amount && b.amount !== '0').map((b) => b.symbol));
  // Without spending limits, a short session with few calls unless the user asks for more.
  const [hours, setHours] = useState(limitsKept ? '6' : '1');
  const [calls, setCalls] = useState(limitsKept ? '1000' : '20');
  const [noLimitAck, setNoLimitAck] = useState(false);
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(tokens.filter((t, i) => held.has(t.symbol) || (held.size === 0 && i === 0)).map((t) => t.symbol)));
  const [rows, setRows] = useState<Record<string, { perTransfer: string; perHour: string }>>(() => Object.fromEntries(tokens.map((t) => [t.symbol, defaultLimit(t.symbol)])));
  const [bound, setBound] = useState('');
  const [pin, setPin] = useState('');
  const limits: TokenLimit[] = tokens.map((t) => {
    const on = chosen.has(t.symbol);
    const r = rows[t.symbol] ?? { perTransfer: '', perHour: '' };
    return { symbol: t.symbol, decimals: t.decimals, perTransfer: on ? r.perTransfer : '', perHour: on ? r.perHour : '' };
  });
  const boundCalls = parseBound(bound);
  // At least a minute (what the chain is asked for is whole seconds), at most 30 days.
  const hoursOk = /^\d+(\.\d+)?$/.test(hours.trim()) && Number(hours) * 3600 >= 60 && Number(hours) <= 24 * 30;
  const callsOk = /^\d+$/.test(calls.trim()) && Number(calls) >= 1 && Number(calls) <= 1_000_000;
  const problem = !hoursOk
    ? 'The duration is a number of hours: a minute at least, 30 days at most'
    : !callsOk
      ? 'The calls are a whole number from 1'
      : limitsKept
        ? (checkLimits(limits) ?? boundCalls.reason)
        : noLimitProblem(limitsKept, noLimitAck);
  const until = hoursOk ? new Date(Date.now() + Number(hours) * 3_600_000).toLocaleString() : '–';
  const toggle = (symbol: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(symbol);
    else next.delete(symbol);
    setChosen(next);
  };
  const setRow = (symbol: string, key: 'perTransfer' | 'perHour', value: string) => setRows({ ...rows, [symbol]: { ...rows[symbol]!, [key]: value } });
  const bio = wallet.value?.biometrics;
  const confirm = (pin: string | null) =>
    void act(
      'Registering the session on chain…',
      () =>
        // A session created earlier whose registration did not finish is registered, not replaced.
        (s.state === 'created' ? ipc.registerSession : ipc.setUpSession)(
          {
            durationSeconds: Math.round(Number(hours) * 3600),
            maxCalls: Number(calls),
            allowedEntrypoints: ['transfer'],
            limits: limitInputs(limits),
            allowedCalls: boundCalls.calls,
            validUntil: null,
            noLimitAcknowledged: !limitsKept && noLimitAck,
          },
          pin,
        ),
      'home',
    ).then(() => setPin(''));
  return (
    <Card title="Approve a session" testid="setup-form">
      {limitsKept ? null : (
        <div class="warning stack">
          <p data-testid="setup-no-limit">
            <strong>{noLimitSummary(hours, calls)}</strong>
          </p>
          <label class="check">
            <input data-testid="setup-ack-no-limit" type="checkbox" checked={noLimitAck} onChange={(e) => setNoLimitAck((e.target as HTMLInputElement).checked)} />I understand: nothing on chain limits how much it sends
          </label>
        </div>
      )}
      <ClassNotes />
      <div class="row" role="group" aria-label="How long">
        {PRESETS.map(([label, h]) => (
          <button type="button" key={label} data-testid={`setup-preset-${label.replace(' ', '')}`} class="secondary" aria-pressed={hours === h} onClick={() => setHours(h)}>
            {label}
          </button>
        ))}
      </div>
      <div class="row">
        <Field label="Hours (or your own)" testid="setup-hours" value={hours} onInput={setHours} inputMode="decimal" invalid={!hoursOk} />
        <Field label="Calls at most" testid="setup-max-calls" value={calls} onInput={setCalls} inputMode="numeric" invalid={!callsOk} />
      </div>
      {tokens.length ? (
        <fieldset class="tokens">
          <legend>Tokens the session may send, and how much</legend>
          {tokens.map((t) => (
            <div key={t.symbol} class="limit">
              <label class="check">
                <input data-testid={`setup-token-${t.symbol}`} type="checkbox" checked={chosen.has(t.symbol)} onChange={(e) => toggle(t.symbol, (e.target as HTMLInputElement).checked)} />
                {t.symbol}
              </label>
              {chosen.has(t.symbol) ? (
                <>
                  <Field label={`Max ${t.symbol} per transfer`} testid={`setup-limit-call-${t.symbol}`} value={rows[t.symbol]?.perTransfer ?? ''} onInput={(v) => setRow(t.symbol, 'perTransfer', v)} inputMode="decimal" />
                  <Field label={`Max ${t.symbol} per hour`} testid={`setup-limit-window-${t.symbol}`} value={rows[t.symbol]?.perHour ?? ''} onInput={(v) => setRow(t.symbol, 'perHour', v)} inputMode="decimal" />
                </>
              ) : null}
            </div>
          ))}
        </fieldset>
      ) : null}
      {limitsKept && !wallet.value?.unboundedWithoutPolicy ? (
        <details>
          <summary>Advanced: allow other calls on one contract</summary>
          <label class="field">
            <span>One per line: contract address, then entrypoint name</span>
            <textarea data-testid="setup-bound-calls" rows={2} value={bound} onInput={(e) => setBound((e.target as HTMLTextAreaElement).value)} />
          </label>
        </details>
      ) : null}
      <p data-testid="setup-summary" class="summary">
        {setupSummary(hours, calls, limits, boundCalls.calls.map((c) => `${c.entrypoint} on ${c.contractAddress}`))} It ends{' '}
        <span data-testid="setup-until">{until}</span>, or when you revoke it.
      </p>
      <div data-testid="setup-validation" class="hint" aria-live="polite">
        {problem ?? ''}
      </div>
      {bio?.enabled ? (
        <Button testid="setup-confirm-biometric" disabled={problem !== null} onClick={() => confirm(null)}>
          Approve with {bio.name}
        </Button>
      ) : null}
      <Field label="PIN" testid="setup-pin" type="password" value={pin} onInput={setPin} />
      <Button testid="setup-confirm" disabled={problem !== null || !pin} onClick={() => confirm(pin)}>
        Approve and set up
      </Button>
    </Card>
  );
}

function Revoke() {
  const s = session.value!;
  const [pin, setPin] = useState('');
  const done = () => setPin('');
  const bio = wallet.value?.biometrics;
  return (
    <Card title="Revoke the session" testid="revoke-form">
      <p data-testid="revoke-what">
        This ends the session allowed {rulesInWords(s)}
        {s.remainingCalls == null ? '' : `, with ${plural(s.remainingCalls, 'call')} left`}, until {expiryDate(s)}.
      </p>
      <p class="warning">Revoking ends it on chain at once: its key can no longer send for you. Set up a new one to send again.</p>
      {bio?.enabled ? (
        <Button testid="revoke-biometric" kind="danger" onClick={() => void act('Revoking the session…', () => ipc.revokeSession(null), 'home')}>
          Revoke with {bio.name}
        </Button>
      ) : null}
      <Field label="PIN" testid="revoke-pin" type="password" value={pin} onInput={setPin} />
      <Button testid="revoke-submit" kind="danger" disabled={!pin} onClick={() => void act('Revoking the session…', () => ipc.revokeSession(pin), 'home').then(done)}>
        Revoke session
      </Button>
      <details>
        <summary>Forget it on this device</summary>
        <p class="note">Forgetting an active session without revoking it leaves the key valid on chain until it expires, and this device can no longer revoke it.</p>
        <div class="row">
          <Button testid="clear-revoke" kind="danger" disabled={!pin} onClick={() => void act('Revoking…', () => ipc.clearSession(pin, true), 'home').then(done)}>
            Revoke and forget
          </Button>
          <Button testid="clear-keep" kind="secondary" disabled={!pin} onClick={() => void act('Forgetting…', () => ipc.clearSession(pin, false), 'home').then(done)}>
            Forget without revoking
          </Button>
        </div>
      </details>
    </Card>
  );
}

/** Extend (the active session: same key and rules, a later expiry) or renew (an expired or
 * revoked one: a new key, the same rules), with one confirmation. */
function KeepGoing() {
  const s = session.value!;
  const extend = s.state === 'active';
  const [hours, setHours] = useState('6');
  const [pin, setPin] = useState('');
  const bio = wallet.value?.biometrics;
  const seconds = Math.round(Number(hours) * 3600);
  const until = new Date((Number(s.chainTime) + seconds) * 1000).toLocaleString();
  const what = extend ? 'Extending the session…' : 'Renewing the session…';
  const go = (p: string | null) =>
    void act(what, () => (extend ? ipc.extendSession(seconds, p) : ipc.renewSession(seconds, p)), 'home').then((ok) => ok && setPin(''));
  return (
    <Card title={extend ? 'Extend the session' : 'Renew the session'} testid="keep-session">
      <div class="row" role="group" aria-label="How long">
        {PRESETS.map(([label, value]) => (
          <button type="button" key={value} class="secondary" data-testid={`keep-preset-${label.replace(' ', '')}`} aria-pressed={hours === value} onClick={() => setHours(value)}>
            {label}
          </button>
        ))}
      </div>
      <p data-testid="keep-summary" class="summary">
        {extend ? 'The same key and rules' : `A new key with the same rules as the ${s.state} one`}: {keptSummary(s.keptRules!, hours)} It ends {until}
        {extend ? '; on chain its call budget and spending windows start again.' : '.'}
      </p>
      {bio?.enabled ? (
        <Button testid="keep-biometric" onClick={() => go(null)}>
          {extend ? 'Extend' : 'Renew'} with {bio.name}
        </Button>
      ) : null}
      <Field label="PIN" testid="keep-pin" type="password" value={pin} onInput={setPin} />
      <Button testid="keep-confirm" disabled={!pin} onClick={() => go(pin)}>
        {extend ? 'Extend' : 'Renew'}
      </Button>
    </Card>
  );
}

export function SessionScreen() {
  const s = session.value!;
  return (
    <>
      <SessionCard s={s} />
      {s.keptRules && ['active', 'expired', 'revoked'].includes(s.state) ? <KeepGoing /> : null}
      {['none', 'expired', 'revoked', 'created'].includes(s.state) ? <Approve /> : null}
      {s.state === 'active' ? <Revoke /> : null}
      {['expired', 'revoked'].includes(s.state) ? (
        <Card title="Old session">
          <Button testid="clear-session" kind="secondary" onClick={() => void act('Forgetting…', () => ipc.clearSession(null, false))}>
            Forget this session
          </Button>
        </Card>
      ) : null}
      {s.state === 'registering' ? <p class="note">The registration is on its way; this screen updates when the chain confirms it.</p> : null}
      <AppsSection />
    </>
  );
}
