import { describe, expect, it } from 'vitest';
import { checkTradesPerDay, utcDay } from './trade-limits.js';

describe('checkTradesPerDay', () => {
  it('refuses the trade past the stricter of the account and strategy limits; never an exit', () => {
    const at = (account: number, strategy: number, reduceOnly = false) =>
      checkTradesPerDay({ reduceOnly, today: { account, strategy }, account: { maxTradesPerDay: 5 }, strategy: { maxTradesPerDay: 2 } }).map((r) => r.message);
    expect(at(0, 1)).toEqual([]);
    expect(at(1, 2)).toEqual([expect.stringContaining('strategy limit 2')]);
    expect(at(5, 2)).toHaveLength(2);
    expect(at(9, 9, true)).toEqual([]);
    expect(checkTradesPerDay({ reduceOnly: false, today: { account: 99, strategy: 99 }, account: {}, strategy: {} })).toEqual([]);
  });
  it('days are UTC', () => {
    expect(utcDay('2026-03-01T23:59:59.999Z')).toBe('2026-03-01');
    expect(utcDay('2026-03-02T00:30:00+01:00')).toBe('2026-03-01');
  });
});
