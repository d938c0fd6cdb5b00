import { hashString, mix32 } from '../../marketdata/seeded-random.js';

export const MINUTE_MS = 60_000;

/** Open, high, low, close, base and quote volume, trade count of one span of time. */
export interface Candle {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  trades: number;
}

/** (period, log amplitude) of the waves the synthetic past is made of: minutes to months. */
const WAVES: readonly (readonly [number, number])[] = [
  [47 * MINUTE_MS, 0.003],
  [6.1 * 60 * MINUTE_MS, 0.01],
  [2.3 * 1440 * MINUTE_MS, 0.03],
  [11 * 1440 * MINUTE_MS, 0.07],
  [67 * 1440 * MINUTE_MS, 0.15],
];

/**
 * The market's past before the sandbox started: a smooth, deterministic price path (a sum of
 * waves with per-symbol phases, in log space) that ends exactly at the start price, plus hashed
 * noise for wicks and volume. Any span of any length is computed in constant time, so klines of
 * any interval and the 24h statistics agree with each other. Numbers, not decimals: display only.
 */
export class SyntheticPath {
  private readonly phases: readonly number[];
  private readonly seed: number;
  private readonly offset: number;

  /**
   * `quotePerMinute`: the quote volume traded in an average minute (sets the volume scale);
   * `tradesPerMinute`: average trade count of a minute.
   */
  constructor(
    symbol: string,
    private readonly anchorTime: number,
    private readonly anchorPrice: number,
    private readonly quotePerMinute: number,
    private readonly tradesPerMinute: number,
  ) {
    this.seed = hashString(`sandbox-history:${symbol}`);
    this.phases = WAVES.map((_, i) => (mix32(this.seed + i * 0x9e3779b9) / 0x1_0000_0000) * 2 * Math.PI);
    this.offset = this.logLevel(anchorTime);
  }

  price(time: number): number {
    return this.anchorPrice * Math.exp(this.logLevel(time) - this.offset);
  }

  /** [0, 1), the same for the same (time, salt). */
  noise(time: number, salt: number): number {
    const minute = Math.floor(time / MINUTE_MS);
    return mix32(mix32(this.seed ^ salt) ^ mix32(minute) ^ Math.floor(minute / 0x1_0000_0000)) / 0x1_0000_0000;
  }

  /** The candle of [from, to). */
  candle(from: number, to: number): Candle {
    const open = this.price(from);
    const close = this.price(to);
    let high = Math.max(open, close);
    let low = Math.min(open, close);
    // the fastest wave lasts 47 minutes: a minute needs no inner samples, longer spans up to 6
    const samples = Math.min(6, Math.ceil((to - from) / (8 * MINUTE_MS)));
    for (let i = 1; i < samples; i++) {
      const p = this.price(from + ((to - from) * i) / samples);
      if (p > high) high = p;
      if (p < low) low = p;
    }
    const minutes = Math.max((to - from) / MINUTE_MS, 1 / 60);
    const wick = Math.min(0.02, 0.0008 * Math.sqrt(minutes));
    high *= 1 + wick * this.noise(from, 1);
    low *= 1 - wick * this.noise(from, 2);
    const activity = 0.5 + this.noise(from, 3);
    const quoteVolume = this.quotePerMinute * minutes * activity;
    const mid = (high + low) / 2;
    return { open, high, low, close, volume: quoteVolume / mid, quoteVolume, trades: Math.max(1, Math.round(this.tradesPerMinute * minutes * activity)) };
  }

  private logLevel(time: number): number {
    let sum = 0;
    for (let i = 0; i < WAVES.length; i++) {
      const [period, amplitude] = WAVES[i]!;
      sum += amplitude * Math.sin((2 * Math.PI * time) / period + this.phases[i]!);
    }
    return sum;
  }
}

/** Folds `next` into `into` (which holds the earlier span). */
export function mergeCandle(into: Candle | undefined, next: Candle): Candle {
  if (!into) return { ...next };
  into.high = Math.max(into.high, next.high);
  into.low = Math.min(into.low, next.low);
  into.close = next.close;
  into.volume += next.volume;
  into.quoteVolume += next.quoteVolume;
  into.trades += next.trades;
  return into;
}
