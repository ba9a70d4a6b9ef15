// Sending: a gasless transfer within the session's limits (the limit shown before sending, the
// fee asked first in the gasless fee mode), and the hook's executeWithSession for other calls.
import { useState } from 'preact/hooks';
import { checksumAddress } from './address';
import { checkAddress, checkAmount, formatUnits, parseUnits } from './amount';
import type { FeeQuote, LimitInfo } from './bindings';
import { ipc } from './ipc';
import { Button, Card, Copy, Field, Select } from './parts';
import { checkCalls, parseCalls } from './calls';
import { act, balances, fail, network, reload, session, settings, tokenDecimals, working } from './state';

function feeWords() {
  const g = settings.value?.gas;
  if (!g || g.mode === 'direct') return 'The account pays the network fee.';
  if (g.mode === 'chipiApi') return 'Sponsored by the Chipi API: no fee.';
  return g.feeMode === 'gasless' ? `You pay the paymaster's fee in ${g.gasToken} (at most ${g.maxFee}).` : 'Sponsored: no fee.';
}

/** What one transfer of the token may move now: the smaller of its per-transfer limit, what is
 * left in the window, and the balance; null when the session has no limit for it. */
export function maxWithin(limit: LimitInfo | undefined, balance: string | null | undefined): string | null {
  if (!limit) return null;
  const left = BigInt(limit.maxPerWindow) - BigInt(limit.spentInWindow);
  let most = BigInt(limit.maxPerCall) < left ? BigInt(limit.maxPerCall) : left;
  if (balance) {
    const units = parseUnits(balance, limit.decimals);
    if (units < most) most = units;
  }
  return formatUnits((most < 0n ? 0n : most).toString(), limit.decimals);
}

interface Sent {
  hash: string;
  url: string | null;
  what: string;
}

export function Send() {
  const s = session.value!;
  const limited = new Map(s.limits.map((l) => [l.symbol ?? l.token, l]));
  const tokens = (network.value?.tokens ?? []).filter((t) => limited.size === 0 || limited.has(t.symbol));
  const [token, setToken] = useState(tokens[0]?.symbol ?? '');
  const [recipient, setRecipient] = useState('');
  const [amount, setAmount] = useState('');
  const [quote, setQuote] = useState<{ fee: FeeQuote; token: string; recipient: string; amount: string } | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  const [pending, setPending] = useState(false);
  const chosen = tokens.some((t) => t.symbol === token) ? token : (tokens[0]?.symbol ?? '');
  const limit = limited.get(chosen);
  const balance = balances.value?.find((b) => b.symbol === chosen)?.amount;
  const most = maxWithin(limit, balance);
  const a = checkAddress(recipient);
  const b = checkAmount(amount, tokenDecimals(chosen));
  const problem = recipient && !a.ok ? a.reason : amount && !b.ok ? b.reason : '';
  const gasless = settings.value?.gas.mode === 'paymaster' && settings.value.gas.feeMode === 'gasless';

  const sendNow = (t: string, to: string, value: string, acceptedFee: string | null = null) => {
    setQuote(null);
    setSent(null);
    setPending(true);
    working.value = `Sending ${value} ${t} and waiting for the receipt…`;
    ipc
      .transfer(t, to, value, acceptedFee)
      .then((r) => {
        setSent({ hash: r.transactionHash, url: r.explorerUrl, what: `${value} ${t} to ${checksumAddress(to)}` });
        setAmount('');
        return reload();
      })
      .catch(fail)
      .finally(() => {
        setPending(false);
        working.value = null;
      });
  };
  const submit = () => {
    if (!gasless) return sendNow(chosen, recipient.trim(), amount.trim());
    ipc
      .quoteTransfer(chosen, recipient.trim(), amount.trim())
      .then((fee) => setQuote({ fee, token: chosen, recipient: recipient.trim(), amount: amount.trim() }))
      .catch(fail);
  };
  return (
    <>
      <Card title="Gasless transfer" testid="transfer-form">
        <div data-testid="transfer-fee-mode" class="note">
          {feeWords()}
        </div>
        {s.state !== 'active' ? (
          <div data-testid="transfer-blocked" class="hint">
            The session is {s.state}: transfers will be refused until a new one is set up.
          </div>
        ) : null}
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (a.ok && b.ok && !pending) submit();
          }}
        >
          <Select label="Token" testid="transfer-token" value={chosen} options={tokens.map((t) => [t.symbol, t.symbol])} onChange={setToken} />
          <div data-testid="transfer-limit" class="note">
            {limit
              ? `Limit: ${formatUnits(limit.maxPerCall, limit.decimals)} ${chosen} per transfer, ${formatUnits(
                  (BigInt(limit.maxPerWindow) - BigInt(limit.spentInWindow)).toString(),
                  limit.decimals,
                )} ${chosen} left this window. Balance: ${balance ?? '–'} ${chosen}.`
              : `Balance: ${balance ?? '–'} ${chosen}.`}
          </div>
          <Field label="Recipient" testid="transfer-recipient" value={recipient} onInput={setRecipient} placeholder="0x…" invalid={!!recipient && !a.ok} />
          {a.ok ? (
            <div data-testid="transfer-recipient-checked" class="note">
              To <code>{checksumAddress(recipient.trim())}</code>
            </div>
          ) : null}
          <div class="row end">
            <Field label={`Amount (${chosen})`} testid="transfer-amount" value={amount} onInput={setAmount} inputMode="decimal" invalid={!!amount && !b.ok} />
            {most !== null ? (
              <Button testid="transfer-max" kind="secondary" onClick={() => setAmount(most)}>
                Max within limit
              </Button>
            ) : null}
          </div>
          <div data-testid="transfer-validation" class="hint" aria-live="polite">
            {problem}
          </div>
          <button type="submit" data-testid="transfer-submit" class="primary" disabled={!(a.ok && b.ok) || pending}>
            {gasless ? 'See the fee' : 'Send gasless'}
          </button>
        </form>
        {quote ? (
          <div data-testid="transfer-quote">
            <div data-testid="transfer-fee">
              Fee: {quote.fee.amount} {quote.fee.token}, paid by you (at most {quote.fee.maxFee}).
            </div>
            <div class="row">
              <Button testid="transfer-confirm" onClick={() => sendNow(quote.token, quote.recipient, quote.amount, quote.fee.mode === 'gasless' ? quote.fee.amount : null)}>
                Send {quote.amount} {quote.token} and pay the fee
              </Button>
              <Button testid="transfer-cancel" kind="secondary" onClick={() => setQuote(null)}>
                Cancel
              </Button>
            </div>
          </div>
        ) : null}
        {pending ? (
          <div data-testid="transfer-progress" aria-live="polite">
            Sending… waiting for the receipt.
          </div>
        ) : null}
        {sent ? (
          <div data-testid="transfer-result" aria-live="polite">
            <div>Sent {sent.what}, no gas paid. Transaction:</div>
            <code data-testid="transfer-hash">{sent.hash}</code>
            <div class="row">
              <Copy testid="copy-hash" text={sent.hash} />
              {sent.url ? (
                <Button testid="explorer-link" kind="secondary" onClick={() => void ipc.openExplorer(sent.hash).catch(fail)}>
                  View on explorer
                </Button>
              ) : null}
            </div>
          </div>
        ) : null}
      </Card>
      <AdvancedCall />
    </>
  );
}

/** The hook's executeWithSession: calls checked here against the session's rules first. */
function AdvancedCall() {
  const [text, setText] = useState('');
  const s = session.value!;
  const calls = parseCalls(text);
  const problem = text.trim() ? checkCalls(calls, s) : null;
  return (
    <details class="card">
      <summary data-testid="call-open">Advanced: call a contract</summary>
      <label class="field">
        <span>One call per line: contract, entrypoint, then calldata felts, separated by spaces</span>
        <textarea data-testid="call-lines" rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      </label>
      <div data-testid="call-validation" class="hint" aria-live="polite">
        {problem ?? ''}
      </div>
      <Button
        testid="call-submit"
        disabled={!text.trim() || problem !== null}
        onClick={() => void act('Sending the calls…', () => ipc.executeWithSession(calls.ok ? calls.calls : [])).then((ok) => ok && setText(''))}
      >
        Send with the session
      </Button>
    </details>
  );
}
