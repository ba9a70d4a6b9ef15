// Sending: a transfer within the session's limits (the limit shown while typing), a review step
// (recipient, amount, fee or "sponsored", the limit left after it; the paymaster's quote in the
// gasless fee mode), a success screen; and the hook's executeWithSession for other calls.
import { useEffect, useState } from 'preact/hooks';
import { checksumAddress } from './address';
import { checkAddress, checkAmount, formatUnits, parseUnits } from './amount';
import type { FeeQuote, LimitInfo } from './bindings';
import { ipc } from './ipc';
import { shortAddress } from './format';
import { Button, Card, Copy, Field, Select } from './parts';
import { checkCalls, parseCalls } from './calls';
import { book, loadBook, pendingContact } from './lists';
import { contactOf } from './lists-check';
import { signal } from '@preact/signals';
import { act, balances, banner, fail, network, reload, session, settings, tab, tokenDecimals, working } from './state';

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
  amount: string;
  token: string;
  recipient: string;
}

/** What the review step shows and the confirm button sends: fixed when the user asked for it. */
interface Review {
  token: string;
  recipient: string;
  amount: string;
  /** The paymaster's quote in the gasless fee mode; null where nothing is paid. */
  fee: FeeQuote | null;
}

/** What is left of the window's limit after sending `amount`, in words; null without a limit. */
export function leftAfter(limit: LimitInfo | undefined, amount: string): string | null {
  if (!limit) return null;
  const left = BigInt(limit.maxPerWindow) - BigInt(limit.spentInWindow) - parseUnits(amount, limit.decimals);
  return formatUnits((left < 0n ? 0n : left).toString(), limit.decimals);
}

// The flow lives outside the screen: going to another tab and back while a transfer waits for
// its receipt finds it still waiting (the form cannot send it twice), and its result after.
const reviewing = signal<Review | null>(null);
const lastSent = signal<Sent | null>(null);
const sending = signal(false);

export function Send() {
  const s = session.value!;
  const limited = new Map(s.limits.map((l) => [l.symbol ?? l.token, l]));
  const tokens = (network.value?.tokens ?? []).filter((t) => !t.hidden && (limited.size === 0 || limited.has(t.symbol)));
  useEffect(() => void loadBook(), []);
  const [token, setToken] = useState(tokens[0]?.symbol ?? '');
  const [recipient, setRecipient] = useState('');
  const [amount, setAmount] = useState('');
  const review = reviewing.value;
  const sent = lastSent.value;
  const pending = sending.value;
  const setReview = (r: Review | null) => (reviewing.value = r);
  const setSent = (r: Sent | null) => (lastSent.value = r);
  const setPending = (p: boolean) => (sending.value = p);
  const chosen = tokens.some((t) => t.symbol === token) ? token : (tokens[0]?.symbol ?? '');
  const limit = limited.get(chosen);
  const balance = balances.value?.find((b) => b.symbol === chosen)?.amount;
  const most = maxWithin(limit, balance);
  const a = checkAddress(recipient);
  const b = checkAmount(amount, tokenDecimals(chosen));
  const problem = recipient && !a.ok ? a.reason : amount && !b.ok ? b.reason : '';
  const gasless = settings.value?.gas.mode === 'paymaster' && settings.value.gas.feeMode === 'gasless';

  const sendNow = (r: Review) => {
    if (sending.value) return;
    banner.value = null;
    setPending(true);
    working.value = `Sending ${r.amount} ${r.token} and waiting for the receipt…`;
    ipc
      .transfer(r.token, r.recipient, r.amount, r.fee?.mode === 'gasless' ? r.fee.amount : null)
      .then((done) => {
        setReview(null);
        setSent({ hash: done.transactionHash, url: done.explorerUrl, amount: r.amount, token: r.token, recipient: r.recipient });
        setAmount('');
        setRecipient('');
        // Sent: a reload that fails afterwards is not this transfer's error.
        void reload().catch(() => undefined);
      })
      .catch((e) => {
        // Back to the form, as typed: the banner says what to change.
        setReview(null);
        fail(e);
      })
      .finally(() => {
        setPending(false);
        working.value = null;
      });
  };
  const toReview = () => {
    banner.value = null;
    const asked = { token: chosen, recipient: recipient.trim(), amount: amount.trim() };
    if (!gasless) return setReview({ ...asked, fee: null });
    ipc
      .quoteTransfer(asked.token, asked.recipient, asked.amount)
      .then((fee) => setReview({ ...asked, fee }))
      .catch(fail);
  };
  if (sent)
    return (
      <Success
        sent={sent}
        onDone={() => {
          setSent(null);
          tab.value = 'home';
        }}
        onSave={() => {
          setSent(null);
          pendingContact.value = checksumAddress(sent.recipient);
          tab.value = 'contacts';
        }}
      />
    );
  if (review) return <ReviewCard r={review} limit={limited.get(review.token)} pending={pending} onConfirm={() => sendNow(review)} onBack={() => setReview(null)} />;
  return (
    <>
      <Card title="Send" testid="transfer-form">
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
            if (a.ok && b.ok && !pending) toReview();
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
          <Recipients recipient={recipient} onPick={setRecipient} />
          <Field label="Recipient" testid="transfer-recipient" value={recipient} onInput={setRecipient} placeholder="0x…" invalid={!!recipient && !a.ok} />
          {recipient && contactOf(recipient, book.value.contacts) ? (
            <div class="note" data-testid="recipient-contact">
              Contact: <strong>{contactOf(recipient, book.value.contacts)!.name}</strong>
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
            Review
          </button>
        </form>
      </Card>
      <AdvancedCall />
    </>
  );
}

/** The recent recipients and the address book, above the recipient field (so the keyboard goes
 * from the recipient straight to the amount). */
function Recipients({ recipient, onPick }: { recipient: string; onPick: (address: string) => void }) {
  const { contacts, recent } = book.value;
  const known = recipient ? contactOf(recipient, contacts) : undefined;
  return (
    <div class="stack tight" data-testid="recipients">
      {recent.length ? (
        <div class="row" aria-label="Recent recipients">
          <span class="note">Recent:</span>
          {recent.map((r, i) => (
            <button type="button" key={r.address} class="chip" data-testid={`recent-${i}`} title={r.address} onClick={() => onPick(r.address)}>
              {r.name ?? shortAddress(r.address)}
            </button>
          ))}
        </div>
      ) : null}
      <div class="row">
        {contacts.length ? (
          <Select
            label="From contacts"
            testid="send-contact"
            value={known?.address ?? ''}
            options={[['', 'Choose…'], ...contacts.map((c): [string, string] => [c.address, c.name])]}
            onChange={(v) => v && onPick(v)}
          />
        ) : null}
        <Button testid="open-contacts" kind="ghost" icon="book" onClick={() => (tab.value = 'contacts')}>
          Contacts
        </Button>
      </div>
    </div>
  );
}

/** The review step: everything the confirm button sends, and what the session has left after. */
function ReviewCard({ r, limit, pending, onConfirm, onBack }: { r: Review; limit: LimitInfo | undefined; pending: boolean; onConfirm: () => void; onBack: () => void }) {
  const after = leftAfter(limit, r.amount);
  // A quote asked in the gasless mode may come back sponsored: then nothing is paid.
  const paid = r.fee?.mode === 'gasless';
  return (
    <Card title="Review the transfer" testid="transfer-review" focus>
      <dl class="facts">
        <dt>Send</dt>
        <dd data-testid="review-amount">
          <strong>
            {r.amount} {r.token}
          </strong>
        </dd>
        <dt>To</dt>
        <dd>
          {contactOf(r.recipient, book.value.contacts) ? (
            <strong data-testid="review-contact">{contactOf(r.recipient, book.value.contacts)!.name} </strong>
          ) : null}
          <code data-testid="review-recipient" class="address">
            {checksumAddress(r.recipient)}
          </code>
        </dd>
        <dt>Fee</dt>
        <dd data-testid="transfer-fee">{paid ? `${r.fee!.amount} ${r.fee!.token}, paid by you (at most ${r.fee!.maxFee})` : feeShort()}</dd>
        {after !== null ? (
          <>
            <dt>Left after</dt>
            <dd data-testid="review-left">
              {after} {r.token} of this window's limit
            </dd>
          </>
        ) : null}
      </dl>
      {pending ? (
        <div data-testid="transfer-progress" aria-live="polite">
          Sending… waiting for the receipt.
        </div>
      ) : null}
      <div class="row">
        <Button testid="transfer-confirm" icon="send" disabled={pending} onClick={onConfirm}>
          {paid ? 'Send and pay the fee' : 'Send'}
        </Button>
        <Button testid="transfer-cancel" kind="secondary" icon="back" disabled={pending} onClick={onBack}>
          Back
        </Button>
      </div>
    </Card>
  );
}

function feeShort() {
  const g = settings.value?.gas;
  if (!g || g.mode === 'direct') return 'the network fee, paid by the account';
  return 'sponsored: nothing to pay';
}

/** The success screen: what went where, the transaction with copy and link, Done. */
function Success({ sent, onDone, onSave }: { sent: Sent; onDone: () => void; onSave: () => void }) {
  return (
    <Card title="Sent" testid="transfer-result" focus>
      <div class="hero" aria-live="polite">
        <span class="total" data-testid="sent-amount">
          {sent.amount} <span class="unit">{sent.token}</span>
        </span>
        <span class="note">
          to <code data-testid="sent-recipient">{shortAddress(sent.recipient)}</code>
        </span>
      </div>
      <dl class="facts">
        <dt>Transaction</dt>
        <dd>
          <code data-testid="transfer-hash" class="address">
            {sent.hash}
          </code>
        </dd>
      </dl>
      <div class="row">
        <Copy testid="copy-hash" text={sent.hash} label="Copy hash" />
        {sent.url ? (
          <Button testid="explorer-link" kind="secondary" icon="external" onClick={() => void ipc.openExplorer(sent.hash).catch(fail)}>
            Explorer
          </Button>
        ) : null}
        {contactOf(sent.recipient, book.value.contacts) ? null : (
          <Button testid="save-recipient" kind="secondary" icon="book" onClick={onSave}>
            Save as contact
          </Button>
        )}
        <Button testid="transfer-done" onClick={onDone}>
          Done
        </Button>
      </div>
    </Card>
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
