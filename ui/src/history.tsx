// History: every line with its date and time, kind, amount, the other side, status and the
// explorer link; tokens received are found in the chain's events. Paged here, capped in the
// backend.
import { useState } from 'preact/hooks';
import { checksumAddress } from './address';
import type { ActivityInfo } from './bindings';
import { ipc } from './ipc';
import { Button, Card } from './parts';
import { act, activity, fail } from './state';

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

export function shortAddress(a: string) {
  const c = checksumAddress(a);
  return `${c.slice(0, 8)}…${c.slice(-4)}`;
}

export function ActivityLine({ a, testid }: { a: ActivityInfo; testid: string }) {
  const at = new Date(Number(a.at) * 1000);
  // A time no calendar can show (a node's bogus block time) reads as unknown, never breaks.
  const when = Number.isNaN(at.getTime()) ? new Date(0) : at;
  const what = a.amount && a.token ? `${a.amount} ${a.token}` : a.summary;
  const side = a.counterparty ? `${a.kind === 'receive' ? 'from' : 'to'} ${shortAddress(a.counterparty)}` : '';
  return (
    <li data-testid={testid} data-status={a.status} data-kind={a.kind} class="line">
      <time dateTime={when.toISOString()}>{when.toLocaleString()}</time>{' '}
      <strong>{kindWords[a.kind]}</strong> {what} {side} <span class={`status ${a.status}`}>({a.status})</span>
      {a.transactionHash && a.explorerUrl ? (
        <Button testid={`${testid}-link`} kind="secondary" onClick={() => void ipc.openExplorer(a.transactionHash!).catch(fail)}>
          View on explorer
        </Button>
      ) : null}
    </li>
  );
}

export function History() {
  const [page, setPage] = useState(0);
  const list = activity.value;
  const pages = Math.max(1, Math.ceil(list.length / PAGE));
  const shown = list.slice(page * PAGE, (page + 1) * PAGE);
  return (
    <Card title="History" testid="history">
      <div class="row">
        <Button testid="history-refresh" kind="secondary" onClick={() => void act('Looking for tokens received…', () => ipc.refreshHistory())}>
          Look for tokens received
        </Button>
      </div>
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
