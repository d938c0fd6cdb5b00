/**
 * The synthetic feed (the offline demo's prices) as a `MarketDataSource`: one always-streaming
 * "connection", every quote with source "synthetic". It quotes every symbol of the feed whatever is
 * followed.
 */
import type { Clock } from '../../application/ports/clock.js';
import type { MarketDataSource, MarketDataStatus, Quote } from '../../application/ports/market-data.js';
import type { PriceFeed, PriceTick } from '../../application/ports/price-feed.js';

export interface SyntheticMarketDataOptions {
  readonly feed: PriceFeed;
  /** receivedAt when a tick's time is unreadable */
  readonly clock: Clock;
  /** Called when a listener throws; the others still get the quote. Default: ignore. */
  readonly onListenerError?: (error: unknown) => void;
}

export const SYNTHETIC_SOURCE = 'synthetic';

export class SyntheticMarketData implements MarketDataSource {
  private readonly feed: PriceFeed;
  private readonly clock: Clock;
  private readonly onListenerError: (error: unknown) => void;
  private readonly listeners = new Set<(quote: Quote) => void>();
  private readonly owners = new Map<string, readonly string[]>();
  private readonly detach: () => void;
  private lastMessageAt: number | undefined;
  private closed = false;

  constructor(options: SyntheticMarketDataOptions) {
    this.feed = options.feed;
    this.clock = options.clock;
    this.onListenerError = options.onListenerError ?? (() => undefined);
    this.detach = this.feed.subscribe((tick) => this.emit(this.quoteOf(tick)));
  }

  quote(symbol: string): Quote | undefined {
    const tick = this.feed.latest(symbol);
    return tick === undefined ? undefined : this.quoteOf(tick);
  }

  /** Recorded only: the synthetic feed quotes all its symbols anyway. */
  follow(owner: string, symbols: readonly string[]): void {
    if (symbols.length === 0) this.owners.delete(owner);
    else this.owners.set(owner, [...symbols]);
  }

  onQuote(listener: (quote: Quote) => void): () => void {
    const entry = (quote: Quote): void => listener(quote);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  status(): MarketDataStatus {
    return {
      venue: SYNTHETIC_SOURCE,
      connections: [
        {
          id: SYNTHETIC_SOURCE,
          state: this.closed ? 'down' : 'streaming',
          ...(this.lastMessageAt !== undefined ? { lastMessageAt: this.lastMessageAt } : {}),
        },
      ],
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    this.listeners.clear();
  }

  private quoteOf(tick: PriceTick): Quote {
    const parsed = Date.parse(tick.time);
    const at = Number.isFinite(parsed) ? parsed : this.clock.now();
    return { symbol: tick.symbol, price: tick.price, source: SYNTHETIC_SOURCE, receivedAt: at, exchangeTime: at };
  }

  private emit(quote: Quote): void {
    this.lastMessageAt = quote.receivedAt;
    for (const listener of this.listeners) {
      try {
        listener(quote);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
