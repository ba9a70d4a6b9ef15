// Addresses as wallets show them: 64 hex digits with Starknet's checksum casing (the letters
// uppercased where the keccak of the address has its high bit set), so a mistyped one stands out.
import { keccak_256 } from '@noble/hashes/sha3.js';

const MASK_250 = (1n << 250n) - 1n;

function bytesOf(hex: string): Uint8Array {
  const even = hex.length % 2 ? `0${hex}` : hex;
  return Uint8Array.from(even.match(/../g)!.map((b) => parseInt(b, 16)));
}

/** `address` (0x + 1 to 64 hex digits) with the checksum casing. */
export function checksumAddress(address: string): string {
  const value = BigInt(address);
  const chars = value.toString(16).padStart(64, '0').split('');
  const digest = keccak_256(bytesOf(value.toString(16)));
  const hash = BigInt(`0x${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`) & MASK_250;
  const hashed = bytesOf(hash.toString(16).padStart(64, '0'));
  for (let i = 0; i < chars.length; i += 2) {
    const byte = hashed[i >> 1]!;
    if (byte >> 4 >= 8) chars[i] = chars[i]!.toUpperCase();
    if ((byte & 0x0f) >= 8) chars[i + 1] = chars[i + 1]!.toUpperCase();
  }
  return `0x${chars.join('')}`;
}
