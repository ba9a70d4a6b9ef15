// The rules for a new PIN and a backup passphrase: the core's constants, through the generated
// bindings (one definition for the three layers).
import { NEW_PIN_MIN_CHARS, PASSPHRASE_MIN_CHARS, PIN_MAX_CHARS } from './bindings';

export const MIN_NEW_PIN = NEW_PIN_MIN_CHARS;
export const MIN_PASSPHRASE = PASSPHRASE_MIN_CHARS;

/** Why `pin` (typed twice) cannot be a new PIN, or null. */
export function checkNewPin(pin: string, again: string): string | null {
  const n = [...pin].length;
  if (n < MIN_NEW_PIN) return `The PIN needs at least ${MIN_NEW_PIN} characters`;
  if (n > PIN_MAX_CHARS) return `The PIN has at most ${PIN_MAX_CHARS} characters`;
  if (pin !== again) return 'The two PINs differ';
  return null;
}

/** Why `passphrase` (typed twice) cannot protect a backup made with `pin`, or null. */
export function checkPassphrase(passphrase: string, again: string, pin: string): string | null {
  if ([...passphrase].length < MIN_PASSPHRASE) return `The passphrase needs at least ${MIN_PASSPHRASE} characters`;
  if (passphrase === pin) return 'The passphrase must not be the PIN';
  if (passphrase !== again) return 'The two passphrases differ';
  return null;
}
