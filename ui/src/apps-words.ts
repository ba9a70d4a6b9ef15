// An app's claims and its session's spending, in words, for the approval and the apps list.
import { formatUnits } from './amount';
import type { LimitInfo } from './bindings';

/** Where the app says it runs: its claim, never verified. */
export function originWords(origin: string | null | undefined) {
  return origin ? `a web page at ${origin} (as the page's browser says)` : 'a program on this computer (not a web page)';
}

/** What a limit has spent of its window, in the token's units. */
export function spentLine(l: Pick<LimitInfo, 'token' | 'symbol' | 'decimals' | 'maxPerCall' | 'maxPerWindow' | 'spentInWindow'>) {
  const symbol = l.symbol ?? l.token;
  const units = (v: string) => formatUnits(v, l.decimals);
  return `${units(l.spentInWindow)} of ${units(l.maxPerWindow)} ${symbol} spent this window (at most ${units(l.maxPerCall)} a transfer)`;
}
