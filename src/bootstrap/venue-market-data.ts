import { Agent } from 'node:http';
import type { Clock } from '../application/ports/clock.js';
import type { Logger } from '../application/ports/logger.js';
import type { MarketDataSource } from '../application/ports/market-data.js';
import type { VenueSpec } from '../adapters/exchanges/ccxt/venue.js';
import { ccxtConfigFor, hostKeyOf } from '../adapters/exchanges/ccxt/venue.js';
import { ExchangeMarketData } from '../adapters/marketdata/exchange-market-data.js';
import type { ProMarketClient } from '../adapters/marketdata/ccxt-market-shapes.js';
import { restTickersOf } from '../adapters/marketdata/ccxt-market-shapes.js';

type Ctor = new (config: object) => unknown;

/**
 * An exchange's public market data for its accounts' prices: two ccxt pro connections (no keys),
 * REST tickers as the last resort. ccxt is loaded on first use; until then the source holds no quote.
 */
export function openVenueMarketData(spec: VenueSpec, deps: { clock: Clock; log: Logger; timing?: { silenceMs?: number; restPollMs?: number } }): MarketDataSource {
  const venue = hostKeyOf(spec);
  const agent = new Agent({ keepAlive: true }); // ccxt opens plain ws:// URLs (a local sandbox) only with an agent
  let loaded: { pro: Ctor; rest: Ctor } | undefined;
  const config = (): Record<string, unknown> => {
    const base = ccxtConfigFor(spec) as unknown as { options?: Record<string, unknown> } & Record<string, unknown>;
    // enableRateLimit off: ccxt 4.5.84 leaves a throttled subscribe's send unhandled (an unhandled
    // rejection when the socket closes meanwhile); a handful of subscriptions needs no throttle
    return { ...base, enableRateLimit: false, httpAgent: agent, timeout: 10_000, options: { ...(base.options ?? {}), streamLimits: { spot: 1, future: 1, delivery: 1 } } };
  };
  const pending: { follow: [string, readonly string[]][] } = { follow: [] };
  let source: ExchangeMarketData | undefined;
  let closed = false;
  const ready = import('ccxt').then(({ default: ccxt }) => {
    const pro = (ccxt.pro as unknown as Record<string, Ctor>)[spec.exchangeId];
    const rest = (ccxt as unknown as Record<string, Ctor>)[spec.exchangeId];
    if (!pro || !rest) throw new Error(`${spec.exchangeId} has no public market data in ccxt`);
    loaded = { pro, rest };
    if (closed) return;
    const restClient = new rest(config()) as Parameters<typeof restTickersOf>[0];
    source = new ExchangeMarketData({
      venue, clock: deps.clock, logger: deps.log,
      createClient: () => new loaded!.pro(config()) as ProMarketClient,
      restTickers: restTickersOf(restClient),
      ...(deps.timing?.silenceMs !== undefined ? { silenceMs: deps.timing.silenceMs } : {}),
      ...(deps.timing?.restPollMs !== undefined ? { restPollMs: deps.timing.restPollMs } : {}),
    });
    for (const listener of listeners) source.onQuote(listener);
    for (const [owner, symbols] of pending.follow) source.follow(owner, symbols);
    pending.follow = [];
  }).catch((error: unknown) => deps.log.error({ venue, reason: error instanceof Error ? error.message : String(error) }, 'market data cannot start: no prices for this exchange (orders are refused NO_PRICE)'));
  const listeners = new Set<(q: Parameters<Parameters<MarketDataSource['onQuote']>[0]>[0]) => void>();
  return {
    quote: (symbol) => source?.quote(symbol),
    follow: (owner, symbols) => {
      if (source) source.follow(owner, symbols);
      else pending.follow.push([owner, symbols]);
    },
    onQuote: (listener) => {
      listeners.add(listener);
      const off = source?.onQuote(listener);
      return () => {
        listeners.delete(listener);
        off?.();
      };
    },
    status: () => source?.status() ?? { venue, connections: [] },
    close: async () => {
      closed = true;
      await ready;
      await source?.close();
      agent.destroy();
    },
  };
}
