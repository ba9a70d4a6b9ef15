import { describe, expect, it } from 'vitest';
import { NEW_PIN_MIN_CHARS, PASSPHRASE_MIN_CHARS, PIN_MAX_CHARS } from './bindings';
import { checkNewPin, checkPassphrase } from './pin';

describe('a new PIN and a backup passphrase', () => {
  it('are the core\'s rules (through the generated bindings)', () => {
    expect([NEW_PIN_MIN_CHARS, PIN_MAX_CHARS, PASSPHRASE_MIN_CHARS]).toEqual([6, 64, 12]);
    expect(checkNewPin('x'.repeat(NEW_PIN_MIN_CHARS - 1), 'x'.repeat(NEW_PIN_MIN_CHARS - 1))).not.toBeNull();
    expect(checkNewPin('x'.repeat(NEW_PIN_MIN_CHARS), 'x'.repeat(NEW_PIN_MIN_CHARS))).toBeNull();
    const short = 'p'.repeat(PASSPHRASE_MIN_CHARS - 1);
    const enough = 'p'.repeat(PASSPHRASE_MIN_CHARS);
    expect(checkPassphrase(short, short, '123456')).not.toBeNull();
    expect(checkPassphrase(enough, enough, '123456')).toBeNull();
  });
  it('needs six characters, typed the same twice', () => {
    expect(checkNewPin('12345', '12345')).toMatch(/at least 6/);
    expect(checkNewPin('123456', '123457')).toMatch(/differ/);
    expect(checkNewPin('x'.repeat(65), 'x'.repeat(65))).toMatch(/at most 64/);
    expect(checkNewPin('123456', '123456')).toBeNull();
  });
  it('keeps the passphrase apart from the PIN', () => {
    expect(checkPassphrase('short', 'short', '123456')).toMatch(/at least 12/);
    expect(checkPassphrase('pin-is-long-1', 'pin-is-long-1', 'pin-is-long-1')).toMatch(/not be the PIN/);
    expect(checkPassphrase('a long passphrase', 'a long passphrase!', '123456')).toMatch(/differ/);
    expect(checkPassphrase('a long passphrase', 'a long passphrase', '123456')).toBeNull();
  });
});
