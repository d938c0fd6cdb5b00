import { MINUTE_MS, mergeCandle, type Candle, type SyntheticPath } from './synthetic-history.js';

/** Minutes of 1m candles kept per symbol (48 h): the 24h statistics always come from here. */
const RING_MINUTES = 2880;
/** Minutes synthesized before the start, so a fresh sandbox has a full day of history. */
const BACKFILL_MINUTES = 1440;

/**
 * One symbol's price history: 1-minute candles of the trades it printed (a ring of 48 h, in
 * typed arrays), preceded by a synthetic past (SyntheticPath). Candles of any interval are
 * assembled from the ring where it reaches and from the synthetic path before that.
 */
export class PriceHistory {
  private readonly open = new Float64Array(RING_MINUTES);
  private readonly high = new Float64Array(RING_MINUTES);
  private readonly low = new Float64Array(RING_MINUTES);
  private readonly close = new Float64Array(RING_MINUTES);
  private readonly volume = new Float64Array(RING_MINUTES);
  private readonly quoteVolume = new Float64Array(RING_MINUTES);
  private readonly trades = new Uint32Array(RING_MINUTES);
  /** The minute (epoch minutes) the newest slot holds. */
  private lastMinute: number;
  /** The oldest minute the ring holds. */
  private firstMinute: number;
  private cached: { minute: number; candle: Candle | undefined } | undefined;
  private readonly startMinute: number;
  /** The synthetic day before the start is written on the first read (it costs ~1 ms a symbol). */
  private backfilled = false;

  constructor(
    private readonly path: SyntheticPath,
    startTime: number,
    startPrice: number,
  ) {
    this.startMinute = Math.floor(startTime / MINUTE_MS);
    this.firstMinute = this.startMinute - BACKFILL_MINUTES;
    this.lastMinute = this.startMinute;
    const opening = path.candle(this.startMinute * MINUTE_MS, startTime);
    this.write(this.startMinute, mergeCandle(opening, { open: startPrice, high: startPrice, low: startPrice, close: startPrice, volume: 0, quoteVolume: 0, trades: 0 }));
  }

  /** A trade at `time`; a time before the newest minute (a clock moved back) counts in the newest. */
  record(time: number, price: number, quantity: number): void {
    const minute = Math.max(Math.floor(time / MINUTE_MS), this.lastMinute);
    if (minute > this.lastMinute) this.advanceTo(minute);
    const s = this.slot(minute);
    if (price > this.high[s]!) this.high[s] = price;
    if (price < this.low[s]!) this.low[s] = price;
    this.close[s] = price;
    this.volume[s] = this.volume[s]! + quantity;
    this.quoteVolume[s] = this.quoteVolume[s]! + quantity * price;
    this.trades[s] = this.trades[s]! + 1;
  }

  /** The last recorded price. */
  last(): number {
    return this.close[this.slot(this.lastMinute)]!;
  }

  /**
   * The candle of [from, to) up to `now`: synthetic before the ring, the ring's minutes after.
   * Undefined for a span that starts after `now`.
   */
  candle(from: number, to: number, now: number): Candle | undefined {
    this.backfill();
    const end = Math.min(to, now + 1);
    if (from >= end) return undefined;
    const ringStart = this.firstMinute * MINUTE_MS;
    let result: Candle | undefined;
    if (from < ringStart) result = this.path.candle(from, Math.min(end, ringStart));
    if (end > ringStart) {
      const first = Math.max(Math.floor(Math.max(from, ringStart) / MINUTE_MS), this.firstMinute);
      const last = Math.min(Math.ceil(end / MINUTE_MS) - 1, this.lastMinute);
      const ring = this.span(first, last);
      if (ring) result = mergeCandle(result, ring);
      // a span past the newest minute (no trade since): flat at the last price
      if (last < Math.ceil(end / MINUTE_MS) - 1 && result) result = mergeCandle(result, flat(this.last()));
    }
    return result;
  }

  /** The rolling 24 h at `now` (minute resolution). Completed minutes are cached per minute. */
  day(now: number): Candle {
    this.backfill();
    const nowMinute = Math.max(Math.floor(now / MINUTE_MS), this.lastMinute);
    if (this.cached?.minute !== nowMinute) this.cached = { minute: nowMinute, candle: this.span(Math.max(nowMinute - 1439, this.firstMinute), Math.min(nowMinute - 1, this.lastMinute)) };
    const current = nowMinute === this.lastMinute ? this.read(nowMinute) : flat(this.last());
    return this.cached.candle ? mergeCandle({ ...this.cached.candle }, current) : current;
  }

  /** Minutes before the start still in the ring (not yet overwritten by newer ones) get the synthetic past. */
  private backfill(): void {
    if (this.backfilled) return;
    this.backfilled = true;
    for (let minute = Math.max(this.firstMinute, this.startMinute - BACKFILL_MINUTES); minute < this.startMinute; minute++) {
      this.write(minute, this.path.candle(minute * MINUTE_MS, (minute + 1) * MINUTE_MS));
    }
  }

  /** The ring's minutes first..last (inclusive) folded into one candle, straight from the arrays. */
  private span(first: number, last: number): Candle | undefined {
    if (last < first) return undefined;
    const s0 = this.slot(first);
    const candle: Candle = { open: this.open[s0]!, high: -Infinity, low: Infinity, close: 0, volume: 0, quoteVolume: 0, trades: 0 };
    for (let minute = first; minute <= last; minute++) {
      const s = this.slot(minute);
      if (this.high[s]! > candle.high) candle.high = this.high[s]!;
      if (this.low[s]! < candle.low) candle.low = this.low[s]!;
      candle.volume += this.volume[s]!;
      candle.quoteVolume += this.quoteVolume[s]!;
      candle.trades += this.trades[s]!;
    }
    candle.close = this.close[this.slot(last)]!;
    return candle;
  }

  private advanceTo(minute: number): void {
    const price = this.last();
    const from = Math.max(this.lastMinute + 1, minute - RING_MINUTES + 1);
    for (let m = from; m <= minute; m++) this.write(m, flat(price));
    this.lastMinute = minute;
    this.firstMinute = Math.max(this.firstMinute, minute - RING_MINUTES + 1);
  }

  private read(minute: number): Candle {
    const s = this.slot(minute);
    return { open: this.open[s]!, high: this.high[s]!, low: this.low[s]!, close: this.close[s]!, volume: this.volume[s]!, quoteVolume: this.quoteVolume[s]!, trades: this.trades[s]! };
  }

  private write(minute: number, candle: Candle): void {
    const s = this.slot(minute);
    this.open[s] = candle.open;
    this.high[s] = candle.high;
    this.low[s] = candle.low;
    this.close[s] = candle.close;
    this.volume[s] = candle.volume;
    this.quoteVolume[s] = candle.quoteVolume;
    this.trades[s] = candle.trades;
  }

  private slot(minute: number): number {
    return ((minute % RING_MINUTES) + RING_MINUTES) % RING_MINUTES;
  }
}

function flat(price: number): Candle {
  return { open: price, high: price, low: price, close: price, volume: 0, quoteVolume: 0, trades: 0 };
}
