import { err, ok, type Result } from '../shared/result.js';
import { Dec, decToString, parseDec } from '../shared/decimal.js';
import { csvRecords } from './csv-records.js';
import { isoOf, parseReplayTime } from './replay-time.js';
import type { ReplayInputError } from './replay-input-error.js';

/** One candle: its start time (epoch ms) and prices as decimal strings. */
export interface Candle {
  readonly at: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
}

/** A symbol's candles in time order (one per start time). */
export interface CandleSeries {
  readonly symbol: string;
  readonly candles: readonly Candle[];
}

/** The price an alert at `at` is filled at, and the candle it came from. */
export interface PriceAt {
  readonly price: string;
  readonly candleAt: string;
}

/**
 * The price at a time: the open of a candle starting exactly then, else the close of the latest candle
 * that started before it (what was known at the latest by the end of that candle; see ADR-0025).
 * Undefined when no candle starts at or before the time.
 */
export function priceAt(series: CandleSeries, at: number): PriceAt | undefined {
  const { candles } = series;
  let lo = 0;
  let hi = candles.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (candles[mid]!.at <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const candle = candles[found]!;
  return { price: candle.at === at ? candle.open : candle.close, candleAt: isoOf(candle.at) };
}

/** Candles from rows of numbers or strings: [time, open, high, low, close, volume?] (ccxt fetchOHLCV's shape). */
export function candlesFromRows(symbol: string, rows: readonly (readonly unknown[])[], lineOf: (index: number) => number = (i) => i + 1): Result<CandleSeries, ReplayInputError> {
  const byTime = new Map<number, Candle>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const line = lineOf(i);
    const at = parseReplayTime(row[0]);
    if (at === undefined) return err({ code: 'REPLAY_BAD_TIME', line, message: `line ${line}: the candle's time must be an ISO-8601 time, "YYYY-MM-DD HH:MM[:SS]" (UTC) or epoch seconds / milliseconds` });
    const prices = [row[1], row[2], row[3], row[4]].map((v) => parseDec(v));
    if (prices.some((p) => p === undefined || !p.greaterThan(0))) return err({ code: 'REPLAY_BAD_CANDLE', line, message: `line ${line}: open, high, low and close must be positive numbers` });
    const [open, high, low, close] = prices as Dec[];
    if (high!.lessThan(Dec.max(open!, close!, low!)) || low!.greaterThan(Dec.min(open!, close!))) return err({ code: 'REPLAY_BAD_CANDLE', line, message: `line ${line}: high must be the highest and low the lowest of the candle's prices` });
    if (byTime.has(at)) return err({ code: 'REPLAY_BAD_CANDLE', line, message: `line ${line}: a second candle starting at ${isoOf(at)}` });
    byTime.set(at, { at, open: decToString(open!), high: decToString(high!), low: decToString(low!), close: decToString(close!) });
  }
  if (byTime.size === 0) return err({ code: 'REPLAY_EMPTY', message: 'there are no candles' });
  return ok({ symbol, candles: [...byTime.values()].sort((a, b) => a.at - b.at) });
}

/** A candle CSV: a header naming time (or timestamp / date), open, high, low, close (volume and others ignored). */
export function parseCandleCsv(symbol: string, text: string): Result<CandleSeries, ReplayInputError> {
  const records = csvRecords(text);
  if (!records.ok) return records;
  const [header, ...rows] = records.value;
  if (!header) return err({ code: 'REPLAY_EMPTY', message: 'the price file is empty' });
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const index = (...options: string[]) => names.findIndex((n) => options.includes(n));
  const columns = [index('time', 'timestamp', 'date', 'datetime', 'open time'), index('open', 'o'), index('high', 'h'), index('low', 'l'), index('close', 'c')];
  if (columns.some((c) => c < 0)) return err({ code: 'REPLAY_UNKNOWN_FORMAT', line: header.line, message: `line ${header.line}: a price CSV needs the columns time, open, high, low and close` });
  return candlesFromRows(symbol, rows.map((r) => columns.map((c) => r.cells[c])), (i) => rows[i]!.line);
}
