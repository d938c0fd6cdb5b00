import type { Clock } from '../../application/ports/clock.js';
import type { MarketDataSource, MarketDataStatus, Quote } from '../../application/ports/market-data.js';
import type { PriceFeed } from '../../application/ports/price-feed.js';

/**
 * The paper exchange's own price feed as a market-data source. The feed is the market the paper
 * exchange fills at, so its latest price is current by definition: each quote is dated now.
 */
export class PriceFeedSource implements MarketDataSource {
  constructor(
    private readonly feed: PriceFeed,
    private readonly clock: Clock,
    private readonly source = 'synthetic',
  ) {}

  quote(symbol: string): Quote | undefined {
    const tick = this.feed.latest(symbol);
    if (!tick) return undefined;
    const exchangeTime = Date.parse(tick.time);
    return { symbol, price: tick.price, source: this.source, receivedAt: this.clock.now(), ...(Number.isFinite(exchangeTime) ? { exchangeTime } : {}) };
  }

  follow(): void {
    // the feed produces every listed symbol anyway
  }

  onQuote(listener: (quote: Quote) => void): () => void {
    return this.feed.subscribe((tick) => {
      const exchangeTime = Date.parse(tick.time);
      listener({ symbol: tick.symbol, price: tick.price, source: this.source, receivedAt: this.clock.now(), ...(Number.isFinite(exchangeTime) ? { exchangeTime } : {}) });
    });
  }

  status(): MarketDataStatus {
    return { venue: this.source, connections: [{ id: 'feed', state: 'streaming', lastMessageAt: this.clock.now() }] };
  }

  async close(): Promise<void> {}
}
