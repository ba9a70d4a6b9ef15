import { describe, expect, it } from 'vitest';
import { checkLimits, defaultLimit, hoursWords, keptSummary, limitInputs, noLimitProblem, noLimitSummary, setupSummary, unboundedTokensNote, type TokenLimit } from './setup';

const strk: TokenLimit = { symbol: 'STRK', decimals: 18, perTransfer: '2', perHour: '10' };
const eth: TokenLimit = { symbol: 'ETH', decimals: 18, perTransfer: '', perHour: '' };

describe('session set-up', () => {
  it('says first, on a class without limits, that nothing bounds the amount', () => {
    expect(noLimitSummary('1', '20')).toBe('No spending limit: for 1 h and 20 calls, this session can send any amount of any token this account holds.');
    expect(noLimitSummary('2', '1')).toContain('for 2 h and 1 call,');
    expect(noLimitProblem(false, false)).toBe('Confirm that this session has no spending limit');
    expect(noLimitProblem(false, true)).toBeNull();
    expect(noLimitProblem(true, false)).toBeNull();
  });
  it('registers a policy for each token with a limit and says the others cannot be sent', () => {
    expect(limitInputs([strk, eth])).toEqual([{ token: 'STRK', maxPerCall: '2', maxPerWindow: '10', windowSeconds: 3600 }]);
    const summary = setupSummary('1', '5', [strk, eth]);
    expect(summary).toContain('5 times');
    expect(summary).toContain('at most 2 STRK per transfer and 10 STRK per hour');
    expect(summary).toContain('no ETH (it cannot be sent)');
  });
  it('says one time, many times, and the duration in its largest unit', () => {
    expect(setupSummary('1', '1', [strk])).toContain('may only call transfer, 1 time, for 1 h:');
    expect(setupSummary('168', '1000', [strk])).toContain('1000 times, for 7 d:');
    expect(hoursWords('24')).toBe('24 h');
    expect(hoursWords('1.5')).toBe('90 min');
    expect(hoursWords('abc')).toBe('abc h');
  });
  it('names the calls allowed on one contract', () => {
    expect(setupSummary('6', '1000', [strk], ['vote on 0x42'])).toContain('may only call transfer, and vote on 0x42, 1000 times, for 6 h');
  });
  it('refuses limits the chain would refuse or that allow nothing', () => {
    expect(checkLimits([strk, eth])).toBeNull();
    expect(checkLimits([eth])).toMatch(/at least one token/);
    expect(checkLimits([{ ...strk, perTransfer: '11' }])).toMatch(/above the limit per hour/);
    expect(checkLimits([{ ...strk, perHour: '' }])).toMatch(/STRK per hour/);
    expect(checkLimits([{ ...strk, decimals: 6, perTransfer: '0.0000001' }])).toMatch(/At most 6 decimals/);
  });
  it('starts every known token with a limit', () => {
    for (const symbol of ['STRK', 'ETH', 'USDC', 'USDC.e']) {
      const d = defaultLimit(symbol);
      expect(checkLimits([{ symbol, decimals: 6, ...d }])).toBeNull();
    }
    expect(defaultLimit('DOGE')).toEqual({ perTransfer: '', perHour: '' });
  });
});

describe('CHIPI v33', () => {
  it('says that tokens outside the network list are not limited', () => {
    const note = unboundedTokensNote(['STRK', 'ETH', 'USDC']);
    expect(note).toContain('limits only STRK, ETH, USDC');
    expect(note).toContain('any other token (one not in this list) is not limited');
    expect(unboundedTokensNote([])).toContain('limits only no token');
  });
});

describe('the rules an extension or renewal registers again', () => {
  it('says them as the approval does, with the new length', () => {
    const rules = {
      maxCalls: 10,
      allowedEntrypoints: ['transfer'],
      allowedCalls: ['swap on 0x123'],
      limits: [
        { token: 'STRK', maxPerCall: '2', maxPerWindow: '10', windowSeconds: 3600 },
        { token: 'ETH', maxPerCall: '0.1', maxPerWindow: '0.5', windowSeconds: 86400 },
      ],
    };
    expect(keptSummary(rules, '24')).toBe(
      'This session may only call transfer, swap on 0x123, 10 times, for 24 h: at most 2 STRK per transfer and 10 STRK per hour; at most 0.1 ETH per transfer and 0.5 ETH per 24 h.',
    );
    expect(keptSummary({ ...rules, maxCalls: 1, allowedCalls: [], limits: [] }, '168')).toBe('This session may only call transfer, 1 time, for 7 d.');
  });
});
