// The advanced screen's calls: one per line, `contract entrypoint felt…`, checked against the
// session's rules before anything is sent (the backend checks them again before signing).
import { plural } from './format';
import { checkAddress } from './amount';
import type { CallInput, SessionInfo } from './bindings';

export type Parsed = { ok: true; calls: CallInput[] } | { ok: false; reason: string };

const FELT = /^(0x[0-9a-fA-F]{1,64}|\d{1,77})$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$|^0x[0-9a-fA-F]{1,64}$/;

export function parseCalls(text: string): Parsed {
  const calls: CallInput[] = [];
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  for (const [i, line] of lines.entries()) {
    const [contract = '', entrypoint = '', ...calldata] = line.split(/[\s,]+/);
    if (!checkAddress(contract).ok) return { ok: false, reason: `Line ${i + 1}: the contract is not an address` };
    if (!NAME.test(entrypoint)) return { ok: false, reason: `Line ${i + 1}: name an entrypoint` };
    const bad = calldata.find((f) => !FELT.test(f));
    if (bad !== undefined) return { ok: false, reason: `Line ${i + 1}: ${bad} is not a felt` };
    calls.push({ contractAddress: contract, entrypoint, calldata });
  }
  if (calls.length === 0) return { ok: false, reason: 'Write at least one call' };
  return { ok: true, calls };
}

/** Why the session would refuse `parsed`, or null. */
export function checkCalls(parsed: Parsed, s: SessionInfo): string | null {
  if (!parsed.ok) return parsed.reason;
  if (s.state !== 'active') return `The session is ${s.state}`;
  if (typeof s.remainingCalls === 'number' && parsed.calls.length > s.remainingCalls) return `Only ${plural(s.remainingCalls, 'call')} left in this session`;
  if (s.allowedNames.length > 0) {
    const refused = parsed.calls.find((c) => !s.allowedNames.includes(c.entrypoint) && !s.allowedEntrypoints.includes(c.entrypoint.toLowerCase()));
    if (refused) return `This session may not call ${refused.entrypoint}`;
  }
  return null;
}
