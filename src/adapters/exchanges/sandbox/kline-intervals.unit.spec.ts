import { describe, expect, it } from 'vitest';
import { candleOpen, isKlineInterval, klineOpens, nextOpen } from './kline-intervals.js';

const at = (iso: string) => Date.parse(iso);

describe('kline intervals', () => {
  it('align candles on the epoch, weeks on Monday and months on the calendar (UTC)', () => {
    expect(candleOpen('1m', at('2026-03-04T10:11:12.345Z'))).toBe(at('2026-03-04T10:11:00Z'));
    expect(candleOpen('4h', at('2026-03-04T10:11:12Z'))).toBe(at('2026-03-04T08:00:00Z'));
    expect(candleOpen('1d', at('2026-03-04T23:59:59Z'))).toBe(at('2026-03-04T00:00:00Z'));
    expect(candleOpen('1w', at('2026-03-04T10:00:00Z'))).toBe(at('2026-03-02T00:00:00Z')); // a Wednesday -> Monday
    expect(candleOpen('1M', at('2026-03-04T10:00:00Z'))).toBe(at('2026-03-01T00:00:00Z'));
    expect(nextOpen('1M', at('2026-12-01T00:00:00Z'))).toBe(at('2027-01-01T00:00:00Z'));
    expect(nextOpen('1w', at('2026-03-02T00:00:00Z'))).toBe(at('2026-03-09T00:00:00Z'));
    expect(isKlineInterval('15m')).toBe(true);
    expect(isKlineInterval('7m')).toBe(false);
  });

  it('selects the last `limit` candles up to now or endTime, or forwards from startTime, never past now', () => {
    const now = at('2026-03-04T10:11:12Z');
    expect(klineOpens('1h', { limit: 3 }, now)).toEqual([at('2026-03-04T08:00:00Z'), at('2026-03-04T09:00:00Z'), at('2026-03-04T10:00:00Z')]);
    expect(klineOpens('1h', { limit: 2, endTime: at('2026-03-04T05:30:00Z') }, now)).toEqual([at('2026-03-04T04:00:00Z'), at('2026-03-04T05:00:00Z')]);
    expect(klineOpens('1h', { limit: 500, startTime: at('2026-03-04T08:30:00Z') }, now)).toEqual([at('2026-03-04T09:00:00Z'), at('2026-03-04T10:00:00Z')]);
    expect(klineOpens('1h', { limit: 1, startTime: at('2026-03-04T08:00:00Z') }, now)).toEqual([at('2026-03-04T08:00:00Z')]);
    expect(klineOpens('1M', { limit: 2 }, now)).toEqual([at('2026-02-01T00:00:00Z'), at('2026-03-01T00:00:00Z')]);
    expect(klineOpens('1m', { limit: 5, startTime: now + 60_000 }, now)).toEqual([]);
  });
});
