import type { Market } from '../../application/ports/exchange.js';
import type { Clock } from '../../application/ports/clock.js';
import type { PriceFeed, PriceTick } from '../../application/ports/price-feed.js';
import { Dec, decToString, parseDec } from '../../domain/shared/decimal.js';
import { PAPER_MARKETS, PAPER_START_PRICES } from '../exchanges/paper/markets.js';
import { SeededRandom, deriveSeed, type Seed } from './seeded-random.js';

export interface SyntheticPriceFeedOptions {
  readonly clock: Clock;
  /** Same seed + same markets + same sequence of step()/setPrice() => same prices. Default 1. */
  readonly seed?: Seed;
  /** Markets to quote (tick size is used for rounding). Default: the paper exchange's markets. */
  readonly markets?: readonly Market[];
  /** Timer period of start(). Default 250 ms. */
  readonly intervalMs?: number;
  /** Start price per symbol (decimal strings). Default: BTC 97000, ETH 3400, SOL 190, others 100. */
  readonly startPrices?: Readonly<Record<string, string>>;
  /**
   * Standard deviation of one tick's relative move, in basis points (not money: a volatility).
   * A number for all symbols or per symbol. Default: BTC 1, ETH 1.3, SOL 1.8, others 1.5.
   */
  readonly volatilityBps?: number | Readonly<Record<string, number>>;
  /** Called when a subscriber throws; the feed keeps going. Default: ignore. */
  readonly onListenerError?: (error: unknown) => void;
}

const DEFAULT_VOLATILITY_BPS: Readonly<Record<string, number>> = { 'BTC/USDT': 1, 'ETH/USDT': 1.3, 'SOL/USDT': 1.8 };
const FALLBACK_START_PRICE = '100';
const FALLBACK_VOLATILITY_BPS = 1.5;

interface SymbolState {
  readonly symbol: string;
  readonly tick: Dec;
  readonly sigma: Dec;
  readonly rng: SeededRandom;
  /** Unrounded walk value, so moves smaller than a tick still accumulate. */
  level: Dec;
  latest: PriceTick;
}

/**
 * Deterministic synthetic market data: a geometric random walk per symbol,
 * price(t+1) = price(t) * (1 + sigma * z), z ~ N(0,1) from a per-symbol seeded PRNG,
 * emitted rounded to the market's tick size as decimal strings.
 */
export class SyntheticPriceFeed implements PriceFeed {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly states = new Map<string, SymbolState>();
  private readonly order: string[] = [];
  private readonly listeners = new Set<(tick: PriceTick) => void>();
  private readonly onListenerError: (error: unknown) => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: SyntheticPriceFeedOptions) {
    this.clock = options.clock;
    this.intervalMs = options.intervalMs ?? 250;
    if (!(this.intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
    this.onListenerError = options.onListenerError ?? (() => undefined);
    const seed = options.seed ?? 1;
    const markets = options.markets ?? PAPER_MARKETS;
    const time = this.isoNow();
    for (const market of markets) {
      if (this.states.has(market.symbol)) throw new Error(`duplicate market ${market.symbol}`);
      const tick = positive(market.tickSize, `tickSize of ${market.symbol}`);
      const startText = options.startPrices?.[market.symbol] ?? PAPER_START_PRICES[market.symbol] ?? FALLBACK_START_PRICE;
      const level = positive(startText, `start price of ${market.symbol}`);
      const vol = volatilityFor(options.volatilityBps, market.symbol);
      const state: SymbolState = {
        symbol: market.symbol,
        tick,
        sigma: new Dec(String(vol)).dividedBy(10_000),
        rng: new SeededRandom(deriveSeed(seed, 'synthetic-feed', market.symbol)),
        level,
        latest: { symbol: market.symbol, price: decToString(roundToTick(level, tick)), time },
      };
      this.states.set(market.symbol, state);
      this.order.push(market.symbol);
    }
  }

  symbols(): readonly string[] {
    return [...this.order];
  }

  latest(symbol: string): PriceTick | undefined {
    return this.states.get(symbol)?.latest;
  }

  subscribe(listener: (tick: PriceTick) => void): () => void {
    // wrap so the same function can subscribe twice and unsubscribe independently
    const entry = (tick: PriceTick): void => listener(tick);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Starts the timer (unref'd: it never keeps the process alive). Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.step(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Advances every symbol by one random step, synchronously, emitting one tick each (in market order). */
  step(): void {
    const time = this.isoNow();
    for (const symbol of this.order) {
      const state = this.states.get(symbol)!;
      const z = state.rng.nextGaussian();
      const factor = new Dec(1).plus(state.sigma.times(new Dec(z.toString())));
      let level = state.level.times(factor);
      if (level.lessThan(state.tick)) level = state.tick;
      state.level = level;
      this.emit(state, roundToTick(level, state.tick), time);
    }
  }

  /**
   * Forces a price (rounded to the tick size, at least one tick) and emits a tick, synchronously.
   * The random walk continues from there. Throws for an unknown symbol or a non-positive price.
   */
  setPrice(symbol: string, price: string | Dec): PriceTick {
    const state = this.states.get(symbol);
    if (!state) throw new Error(`unknown symbol ${symbol}`);
    const value = typeof price === 'string' ? positive(price, `price for ${symbol}`) : price;
    if (!value.isFinite() || !value.greaterThan(0)) throw new RangeError(`price must be > 0, got ${value.toString()}`);
    let rounded = roundToTick(value, state.tick);
    if (rounded.lessThan(state.tick)) rounded = state.tick;
    state.level = rounded;
    return this.emit(state, rounded, this.isoNow());
  }

  private emit(state: SymbolState, price: Dec, time: string): PriceTick {
    const tick: PriceTick = { symbol: state.symbol, price: decToString(price), time };
    state.latest = tick;
    for (const listener of [...this.listeners]) {
      try {
        listener(tick);
      } catch (error) {
        this.onListenerError(error);
      }
    }
    return tick;
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function roundToTick(value: Dec, tick: Dec): Dec {
  return value.toNearest(tick, Dec.ROUND_HALF_UP);
}

function positive(text: string, what: string): Dec {
  const value = parseDec(text);
  if (!value || !value.greaterThan(0)) throw new RangeError(`${what} must be a positive decimal, got ${text}`);
  return value;
}

function volatilityFor(option: SyntheticPriceFeedOptions['volatilityBps'], symbol: string): number {
  const vol = typeof option === 'number' ? option : (option?.[symbol] ?? DEFAULT_VOLATILITY_BPS[symbol] ?? FALLBACK_VOLATILITY_BPS);
  if (!Number.isFinite(vol) || vol < 0 || vol > 1000) throw new RangeError(`volatilityBps for ${symbol} must be in [0, 1000]`);
  return vol;
}
