import { describe, expect, it } from 'vitest';
import type { SessionInfo } from './bindings';
import { checkCalls, parseCalls } from './calls';

const active = {
  state: 'active',
  remainingCalls: 2,
  allowedNames: ['transfer'],
  allowedEntrypoints: ['0x83afd3f4caedc6eebf44246fe54e38c95e3179a5ec9ea81740eca5b482d12e'],
} as unknown as SessionInfo;

describe('advanced calls', () => {
  it('reads one call per line', () => {
    const parsed = parseCalls('0x49d36 transfer 0x1234 1000 0\n0x49d36 transfer 0x99 1 0');
    expect(parsed).toEqual({
      ok: true,
      calls: [
        { contractAddress: '0x49d36', entrypoint: 'transfer', calldata: ['0x1234', '1000', '0'] },
        { contractAddress: '0x49d36', entrypoint: 'transfer', calldata: ['0x99', '1', '0'] },
      ],
    });
    expect(checkCalls(parsed, active)).toBeNull();
  });
  it('refuses what the session would refuse, before sending', () => {
    expect(checkCalls(parseCalls('0xzz transfer'), active)).toMatch(/not an address/);
    expect(checkCalls(parseCalls('0x1 transfer 12x'), active)).toMatch(/12x is not a felt/);
    expect(checkCalls(parseCalls('0x1 approve 0x2 1 0'), active)).toMatch(/may not call approve/);
    expect(checkCalls(parseCalls('0x1 transfer\n0x1 transfer\n0x1 transfer'), active)).toMatch(/Only 2 call/);
    expect(checkCalls(parseCalls('0x1 transfer'), { ...active, state: 'expired' })).toMatch(/expired/);
  });
});
