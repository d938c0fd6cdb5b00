/**
 * A `MarketDataSource` seen as a `PriceFeed`, so the paper exchange (and whatever reads a
 * PriceFeed) can run on a real exchange's public prices: a "dry run" paper account on live data.
 * A tick's price is the quote's price and its time the quote's arrival.
 */
import type { Clock } from '../../application/ports/clock.js';
import type { MarketDataSource, Quote } from '../../application/ports/market-data.js';
import type { PriceFeed, PriceTick } from '../../application/ports/price-feed.js';

export interface MarketDataPriceFeed extends PriceFeed {
  /** stops tracking the quoted symbols (ticks to subscribers stop with their own unsubscribe) */
  close(): void;
}

/**
 * `symbols()` lists `known` (e.g. the paper exchange's markets) followed by every other symbol
 * quoted since. Following symbols stays the caller's business (`source.follow`).
 */
export function priceFeedOf(source: MarketDataSource, clock: Clock, known: readonly string[] = []): MarketDataPriceFeed {
  const symbols = new Set<string>(known);
  const detach = source.onQuote((quote) => {
    symbols.add(quote.symbol);
  });
  const tickOf = (quote: Quote): PriceTick => ({
    symbol: quote.symbol,
    price: quote.price,
    time: new Date(Number.isFinite(quote.receivedAt) ? quote.receivedAt : clock.now()).toISOString(),
  });
  return {
    symbols: () => [...symbols],
    latest: (symbol) => {
      const quote = source.quote(symbol);
      return quote === undefined ? undefined : tickOf(quote);
    },
    subscribe: (listener) => source.onQuote((quote) => listener(tickOf(quote))),
    close: detach,
  };
}
