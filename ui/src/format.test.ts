import { describe, expect, it } from 'vitest';
import { balance, duration, plural, relativeTime, shortAddress, timeLeft } from './format';

describe('shortAddress', () => {
  it('keeps the checksum casing, four digits each side', () => {
    const strk = '0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d';
    const short = shortAddress(strk);
    expect(short).toMatch(/^0x0471…938[dD]$/i);
    expect(short).toHaveLength(11);
    // A short input is padded to the full 64 digits first.
    expect(shortAddress('0x1234abcd').slice(0, 6)).toBe('0x0000');
    expect(shortAddress('0x1234abcd').slice(-4).toLowerCase()).toBe('abcd');
  });
});

describe('plural', () => {
  it('says one and many', () => {
    expect(plural(1, 'call')).toBe('1 call');
    expect(plural(0, 'call')).toBe('0 calls');
    expect(plural(1000, 'time')).toBe('1000 times');
    expect(plural(2n, 'entry', 'entries')).toBe('2 entries');
    expect(plural(1n, 'entry', 'entries')).toBe('1 entry');
  });
});

describe('duration and timeLeft', () => {
  it('names a span in its largest whole unit', () => {
    expect(duration(3_600)).toBe('1 h');
    expect(duration(6 * 3_600)).toBe('6 h');
    expect(duration(86_400)).toBe('24 h');
    expect(duration(7 * 86_400)).toBe('7 d');
    expect(duration(90 * 60)).toBe('90 min');
    expect(duration(45)).toBe('45 s');
    expect(duration(-5)).toBe('0 s');
  });
  it('counts down in two units', () => {
    expect(timeLeft(2 * 86_400 + 3 * 3_600 + 59)).toBe('2 d 3 h');
    expect(timeLeft(5 * 3_600 + 12 * 60 + 7)).toBe('5 h 12 min');
    expect(timeLeft(4 * 60 + 9)).toBe('4 min 09 s');
    expect(timeLeft(12)).toBe('12 s');
    expect(timeLeft(-1)).toBe('0 s');
  });
});

describe('relativeTime', () => {
  const now = 1_800_000_000;
  it('reads recent times in words and old ones as a date', () => {
    expect(relativeTime(now - 5, now)).toBe('just now');
    expect(relativeTime(now + 30, now)).toBe('just now');
    expect(relativeTime(now - 5 * 60, now)).toBe('5 min ago');
    expect(relativeTime(now - 3 * 3_600 - 10, now)).toBe('3 h ago');
    expect(relativeTime(now - 30 * 3_600, now)).toBe('yesterday');
    expect(relativeTime(now - 4 * 86_400, now)).toBe('4 d ago');
    expect(relativeTime(now - 30 * 86_400, now, 'en-GB')).toBe('16 Dec 2026');
  });
});

describe('balance', () => {
  it('groups thousands and cuts decimals without rounding up', () => {
    expect(balance('0')).toBe('0');
    expect(balance('5')).toBe('5');
    expect(balance('0.25')).toBe('0.25');
    expect(balance('1234567.5')).toBe('1\u2009234\u2009567.5');
    expect(balance('0.9999999')).toBe('0.999999');
    expect(balance('2.000000001')).toBe('2');
    expect(balance('0.0000000001')).toBe('< 0.000001');
    expect(balance('12.5', 2)).toBe('12.5');
    expect(balance('.5')).toBe('0.5');
    expect(balance('007.25')).toBe('7.25');
    expect(balance('0.5', 0)).toBe('0.5');
    expect(balance('0.05', 0)).toBe('< 0.1');
  });
});
