import { describe, expect, it } from 'vitest';
import { originWords, spentLine } from './apps-words';

describe('an app in words', () => {
  it('says where it runs as its claim', () => {
    expect(originWords('https://game.example')).toBe("a web page at https://game.example (as the page's browser says)");
    expect(originWords(null)).toBe('a program on this computer (not a web page)');
    expect(originWords(undefined)).toContain('program');
  });

  it('says what a limit spent in the token units', () => {
    const line = spentLine({ token: '0x4718', symbol: 'STRK', decimals: 18, maxPerCall: '2000000000000000000', maxPerWindow: '6000000000000000000', spentInWindow: '5000000000000000000' });
    expect(line).toBe('5 of 6 STRK spent this window (at most 2 a transfer)');
    expect(spentLine({ token: '0xabc', symbol: null, decimals: 6, maxPerCall: '1500000', maxPerWindow: '3000000', spentInWindow: '0' })).toBe('0 of 3 0xabc spent this window (at most 1.5 a transfer)');
  });
});
