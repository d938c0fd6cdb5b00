import type { Clock } from '../application/ports/clock.js';
import type { Logger } from '../application/ports/logger.js';
import type { MarketDataSource, MarketDataStatus } from '../application/ports/market-data.js';
import type { VenueSpec } from '../adapters/exchanges/ccxt/venue.js';
import { hostKeyOf } from '../adapters/exchanges/ccxt/venue.js';

/**
 * An exchange's public market data for its accounts' prices.
 * TEMPORARY until the dual-WebSocket service lands: answers no price, so every decision that
 * needs one is refused (NO_PRICE) and nothing is sized on a price from elsewhere.
 */
export function openVenueMarketData(spec: VenueSpec, deps: { clock: Clock; log: Logger }): MarketDataSource {
  void deps;
  const venue = hostKeyOf(spec);
  return {
    quote: () => undefined,
    follow: () => undefined,
    onQuote: () => () => undefined,
    status: (): MarketDataStatus => ({ venue, connections: [] }),
    close: async () => undefined,
  };
}
