import type { Clock } from '../../../application/ports/clock.js';
import type { Market } from '../../../application/ports/exchange.js';
import type { PriceFeed, PriceTick } from '../../../application/ports/price-feed.js';
import { Dec } from '../../../domain/shared/decimal.js';
import { hashString, mix32 } from '../../marketdata/seeded-random.js';
import { PriceHistory } from './price-history.js';
import { binanceSymbol } from './symbols.js';
import { SyntheticPath, type Candle } from './synthetic-history.js';

/** One public trade printed by the tape (one per feed tick). */
export interface TapeTrade {
  readonly id: number;
  /** decimal strings */
  readonly price: string;
  readonly quantity: string;
  readonly time: number;
  /** the seller hit the bid (the price went down) */
  readonly buyerIsMaker: boolean;
}

/** Best bid and ask around the last price, one tick either side. */
export interface TopOfBook {
  readonly updateId: number;
  readonly bidPrice: string;
  readonly bidQty: string;
  readonly askPrice: string;
  readonly askQty: string;
}

export interface TapeEvent {
  readonly market: Market;
  readonly trade: TapeTrade;
}

/** Rolling 24 h statistics of a symbol. */
export interface DayStats extends Candle {
  readonly openTime: number;
  readonly closeTime: number;
  readonly firstId: number;
  readonly lastId: number;
}

const RECENT_TRADES = 1000;
/** Average trade size of the synthetic past, in multiples of the symbol's minimum notional. */
const AVERAGE_TRADE_NOTIONALS = 100;
const SYNTHETIC_TRADES_PER_MINUTE = 200;

interface SymbolTape {
  readonly market: Market;
  readonly tick: Dec;
  readonly step: Dec;
  readonly minNotional: number;
  readonly seed: number;
  readonly history: PriceHistory;
  readonly trades: TapeTrade[];
  nextTradeId: number;
  updateId: number;
  lastPrice: string;
  book: TopOfBook | undefined;
}

/**
 * The sandbox's public market activity, driven by its price feed: every feed tick prints one
 * trade at the tick's price (so streams, REST and fills agree), moves the top of the book (one
 * tick either side of the price) and updates the 1-minute candles behind klines and the 24 h
 * statistics. Listeners hear every trade after the state is updated.
 */
export class MarketTape {
  private readonly tapes = new Map<string, SymbolTape>();
  private readonly listeners = new Set<(event: TapeEvent) => void>();
  private readonly unsubscribe: () => void;
  /** markets whose feed had no price yet at start: opened at their first tick */
  private readonly pending: Map<string, Market>;

  constructor(
    private readonly feed: PriceFeed,
    markets: readonly Market[],
    private readonly clock: Clock,
  ) {
    const now = clock.now();
    for (const market of markets) {
      const latest = feed.latest(market.symbol);
      if (latest) this.tapes.set(market.symbol, this.open(market, latest.price, now));
    }
    this.pending = new Map(markets.filter((market) => !this.tapes.has(market.symbol)).map((market) => [market.symbol, market]));
    this.unsubscribe = feed.subscribe((tick) => this.onTick(tick));
  }

  onTrade(listener: (event: TapeEvent) => void): () => void {
    const entry = (event: TapeEvent): void => listener(event);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** The last price (decimal string), undefined before the feed quoted the symbol. */
  lastPrice(symbol: string): string | undefined {
    return this.tapes.get(symbol)?.lastPrice;
  }

  book(symbol: string): TopOfBook | undefined {
    const tape = this.tapes.get(symbol);
    if (!tape) return undefined;
    tape.book ??= this.topOfBook(tape);
    return tape.book;
  }

  /** `levels` price levels a side, one tick apart from the top of the book. */
  depth(symbol: string, levels: number): { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] } | undefined {
    const tape = this.tapes.get(symbol);
    const top = this.book(symbol);
    if (!tape || !top) return undefined;
    const bids: [string, string][] = [];
    const asks: [string, string][] = [];
    const bestBid = new Dec(top.bidPrice);
    const bestAsk = new Dec(top.askPrice);
    for (let i = 0; i < levels; i++) {
      const bid = bestBid.minus(tape.tick.times(i));
      if (bid.greaterThan(0)) bids.push([bid.toFixed(), this.quantity(tape, bid.toNumber(), tape.updateId * 64 + i * 2)]);
      const ask = bestAsk.plus(tape.tick.times(i));
      asks.push([ask.toFixed(), this.quantity(tape, ask.toNumber(), tape.updateId * 64 + i * 2 + 1)]);
    }
    return { lastUpdateId: top.updateId, bids, asks };
  }

  lastTrade(symbol: string): TapeTrade | undefined {
    return this.tapes.get(symbol)?.trades.at(-1);
  }

  /** The most recent trades, oldest first (at most 1000 are kept). */
  recentTrades(symbol: string, limit: number): readonly TapeTrade[] {
    const trades = this.tapes.get(symbol)?.trades ?? [];
    return trades.slice(Math.max(0, trades.length - limit));
  }

  day(symbol: string, now: number): DayStats | undefined {
    const tape = this.tapes.get(symbol);
    if (!tape) return undefined;
    const candle = tape.history.day(now);
    const lastId = tape.nextTradeId - 1;
    return { ...candle, openTime: now - 86_400_000, closeTime: now, lastId, firstId: lastId - candle.trades + 1 };
  }

  /** The candle of [from, to) (undefined when it starts after now or the symbol has no price). */
  candle(symbol: string, from: number, to: number, now: number): Candle | undefined {
    return this.tapes.get(symbol)?.history.candle(from, to, now);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  private open(market: Market, price: string, now: number): SymbolTape {
    const start = Number(price);
    const minNotional = Math.max(Number(market.minNotional), Number(market.stepSize) * start, Number.MIN_VALUE);
    const path = new SyntheticPath(market.symbol, now, start, minNotional * AVERAGE_TRADE_NOTIONALS * SYNTHETIC_TRADES_PER_MINUTE, SYNTHETIC_TRADES_PER_MINUTE);
    const history = new PriceHistory(path, now, start);
    const seed = hashString(`sandbox-tape:${binanceSymbol(market)}`);
    return {
      market,
      tick: new Dec(market.tickSize),
      step: new Dec(market.stepSize),
      minNotional,
      seed,
      history,
      trades: [],
      nextTradeId: 1_000_000 + (seed % 9_000_000), // above the synthetic past's trade count, so firstId stays positive
      updateId: 10_000_000 + (seed % 90_000_000),
      lastPrice: price,
      book: undefined,
    };
  }

  private onTick(tick: PriceTick): void {
    let tape = this.tapes.get(tick.symbol);
    const now = this.clock.now();
    if (!tape) {
      const market = this.pending.get(tick.symbol);
      if (!market) return;
      this.pending.delete(tick.symbol);
      tape = this.open(market, tick.price, now);
      this.tapes.set(tick.symbol, tape);
    }
    const price = Number(tick.price);
    const previous = Number(tape.lastPrice);
    const id = tape.nextTradeId++;
    const quantity = this.quantity(tape, price, id);
    const trade: TapeTrade = { id, price: tick.price, quantity, time: now, buyerIsMaker: price < previous };
    tape.lastPrice = tick.price;
    tape.updateId += 1;
    tape.book = undefined;
    tape.trades.push(trade);
    if (tape.trades.length > RECENT_TRADES * 1.5) tape.trades.splice(0, tape.trades.length - RECENT_TRADES);
    tape.history.record(now, price, Number(quantity));
    for (const listener of [...this.listeners]) {
      try {
        listener({ market: tape.market, trade });
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private topOfBook(tape: SymbolTape): TopOfBook {
    const price = new Dec(tape.lastPrice);
    let bid = price.minus(tape.tick);
    if (!bid.greaterThan(0)) bid = tape.tick;
    const ask = Dec.max(price.plus(tape.tick), bid.plus(tape.tick));
    const salt = tape.updateId * 64;
    return {
      updateId: tape.updateId,
      bidPrice: bid.toFixed(),
      bidQty: this.quantity(tape, bid.toNumber(), salt + 62),
      askPrice: ask.toFixed(),
      askQty: this.quantity(tape, ask.toNumber(), salt + 63),
    };
  }

  /** A plausible quantity at `price`: 2 to 200 minimum notionals, on the step, at least one step. */
  private quantity(tape: SymbolTape, price: number, salt: number): string {
    const u = mix32(tape.seed ^ mix32(salt)) / 0x1_0000_0000;
    const notional = tape.minNotional * (2 + 198 * u * u);
    const steps = Math.max(1, Math.floor(notional / price / tape.step.toNumber()));
    return tape.step.times(steps).toFixed();
  }
}
