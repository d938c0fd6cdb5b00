import type { AccountMarkets } from '../../application/ports/account-markets.js';
import type { AccountPrices } from '../../application/ports/account-prices.js';
import type { Clock } from '../../application/ports/clock.js';
import type { Market } from '../../application/ports/exchange.js';
import type { PriceFeed } from '../../application/ports/price-feed.js';
import { silentLogger } from '../../application/ports/logger.js';
import { PAPER_MARKETS } from '../../adapters/exchanges/paper/markets.js';
import { ExchangeMarketLists } from '../../adapters/exchanges/markets/exchange-market-lists.js';
import { AccountPriceHub } from '../../adapters/marketdata/account-price-hub.js';
import { PriceFeedSource } from '../../adapters/marketdata/price-feed-source.js';
import { MemoryKeyValueStore } from './memory-kv.js';

/** Every account lists these markets (the paper exchange's by default). */
export function fixedMarkets(markets: readonly Market[] = PAPER_MARKETS, clock: Clock = { now: () => Date.now() }): AccountMarkets {
  return new ExchangeMarketLists({ sourceOf: () => ({ kind: 'fixed', name: 'the paper exchange', markets }), kv: new MemoryKeyValueStore(), clock, log: silentLogger });
}

/** Every account's prices come from this feed. */
export function feedPrices(feed: PriceFeed, clock: Clock): AccountPrices {
  return new AccountPriceHub({ venueOf: () => ({ key: 'synthetic', open: () => new PriceFeedSource(feed, clock) }), clock, log: silentLogger });
}
