// The rules the token and contact forms check before a round trip; the backend checks the same.
import { checkAddress, type Check } from './amount';

const NAME_MAX = 40;
const NOTE_MAX = 200;

/** A token's address to look up: well-formed and not in the list already. */
export function checkTokenAddress(text: string, listed: { address: string; symbol: string }[]): Check {
  const a = checkAddress(text);
  if (!a.ok) return a;
  const value = BigInt(text.trim());
  const known = listed.find((t) => BigInt(t.address) === value);
  if (known) return { ok: false, reason: `${known.symbol} is already in the list` };
  return { ok: true };
}

/** A contact to save: a name of 1 to 40 characters not used for another address, an address,
 * a note of at most 200 characters. */
export function checkContact(
  input: { name: string; address: string; note: string },
  contacts: { name: string; address: string }[],
): Check {
  const name = input.name.trim();
  if (!name) return { ok: false, reason: 'Give the contact a name' };
  if ([...name].length > NAME_MAX) return { ok: false, reason: `A name is at most ${NAME_MAX} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return { ok: false, reason: 'A name is one line of text' };
  const a = checkAddress(input.address);
  if (!a.ok) return a;
  if ([...input.note.trim()].length > NOTE_MAX) return { ok: false, reason: `A note is at most ${NOTE_MAX} characters` };
  const value = BigInt(input.address.trim());
  const other = contacts.find((c) => c.name.toLowerCase() === name.toLowerCase() && BigInt(c.address) !== value);
  if (other) return { ok: false, reason: `${other.name} is already the name of another address` };
  return { ok: true };
}

/** The contact saved under `address`, if any. */
export function contactOf<T extends { address: string }>(address: string, contacts: T[]): T | undefined {
  try {
    const value = BigInt(address.trim());
    return contacts.find((c) => BigInt(c.address) === value);
  } catch {
    return undefined;
  }
}
