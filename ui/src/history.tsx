// History: every line with its direction, kind, amount, the other side, when (relative; the
// date and time on hover), status and the explorer link; tokens received are found in the
// chain's events on opening and on a timer. Paged here, capped in the backend.
import { useEffect, useState } from 'preact/hooks';
import type { ActivityInfo } from './bindings';
import { relativeTime, shortAddress } from './format';
import { Icon } from './icons';
import { ipc } from './ipc';
import { Button, Card } from './parts';
import { activity, fail, isOpen, minute } from './state';

export const PAGE = 20;

const kindWords: Record<ActivityInfo['kind'], string> = {
  transfer: 'Sent',
  receive: 'Received',
  execute: 'Contract call',
  register: 'Session set up',
  revoke: 'Session revoked',
  deploy: 'Wallet deployed',
  repair: 'Stored data repaired',
  upgrade: 'Account upgraded',
};

/** Which way value moved: in (received), out (sent), or neither (the wallet's own actions). */
function direction(kind: ActivityInfo['kind']): 'in' | 'out' | 'self' {
  if (kind === 'receive') return 'in';
  if (kind === 'transfer' || kind === 'execute') return 'out';
  return 'self';
}

const statusTone: Record<ActivityInfo['status'], string> = { succeeded: 'success', pending: 'warning', failed: 'danger' };

export function ActivityLine({ a, testid }: { a: ActivityInfo; testid: string }) {
  const at = new Date(Number(a.at) * 1000);
  // A time no calendar can show (a node's bogus block time) reads as unknown, never breaks.
  const when = Number.isNaN(at.getTime()) ? new Date(0) : at;
  const way = direction(a.kind);
  const amount = a.amount && a.token ? `${way === 'in' ? '+' : way === 'out' ? '−' : ''}${a.amount} ${a.token}` : null;
  // The summary only where the kind's word does not say it all: calls, repairs, failures.
  const told = a.kind === 'execute' || a.kind === 'repair' || a.status === 'failed';
  const side = a.counterparty ? `${way === 'in' ? 'from' : 'to'} ${shortAddress(a.counterparty)}` : told && !amount ? a.summary : '';
  return (
    <li data-testid={testid} data-status={a.status} data-kind={a.kind} class="line">
      <span class={`glyph ${way}`} aria-hidden="true">
        <Icon name={way === 'in' ? 'receive' : way === 'out' ? 'send' : 'key'} />
      </span>
      <span class="what">{kindWords[a.kind]}</span>
      <span class="side">
        {amount ? <span class="amount">{amount}</span> : null}
        {a.transactionHash && a.explorerUrl ? (
          <Button testid={`${testid}-link`} kind="ghost" icon="external" label={`${kindWords[a.kind]}${amount ? ` ${amount}` : ''}, ${when.toLocaleString()}: view on the explorer`} onClick={() => void ipc.openExplorer(a.transactionHash!).catch(fail)} />
        ) : null}
      </span>
      <span class="sub">
        <time dateTime={when.toISOString()} title={when.toLocaleString()}>
          {relativeTime(Math.floor(when.getTime() / 1000), minute.value)}
        </time>
        {side ? <span>{side}</span> : null}
        {a.status === 'succeeded' ? null : <span class={`chip ${statusTone[a.status]} status ${a.status}`}>{a.status}</span>}
      </span>
    </li>
  );
}

/** Tokens received are looked for on opening History and every minute while it is open. */
const LOOK_EVERY_MS = 60_000;

export function History() {
  const [page, setPage] = useState(0);
  useEffect(() => {
    // Only the look on opening reports a failure: a node that is down is not announced again
    // every minute.
    const look = (report: boolean) =>
      void ipc.refreshHistory().then(
        (list) => {
          if (isOpen()) activity.value = list;
        },
        (e) => report && fail(e),
      );
    look(true);
    const timer = setInterval(() => look(false), LOOK_EVERY_MS);
    return () => clearInterval(timer);
  }, []);
  const list = activity.value;
  const pages = Math.max(1, Math.ceil(list.length / PAGE));
  const shown = list.slice(page * PAGE, (page + 1) * PAGE);
  return (
    <Card title="History" testid="history">
      {list.length === 0 ? <p class="note">Nothing yet.</p> : null}
      <ul data-testid="history-list" class="activity">
        {shown.map((a, i) => (
          <ActivityLine key={`${a.at}-${i}`} a={a} testid="history-item" />
        ))}
      </ul>
      {pages > 1 ? (
        <div class="row">
          <Button testid="history-newer" kind="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>
            Newer
          </Button>
          <span data-testid="history-page">
            Page {page + 1} of {pages}
          </span>
          <Button testid="history-older" kind="secondary" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
            Older
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
