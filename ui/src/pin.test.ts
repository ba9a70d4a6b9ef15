import { describe, expect, it } from 'vitest';
import { checkNewPin, checkPassphrase } from './pin';

describe('a new PIN and a backup passphrase', () => {
  it('needs six characters, typed the same twice', () => {
    expect(checkNewPin('12345', '12345')).toMatch(/at least 6/);
    expect(checkNewPin('123456', '123457')).toMatch(/differ/);
    expect(checkNewPin('x'.repeat(65), 'x'.repeat(65))).toMatch(/at most 64/);
    expect(checkNewPin('123456', '123456')).toBeNull();
  });
  it('keeps the passphrase apart from the PIN', () => {
    expect(checkPassphrase('short', 'short', '123456')).toMatch(/at least 10/);
    expect(checkPassphrase('pin-is-long-1', 'pin-is-long-1', 'pin-is-long-1')).toMatch(/not be the PIN/);
    expect(checkPassphrase('a long passphrase', 'a long passphrase!', '123456')).toMatch(/differ/);
    expect(checkPassphrase('a long passphrase', 'a long passphrase', '123456')).toBeNull();
  });
});
