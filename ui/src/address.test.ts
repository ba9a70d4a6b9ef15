import { describe, expect, it } from 'vitest';
import { checksumAddress } from './address';

// Vectors from starknet.js's getChecksumAddress (tests/js has it installed).
describe('checksummed addresses', () => {
  it('matches starknet.js', () => {
    expect(checksumAddress('0x49d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7')).toBe(
      '0x049D36570D4e46f48e99674bd3fcc84644DdD6b96F7C741B1562B82f9e004dC7',
    );
    expect(checksumAddress('0x4718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d')).toBe(
      '0x04718f5a0Fc34cC1AF16A1cdee98fFB20C31f5cD61D6Ab07201858f4287c938D',
    );
    expect(checksumAddress('0x7e00d496e324876bbc8531f2d9a82bf154d1a04a50218ee74cdd372f75a551a')).toBe(
      '0x07E00d496E324876BbC8531f2D9A82bf154d1A04a50218eE74CdD372F75a551A',
    );
    expect(checksumAddress('0x1234abcd')).toBe('0x000000000000000000000000000000000000000000000000000000001234abcd');
  });
});
