// How the screens write addresses, counts, times and amounts: one place, tested in format.test.ts.
import { checksumAddress } from './address';

/** `0x03cD…7B40`: the checksummed address's first four digits and last four. */
export function shortAddress(address: string): string {
  const c = checksumAddress(address);
  return `${c.slice(0, 6)}…${c.slice(-4)}`;
}

/** `1 call`, `2 calls`; `many` when the plural is not `one` + s. */
export function plural(n: number | bigint, one: string, many = `${one}s`): string {
  return `${n} ${BigInt(n) === 1n ? one : many}`;
}

/**
 * A span of seconds in the largest unit that divides it: `1 h`, `24 h`, `7 d`, `90 min`, `45 s`
 * (days from two on: a day reads as `24 h`, as the presets say it).
 */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 2 * 86_400 && s % 86_400 === 0) return `${s / 86_400} d`;
  if (s >= 3_600 && s % 3_600 === 0) return `${s / 3_600} h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

/** Time left as a countdown: `2 d 3 h`, `5 h 12 min`, `4 min 09 s`, `12 s`. */
export function timeLeft(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}

/**
 * When something happened, from `now` (both in Unix seconds): `just now`, `5 min ago`,
 * `3 h ago`, `yesterday`, `4 d ago`, then the date. A time in the future (a node's clock ahead
 * of ours) reads as `just now`.
 */
export function relativeTime(at: number, now: number, locale?: string): string {
  const ago = now - at;
  if (ago < 60) return 'just now';
  if (ago < 3_600) return `${Math.floor(ago / 60)} min ago`;
  if (ago < 86_400) return `${Math.floor(ago / 3_600)} h ago`;
  if (ago < 2 * 86_400) return 'yesterday';
  if (ago < 7 * 86_400) return `${Math.floor(ago / 86_400)} d ago`;
  return new Date(at * 1000).toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric' });
}

/**
 * A whole-unit amount as a balance reads: thousands grouped with thin spaces, at most `places`
 * decimals (cut, never rounded up: a balance is never shown larger than it is), a non-zero
 * amount below the last place as `< 0.000001`.
 */
export function balance(amount: string, places = 6): string {
  places = Math.max(1, Math.floor(places));
  const [typed = '', fraction = ''] = amount.split('.');
  const whole = typed.replace(/^0+(?=\d)/, '') || '0';
  const cut = fraction.slice(0, places).replace(/0+$/, '');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
  if (whole.replace(/^0+/, '') === '' && cut === '' && /[1-9]/.test(fraction)) return `< 0.${'0'.repeat(places - 1)}1`;
  return cut ? `${grouped}.${cut}` : grouped;
}
