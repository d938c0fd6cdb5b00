import { describe, expect, it } from 'vitest';

describe('shownDec (issue 20)', () => {
  it('rounds derived amounts to 8 places, half even, without trailing zeros; leaves short ones and non-decimals as they are', async () => {
    const { shownDec } = await import('./decimal.js');
    expect(shownDec('-4.52338000000000000000000000000000000004')).toBe('-4.52338');
    expect(shownDec('97000.66666666666666666666666666666667')).toBe('97000.66666667');
    expect(shownDec('0.000000125')).toBe('0.00000012');
    expect(shownDec('1.5')).toBe('1.5');
    expect(shownDec('n/a')).toBe('n/a');
  });
});
