import { describe, expect, it } from 'vitest';
import { isAppError, showError, showKind } from './errors';

describe('showError', () => {
  it('maps each kind to a title and a next step, not the message text', () => {
    expect(showError({ kind: 'WrongPin', message: 'anything' })).toEqual({
      title: 'Wrong PIN',
      next: 'Check the PIN and try again.',
    });
    expect(showError({ kind: 'SpendingLimit', message: '' }).next).toMatch(/wait for the window/);
    expect(showError({ kind: 'SessionExpired', message: 'SESSION_REVOKED' }).title).toBe('The session expired');
    expect(showError({ kind: 'NoSuchKind', message: 'x' }).title).toBe('Something went wrong');
  });
  it('words the kinds that carry fields from their fields', () => {
    const over = showError({
      kind: 'SpendingLimit',
      message: 'ignored',
      token: 'STRK',
      amount: '3',
      left: '2',
      per: 'window',
    });
    expect(over.next).toBe(
      '3 STRK is more than this session allows: at most 2 STRK in this window. Send less, or wait for the window to reset.',
    );
    expect(
      showError({ kind: 'SpendingLimit', message: '', token: 'STRK', amount: '3', left: '2', per: 'transfer' }).next,
    ).toBe('3 STRK is more than this session allows: at most 2 STRK per transfer. Send less.');
    expect(showError({ kind: 'InvalidInput', message: '', field: 'key' }).title).toBe('Check the private key');
    expect(showError({ kind: 'SpendingLimit', message: '', token: 'ETH', amount: null, left: null, per: null }).title).toBe(
      'This session cannot send ETH',
    );
    expect(showError({ kind: 'TooManyAttempts', message: '', wait: 60 }).next).toBe('Wait 60 s, then try again.');
    expect(showError({ kind: 'InvalidInput', message: '', field: 'amount' }).title).toBe('Check the amount');
    expect(showError({ kind: 'InvalidInput', message: '', field: null }).title).toBe('Check your input');
    expect(showError({ kind: 'SessionExpired', message: '', expired: 0 }).next).toMatch(/^It ended at .*new session\.$/);
  });
  it('says the kind alone where the fields must not show (a locked window)', () => {
    const over = { kind: 'SpendingLimit', message: 'ignored', token: 'STRK', amount: '3', left: '2', per: 'window' };
    const shown = showKind(over);
    expect(`${shown.title} ${shown.next}`).not.toMatch(/STRK|3|2/);
    expect(shown).toEqual(showError({ kind: 'SpendingLimit', message: '' }));
  });
  it('recognises tagged errors', () => {
    expect(isAppError({ kind: 'Network', message: 'down' })).toBe(true);
    expect(isAppError('oops')).toBe(false);
    expect(isAppError(null)).toBe(false);
  });
});
