import { describe, expect, it } from 'vitest';
import { checkAddress } from './amount';
import { checkContact, checkTokenAddress, contactOf } from './lists-check';

const STRK = '0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d';
const listed = [{ address: STRK, symbol: 'STRK' }];

describe('adding a token', () => {
  it('takes a new well-formed address', () => {
    expect(checkTokenAddress('0x1234abcd', listed)).toEqual({ ok: true });
    expect(checkTokenAddress('  0x1234ABCD  ', listed)).toEqual({ ok: true });
  });
  it('refuses what is not an address', () => {
    for (const text of ['', 'USDC', '0x', '0xZZ', `0x${'1'.repeat(65)}`, '0x0', `0x${(1n << 251n).toString(16)}`]) {
      expect(checkTokenAddress(text, listed).ok, text).toBe(false);
    }
  });
  it('refuses a token already listed, however it is written', () => {
    expect(checkTokenAddress('0x4718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d', listed)).toEqual({
      ok: false,
      reason: 'STRK is already in the list',
    });
  });
});

describe('checksummed addresses typed in', () => {
  it('takes the checksum casing, all lower and all upper case', () => {
    expect(checkAddress('0x04718f5a0Fc34cC1AF16A1cdee98fFB20C31f5cD61D6Ab07201858f4287c938D').ok).toBe(true);
    expect(checkAddress(STRK).ok).toBe(true);
    expect(checkAddress('0x04718F5A0FC34CC1AF16A1CDEE98FFB20C31F5CD61D6AB07201858F4287C938D').ok).toBe(true);
  });
  it('refuses a casing that breaks the checksum', () => {
    const r = checkAddress('0x04718f5a0fc34cC1AF16A1cdee98fFB20C31f5cD61D6Ab07201858f4287c938D');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/checksum/);
  });
});

describe('contacts', () => {
  const book = [{ name: 'Alice', address: STRK }];
  it('takes a named address with a note', () => {
    expect(checkContact({ name: 'Bob', address: '0x1234abcd', note: 'rent' }, book)).toEqual({ ok: true });
    // Renaming or re-noting Alice's own address is not a clash.
    expect(checkContact({ name: 'alice', address: STRK, note: '' }, book)).toEqual({ ok: true });
  });
  it('refuses an empty, long, multi-line or taken name, a bad address, a long note', () => {
    const bad = [
      { name: '  ', address: '0x1', note: '' },
      { name: 'x'.repeat(41), address: '0x1', note: '' },
      { name: 'two\nlines', address: '0x1', note: '' },
      { name: 'ALICE', address: '0x1', note: '' },
      { name: 'Bob', address: 'bob.stark', note: '' },
      { name: 'Bob', address: '0x1', note: 'n'.repeat(201) },
    ];
    for (const input of bad) expect(checkContact(input, book).ok, JSON.stringify(input)).toBe(false);
    expect(checkContact({ name: 'ALICE', address: '0x1', note: '' }, book)).toEqual({
      ok: false,
      reason: 'Alice is already the name of another address',
    });
  });
  it('finds a contact by address whatever its padding or casing', () => {
    expect(contactOf('0x4718F5A0FC34CC1AF16A1CDEE98FFB20C31F5CD61D6AB07201858F4287C938D', book)?.name).toBe('Alice');
    expect(contactOf('0x99', book)).toBeUndefined();
    expect(contactOf('not an address', book)).toBeUndefined();
  });
});
