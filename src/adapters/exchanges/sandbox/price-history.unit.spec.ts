import { describe, expect, it } from 'vitest';
import { PriceHistory } from './price-history.js';
import { MINUTE_MS, SyntheticPath } from './synthetic-history.js';

const START = Date.parse('2026-03-04T10:00:30Z');

function history() {
  return new PriceHistory(new SyntheticPath('BTC/USDT', START, 100, 50_000, 200), START, 100);
}

describe('PriceHistory', () => {
  it('has a synthetic past that ends at the start price, continuous from candle to candle', () => {
    const h = history();
    const day = h.day(START);
    expect(day.close).toBe(100);
    expect(day.trades).toBeGreaterThan(0);
    expect(day.volume).toBeGreaterThan(0);
    expect(day.high).toBeGreaterThanOrEqual(Math.max(day.open, 100));
    let previous: number | undefined;
    for (let i = 48; i > 0; i--) {
      const from = Math.floor(START / 3_600_000) * 3_600_000 - i * 3_600_000;
      const candle = h.candle(from, from + 3_600_000, START)!;
      if (previous !== undefined) expect(candle.open).toBeCloseTo(previous, 9);
      expect(candle.high).toBeGreaterThanOrEqual(Math.max(candle.open, candle.close));
      expect(candle.low).toBeLessThanOrEqual(Math.min(candle.open, candle.close));
      previous = candle.close;
    }
    // a candle far in the past is plausible too
    const old = h.candle(START - 400 * 86_400_000, START - 399 * 86_400_000, START)!;
    expect(old.low).toBeGreaterThan(30);
    expect(old.high).toBeLessThan(300);
  });

  it('records trades into 1-minute candles; gaps are flat; the 24 h window follows them', () => {
    const h = history();
    h.record(START + 1000, 101, 2);
    h.record(START + 2000, 99, 1);
    h.record(START + 3 * MINUTE_MS, 120, 1);
    const now = START + 3 * MINUTE_MS + 1;
    const minute = Math.floor(START / MINUTE_MS) * MINUTE_MS;
    // the start minute: its first 30 s are synthetic (ending at 100), then the two trades
    const first = h.candle(minute, minute + MINUTE_MS, now)!;
    expect(first).toMatchObject({ open: expect.closeTo(100, 0), high: 101, low: 99, close: 99 });
    expect(first.volume).toBeGreaterThan(3);
    expect(first.trades).toBeGreaterThan(2);
    expect(h.candle(minute + MINUTE_MS, minute + 2 * MINUTE_MS, now)).toMatchObject({ open: 99, high: 99, low: 99, close: 99, volume: 0 });
    expect(h.candle(minute, minute + 5 * MINUTE_MS, now)).toMatchObject({ open: first.open, high: 120, close: 120 });
    expect(h.candle(now + MINUTE_MS, now + 2 * MINUTE_MS, now)).toBeUndefined();
    const day = h.day(now);
    expect(day).toMatchObject({ close: 120 });
    expect(day.high).toBeGreaterThanOrEqual(120);
    expect(h.day(now + 86_400_000).open).toBe(120); // a day later, only the flat minutes remain
  });
});
