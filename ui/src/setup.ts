// The session set-up screen's rules: one limit per token the session may move, and a summary
// that says exactly what the chain will enforce. A token left without a limit cannot be sent:
// the account refuses any transfer of a token the session has no limit for.
import { checkAmount } from './amount';
import type { KeptRules, LimitInput } from './bindings';
import { duration } from './format';

export interface TokenLimit {
  symbol: string;
  decimals: number;
  perTransfer: string;
  perHour: string;
}

/** A starting limit per token, small enough to be safe for a session. */
export function defaultLimit(symbol: string): { perTransfer: string; perHour: string } {
  switch (symbol) {
    case 'STRK':
      return { perTransfer: '5', perHour: '20' };
    case 'ETH':
      return { perTransfer: '0.002', perHour: '0.01' };
    case 'USDC':
    case 'USDC.e':
      return { perTransfer: '10', perHour: '50' };
    default:
      return { perTransfer: '', perHour: '' };
  }
}

const isSet = (l: TokenLimit) => l.perTransfer.trim() !== '' || l.perHour.trim() !== '';

/** Why the limits cannot be registered, or null when they can. */
export function checkLimits(limits: TokenLimit[]): string | null {
  if (!limits.some(isSet)) return 'Set a limit for at least one token';
  for (const l of limits.filter(isSet)) {
    for (const [what, value] of [
      ['per transfer', l.perTransfer],
      ['per hour', l.perHour],
    ] as const) {
      const check = checkAmount(value, l.decimals);
      if (!check.ok) return `${l.symbol} ${what}: ${check.reason}`;
    }
    if (Number(l.perTransfer) > Number(l.perHour)) return `${l.symbol}: the limit per transfer is above the limit per hour`;
  }
  return null;
}

/** What the backend registers: a policy for each token with a limit, an hour's window. */
export function limitInputs(limits: TokenLimit[]): LimitInput[] {
  return limits.filter(isSet).map((l) => ({
    token: l.symbol,
    maxPerCall: l.perTransfer.trim(),
    maxPerWindow: l.perHour.trim(),
    windowSeconds: 3600,
  }));
}

/** The set-up summary: the calls, the time, each token's limit or that it cannot be sent, and
 * the calls allowed on one contract (`bound`, in words). */
export function setupSummary(hours: string, calls: string, limits: TokenLimit[], bound: string[] = []): string {
  const each = limits.map((l) =>
    isSet(l)
      ? `at most ${l.perTransfer.trim()} ${l.symbol} per transfer and ${l.perHour.trim()} ${l.symbol} per hour`
      : `no ${l.symbol} (it cannot be sent)`,
  );
  const what = bound.length ? `transfer, and ${bound.join(', ')}` : 'transfer';
  return `This session may only call ${what}, ${times(calls)}, for ${hoursWords(hours)}: ${each.join('; ')}.`;
}

/** `1 time`, `5 times` (the typed text as it is when it is not a number yet). */
function times(calls: string): string {
  return Number(calls.trim()) === 1 ? '1 time' : `${calls.trim()} times`;
}

/** `6 h`, `7 d`, `90 min`: a typed number of hours in the largest whole unit. */
export function hoursWords(hours: string): string {
  const n = Number(hours.trim());
  return Number.isFinite(n) && n > 0 ? duration(Math.round(n * 3600)) : `${hours} h`;
}

/** The first line of a set-up on an account class that keeps no spending limit: what the
 * session can do, said before anything else. */
export function noLimitSummary(hours: string, calls: string): string {
  const n = Number(calls);
  const what = Number.isFinite(n) && n === 1 ? '1 call' : `${calls} calls`;
  return `No spending limit: for ${hoursWords(hours)} and ${what}, this session can send any amount of any token this account holds.`;
}

/** Why a set-up on a class without spending limits cannot go yet, or null. */
export function noLimitProblem(limitsKept: boolean, acknowledged: boolean): string | null {
  return limitsKept || acknowledged ? null : 'Confirm that this session has no spending limit';
}

/** What CHIPI v33 does not bound, said on its approval screen: it keeps limits only on tokens
 * given a policy (the wallet gives each token of `listed` one, refusing those left without a
 * limit), and only on transfer, approve and increase_allowance. */
export function unboundedTokensNote(listed: string[]): string {
  const names = listed.length ? listed.join(', ') : 'no token';
  return `On chain this account limits only ${names}: a transfer of any other token (one not in this list) is not limited, whatever its amount, within the session's calls and time.`;
}

/** The rules an extension or a renewal registers again, in the approval's words, for `hours`. */
export function keptSummary(rules: KeptRules, hours: string): string {
  const what = [...rules.allowedEntrypoints, ...rules.allowedCalls];
  const each = rules.limits.map(
    (l) => `at most ${l.maxPerCall} ${l.token} per transfer and ${l.maxPerWindow} ${l.token} per ${l.windowSeconds === 3600 ? 'hour' : duration(l.windowSeconds)}`,
  );
  const calls = rules.maxCalls === null ? '' : `, ${times(String(rules.maxCalls))}`;
  const limits = each.length ? `: ${each.join('; ')}` : '';
  return `This session may only call ${what.join(', ')}${calls}, for ${hoursWords(hours)}${limits}.`;
}
