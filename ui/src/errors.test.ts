import { describe, expect, it } from 'vitest';
import { isAppError, showError } from './errors';

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
  it('recognises tagged errors', () => {
    expect(isAppError({ kind: 'Network', message: 'down' })).toBe(true);
    expect(isAppError('oops')).toBe(false);
    expect(isAppError(null)).toBe(false);
  });
});
