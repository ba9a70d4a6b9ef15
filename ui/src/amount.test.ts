import { describe, expect, it } from 'vitest';
import { checkAddress, checkAmount, formatUnits } from './amount';

describe('checkAmount', () => {
  it('accepts amounts within the token decimals', () => {
    expect(checkAmount('1', 6)).toEqual({ ok: true });
    expect(checkAmount('12.5', 6)).toEqual({ ok: true });
    expect(checkAmount('0.000001', 6)).toEqual({ ok: true });
    expect(checkAmount('.5', 18)).toEqual({ ok: true });
  });
  it('refuses what the backend refuses, with a reason', () => {
    expect(checkAmount('', 6)).toEqual({ ok: false, reason: 'Enter an amount' });
    expect(checkAmount('1.0000001', 6)).toEqual({ ok: false, reason: 'At most 6 decimals for this token' });
    expect(checkAmount('-1', 6)).toMatchObject({ ok: false });
    expect(checkAmount('1e6', 6)).toMatchObject({ ok: false });
    expect(checkAmount('1,5', 6)).toMatchObject({ ok: false });
    expect(checkAmount('0.000', 6)).toEqual({ ok: false, reason: 'Must be more than zero' });
    expect(checkAmount('340282366920938463463374607431768.211456', 6)).toEqual({ ok: false, reason: 'Too large' });
  });
});

describe('checkAddress', () => {
  it('accepts felts below 2^251 and refuses the rest', () => {
    expect(checkAddress('0x1')).toEqual({ ok: true });
    expect(checkAddress('0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d')).toEqual({ ok: true });
    for (const bad of ['', '0x', '1234', '0x0', '0xzz', '0x800000000000000000000000000000000000000000000000000000000000000']) {
      expect(checkAddress(bad).ok).toBe(false);
    }
  });
});

describe('formatUnits', () => {
  it('shows base units in whole units', () => {
    expect(formatUnits('12500000', 6)).toBe('12.5');
    expect(formatUnits('1', 6)).toBe('0.000001');
    expect(formatUnits('2000000', 6)).toBe('2');
  });
});
