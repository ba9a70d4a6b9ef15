// Amount and address checks as the user types, the same rules the backend applies.

import { checksumAddress } from './address';

export type Check = { ok: true } | { ok: false; reason: string };

/** A decimal amount for a token with `decimals` decimals: digits, one point, not zero. */
export function checkAmount(text: string, decimals: number): Check {
  const t = text.trim();
  if (t === '') return { ok: false, reason: 'Enter an amount' };
  if (!/^\d*\.?\d*$/.test(t) || t === '.') return { ok: false, reason: 'Only digits and one decimal point' };
  if ((t.split('.')[1] ?? '').length > decimals) return { ok: false, reason: `At most ${decimals} decimals for this token` };
  const units = parseUnits(t, decimals);
  if (units === 0n) return { ok: false, reason: 'Must be more than zero' };
  if (units >= 1n << 128n) return { ok: false, reason: 'Too large' };
  return { ok: true };
}

/** A Starknet address: 0x and 1 to 64 hex digits, not zero, below 2^251. */
export function checkAddress(text: string): Check {
  const t = text.trim();
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(t)) return { ok: false, reason: 'An address is 0x followed by hex digits' };
  const value = BigInt(t);
  if (value === 0n || value >= 1n << 251n) return { ok: false, reason: 'Not a valid Starknet address' };
  // Written in mixed case, the casing is a checksum: a mistyped character breaks it.
  const digits = t.slice(2);
  if (/[a-f]/.test(digits) && /[A-F]/.test(digits) && checksumAddress(t).slice(2) !== digits.padStart(64, '0'))
    return { ok: false, reason: "The capital letters do not match this address's checksum: a character may be mistyped" };
  return { ok: true };
}

/** Base units as a decimal string without trailing zeros. */
export function formatUnits(units: string, decimals: number): string {
  const v = BigInt(units);
  const scale = 10n ** BigInt(decimals);
  const whole = v / scale;
  const fraction = (v % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

/** Whole units (digits, at most one point, at most `decimals` decimals) as base units. */
export function parseUnits(text: string, decimals: number): bigint {
  const [whole, fraction = ''] = text.trim().split('.');
  return BigInt((whole || '0') + fraction.padEnd(decimals, '0'));
}
