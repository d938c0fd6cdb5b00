import type { PriceFeed } from '../../../application/ports/price-feed.js';
import { Dec, parseDec } from '../../../domain/shared/decimal.js';
import type { SymbolTable } from './symbols.js';

/** A price the sandbox was told to show. */
export interface PriceSet {
  /** unified symbol */
  readonly symbol: string;
  /** decimal string, on the tick */
  readonly price: string;
}

interface SettableFeed extends PriceFeed {
  setPrice(symbol: string, price: string): { readonly price: string };
}

/**
 * Forces prices on the sandbox's feed (a SyntheticPriceFeed or any feed with setPrice): set to a
 * price, or move by a percentage. The feed emits the tick synchronously, so the trade, the book,
 * the tickers on every stream and REST follow at once, and resting orders fill against it.
 * Symbols are unified ("BTC/USDT") or Binance ids ("BTCUSDT"); errors are RangeErrors.
 */
export class PriceControl {
  constructor(
    private readonly feed: PriceFeed,
    private readonly symbols: SymbolTable,
  ) {}

  get supported(): boolean {
    return typeof (this.feed as Partial<SettableFeed>).setPrice === 'function';
  }

  set(symbol: string, price: string | number): PriceSet {
    const market = this.market(symbol);
    const value = parseDec(typeof price === 'number' ? String(price) : price);
    if (!value || !value.isFinite() || !value.greaterThan(0)) throw new RangeError('price must be a positive decimal');
    return this.apply(market.symbol, value);
  }

  /** Moves the price by `pct` percent (e.g. 40 or -40); at least one tick. */
  move(symbol: string, pct: number): PriceSet {
    const market = this.market(symbol);
    if (typeof pct !== 'number' || !Number.isFinite(pct) || pct <= -100) throw new RangeError('movePct must be a number above -100');
    const latest = this.feed.latest(market.symbol)?.price;
    if (latest === undefined) throw new RangeError(`${market.symbol} has no price yet`);
    return this.apply(market.symbol, new Dec(latest).times(new Dec(100).plus(pct)).dividedBy(100));
  }

  private apply(symbol: string, value: Dec): PriceSet {
    if (!this.supported) throw new RangeError('this sandbox feed does not take forced prices');
    const tick = (this.feed as SettableFeed).setPrice(symbol, value.toFixed());
    return { symbol, price: tick.price };
  }

  private market(symbol: string) {
    const market = typeof symbol === 'string' ? this.symbols.find(symbol) : undefined;
    if (!market) throw new RangeError('symbol must be a listed market');
    return market;
  }
}
