/**
 * Binance's kline intervals and how candles line up in time (UTC): fixed multiples of the epoch,
 * weeks from Monday 00:00, months on calendar months. Pure.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 1970-01-01 was a Thursday: Monday 00:00 UTC is 4 days later. */
const MONDAY = 4 * DAY;

const FIXED: Readonly<Record<string, number>> = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '4h': 4 * HOUR,
  '6h': 6 * HOUR,
  '8h': 8 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
};

export const KLINE_INTERVALS: readonly string[] = [...Object.keys(FIXED), '1w', '1M'];

export function isKlineInterval(text: string): boolean {
  return KLINE_INTERVALS.includes(text);
}

/** Open time of the candle holding `time`. */
export function candleOpen(interval: string, time: number): number {
  if (interval === '1M') {
    const date = new Date(time);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
  if (interval === '1w') return Math.floor((time - MONDAY) / (7 * DAY)) * 7 * DAY + MONDAY;
  const length = FIXED[interval]!;
  return Math.floor(time / length) * length;
}

/** Open time of the candle after the one opening at `open` (its close time is this minus 1). */
export function nextOpen(interval: string, open: number): number {
  if (interval === '1M') {
    const date = new Date(open);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  return open + (interval === '1w' ? 7 * DAY : FIXED[interval]!);
}

function previousOpen(interval: string, open: number): number {
  if (interval === '1M') {
    const date = new Date(open);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1);
  }
  return open - (interval === '1w' ? 7 * DAY : FIXED[interval]!);
}

/**
 * Open times of the candles a klines request returns, oldest first: from `startTime` (the first
 * candle opening at or after it) forwards, else the `limit` candles up to `endTime` (or now).
 * Candles opening after `endTime` or after now are never included.
 */
export function klineOpens(interval: string, query: { startTime?: number; endTime?: number; limit: number }, now: number): number[] {
  const last = candleOpen(interval, Math.min(query.endTime ?? now, now));
  const opens: number[] = [];
  if (query.startTime !== undefined) {
    let open = candleOpen(interval, query.startTime);
    if (open < query.startTime) open = nextOpen(interval, open);
    for (; open <= last && opens.length < query.limit; open = nextOpen(interval, open)) opens.push(open);
    return opens;
  }
  for (let open = last; opens.length < query.limit; open = previousOpen(interval, open)) opens.push(open);
  return opens.reverse();
}
