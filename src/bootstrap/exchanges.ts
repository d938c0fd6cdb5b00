import { Agent } from 'node:http';
import { join } from 'node:path';
import type { Logger } from '../application/ports/logger.js';
import type { Clock } from '../application/ports/clock.js';
import type { ExchangeGateway } from '../application/ports/exchange.js';
import type { CredentialSource } from '../application/ports/credentials.js';
import type { AccountConfig } from '../domain/accounts/account.js';
import { PaperExchange } from '../adapters/exchanges/paper/paper-exchange.js';
import { PAPER_MARKETS } from '../adapters/exchanges/paper/markets.js';
import { AccountRoutedExchange } from '../adapters/exchanges/account-router.js';
import type { CcxtExchangeGateway, CcxtGatewayOptions, MonitorState } from '../adapters/exchanges/ccxt/index.js';
import { LazyCcxtGateway } from './lazy-ccxt.js';
import type { FuturesSettingsSource } from '../adapters/exchanges/ccxt/futures-setup.js';
import type { AccountConnection } from '../http/deps.js';
import { binanceCcxtUrls } from '../adapters/exchanges/sandbox/ccxt-urls.js';
import type { SyntheticPriceFeed } from '../adapters/marketdata/synthetic-price-feed.js';
import type { PriceFeed } from '../application/ports/price-feed.js';
import type { MarketDataSource } from '../application/ports/market-data.js';
import { priceFeedOf } from '../adapters/marketdata/price-feed-of.js';
import type { PatriotConfig } from './config.js';
import type { MarketListSource } from '../adapters/exchanges/markets/exchange-market-lists.js';
import type { PriceVenue } from '../adapters/marketdata/account-price-hub.js';
import { PriceFeedSource } from '../adapters/marketdata/price-feed-source.js';
import { ccxtConfigFor, hostKeyOf, venueKeyOf, type VenueSpec } from '../adapters/exchanges/ccxt/venue.js';
import { openVenueMarketData } from './venue-market-data.js';
import { ccxtKeyPermissions } from '../adapters/exchanges/ccxt/key-permissions.js';
import type { KeyPermissions } from '../application/commands/credentials.js';

/** Open-order caps of the exchanges we know (Binance: 200 per symbol; we count per account to stay below it). */
const OPEN_ORDER_CAPS: Readonly<Record<string, number>> = { binance: 200, bybit: 500, okx: 500 };

export interface Exchanges {
  /** the built-in simulator */
  readonly paper: PaperExchange;
  /** real exchanges (and the sandbox) through ccxt, once loaded (only when an account needs it) */
  readonly ccxt: () => CcxtExchangeGateway | undefined;
  /** a fill stream changed state (connected, polling, ...) */
  onStreamStateChange(listener: (accountId: string, state: MonitorState) => void): () => void;
  /** every account's calls to its own exchange */
  readonly gateway: ExchangeGateway;
  /** makes an account usable on its exchange (idempotent); safe for any account */
  register(account: AccountConfig): void;
  /** this node owns the account now / no longer */
  taken(account: AccountConfig | undefined): void;
  dropped(accountId: string): Promise<void>;
  /** the account's credentials changed: its exchange client (holding the old ones) is dropped and, if owned here, restarted */
  credentialsChanged(accountId: string, ownedHere: boolean): Promise<void>;
  /** how long an order may stay invisible to look-ups on the account's exchange */
  visibilityMs(account: AccountConfig | undefined): number;
  openOrderCap(account: AccountConfig | undefined): number | undefined;
  /** what the account's exchange says an API key may do (the credentials command refuses keys that can withdraw) */
  readonly keys: KeyPermissions;
  /** where an account's market list comes from: the paper exchange's own, or its exchange's (loaded through ccxt) */
  marketListSource(account: AccountConfig): MarketListSource;
  /** where an account's prices come from: the paper exchange's feed, or its exchange's public market data */
  priceVenue(account: AccountConfig): PriceVenue;
  /** what the user sees of an account's exchange connection */
  connection(accountId: string, exchange: string, ownedHere: boolean): AccountConnection;
  close(): Promise<void>;
}

const STREAM: Readonly<Record<MonitorState, AccountConnection['stream']>> = { starting: 'connecting', streaming: 'connected', polling: 'reconnecting', stopped: 'stopped' };

/** ccxt `urls.api` overrides from PATRIOT_EXCHANGE_URLS (e.g. the sandbox for binance). */
function urlsFor(exchangeId: string, bases: Readonly<Record<string, string>>): Record<string, unknown> | undefined {
  const base = bases[exchangeId];
  if (base === undefined) return undefined;
  const http = base.replace(/\/+$/, '');
  switch (exchangeId) {
    case 'binance':
      return { ...binanceCcxtUrls(http, http.replace(/^http/, 'ws')) };
    default:
      return undefined; // refused when the configuration is loaded
  }
}

interface ExchangesDeps {
  readonly feed: SyntheticPriceFeed;
  readonly clock: Clock;
  readonly log: Logger;
  readonly credentials: CredentialSource;
  readonly priceOf: (accountId: string, symbol: string) => string | undefined;
  /** a swap account's leverage and margin mode for a symbol, set on the exchange before its orders */
  readonly futuresSettingsOf?: FuturesSettingsSource;
}

export function openExchanges(config: PatriotConfig, deps: ExchangesDeps): Exchanges {
  const { feed, clock, log } = deps;
  // paper accounts fill and are priced at the synthetic feed, or at a real exchange's live public prices (a dry run)
  const live = config.paperPrices !== undefined ? livePaperPrices(config, deps) : undefined;
  const paperFeed: PriceFeed = live?.feed ?? feed;
  const paper = new PaperExchange({
    path: join(config.dataDir, 'paper-exchange.db'), feed: paperFeed, clock, markets: PAPER_MARKETS, seed: config.feed.seed,
    takerFeeBps: config.paper.takerFeeBps, makerFeeBps: config.paper.makerFeeBps, slippageBps: config.paper.slippageBps,
    onListenerError: (e) => log.error({ err: String(e) }, 'exchange update listener failed'),
  });
  const ccxtGateway = lazyCcxtGateway(config, deps);
  const kinds = new Map<string, string>();
  const venueSpecOf = (account: AccountConfig): VenueSpec => {
    const urls = urlsFor(account.exchange, config.exchangeUrls);
    return { exchangeId: account.exchange, marketType: account.marketType ?? 'spot', ...(urls ? { urls } : {}) };
  };
  const paperMarkets: MarketListSource = { kind: 'fixed', name: 'the paper exchange', markets: PAPER_MARKETS };
  const paperPrices: PriceVenue = live?.venue ?? { key: 'synthetic', open: () => new PriceFeedSource(feed, clock) };
  const gateway = new AccountRoutedExchange([paper, ccxtGateway], (accountId) => {
    const exchange = kinds.get(accountId);
    if (exchange === undefined) throw new Error(`account ${accountId} is not set up on any exchange`);
    return exchange === 'paper' ? paper : ccxtGateway;
  });
  return {
    paper, gateway,
    ccxt: () => ccxtGateway.loaded,
    marketListSource: (account) => (account.exchange === 'paper' ? paperMarkets : venueMarketList(venueSpecOf(account))),
    priceVenue: (account) => {
      if (account.exchange === 'paper') return paperPrices;
      const spec = venueSpecOf(account);
      return { key: hostKeyOf(spec), open: () => openVenueMarketData(spec, { clock, log }) };
    },
    onStreamStateChange: (listener) => ccxtGateway.onMonitorStateChange(listener),
    register: (account) => {
      if (kinds.has(account.accountId)) return;
      if (account.exchange === 'paper') {
        paper.openAccount(account.accountId, account.initialBalances);
        kinds.set(account.accountId, 'paper');
        return;
      }
      kinds.set(account.accountId, account.exchange);
      ccxtGateway
        .register({ accountId: account.accountId, ...venueSpecOf(account) })
        .then((g) => g.loadMarkets(account.accountId).catch((error: unknown) => log.warn({ accountId: account.accountId, reason: String(error) }, 'loading the exchange markets failed; retried on first use')))
        .catch((error: unknown) => log.error({ accountId: account.accountId, exchange: account.exchange, reason: String(error) }, 'account cannot trade: its exchange is not supported'));
    },
    taken: (account) => {
      if (!account || account.exchange === 'paper' || !kinds.has(account.accountId)) return;
      void ccxtGateway
        .ready(account.accountId)
        .then((g) => g.startMonitoring(account.accountId))
        .catch(() => undefined); // already reported by register()
    },
    dropped: async (accountId) => {
      const g = ccxtGateway.loaded;
      if (kinds.get(accountId) === 'paper' || !kinds.has(accountId) || !g) return;
      await g.stopMonitoring(accountId);
      g.forget(accountId); // its credentials leave memory with the client
    },
    keys: ccxtKeyPermissions({ log, urlsFor: (exchangeId) => urlsFor(exchangeId, config.exchangeUrls) }),
    credentialsChanged: async (accountId, ownedHere) => {
      const g = ccxtGateway.loaded;
      if (!g || kinds.get(accountId) === 'paper' || !kinds.has(accountId)) return;
      await g.stopMonitoring(accountId);
      g.forget(accountId);
      if (ownedHere) g.startMonitoring(accountId);
    },
    visibilityMs: (account) => (account === undefined || account.exchange === 'paper' ? 0 : config.exchangeVisibilityMs),
    openOrderCap: (account) => (account === undefined ? undefined : account.exchange === 'paper' ? config.paper.maxOpenOrders : OPEN_ORDER_CAPS[account.exchange]),
    connection: (accountId, exchange, ownedHere) => connectionOf(ccxtGateway, kinds, accountId, exchange, ownedHere),
    close: async () => {
      await ccxtGateway.close();
      await paper.close();
      await live?.close();
    },
  };
}

/** Real exchanges (and the sandbox) through ccxt, loaded on first use (only when an account needs it). */
function lazyCcxtGateway(config: PatriotConfig, deps: ExchangesDeps): LazyCcxtGateway {
  const { log } = deps;
  const source = deps.credentials;
  const options: Omit<CcxtGatewayOptions, 'createProExchange'> = {
    credentials: async (accountId) => {
      const found = await source.credentialsFor(accountId);
      if (!found) throw new Error(`no exchange credentials configured for account ${accountId}`);
      return found;
    },
    log,
    // each account at most 10 requests in a burst, 5 a second on average, within its host's IP budget
    accountRateLimit: { capacity: 10, refillPerSecond: 5 },
    // the executor decides when "not found" is proof (its window also covers restarts and take-overs)
    notFoundGraceMs: 0,
    breaker: { coolDownMs: config.breakerCoolDownMs },
    monitor: { auditIntervalMs: config.fillStreamAuditMs },
    referencePrice: (symbol, accountId) => deps.priceOf(accountId, symbol),
    ...(deps.futuresSettingsOf ? { futuresSettings: deps.futuresSettingsOf } : {}),
  };
  return new LazyCcxtGateway(async () => {
    const [{ default: ccxt }, { CcxtExchangeGateway }] = await Promise.all([import('ccxt'), import('../adapters/exchanges/ccxt/index.js')]);
    return new CcxtExchangeGateway({
      ...options,
      // ccxt pro needs an agent to open plain ws:// connections (a local sandbox)
      createProExchange: (id, ccxtConfig) => new (ccxt.pro as unknown as Record<string, new (c: object) => never>)[id]!({ ...ccxtConfig, httpAgent: new Agent({ keepAlive: true }) }),
    });
  });
}

/** What the user sees of an account's exchange connection: its fill stream (on the owning node) and its host's circuit breaker. */
function connectionOf(ccxtGateway: LazyCcxtGateway, kinds: ReadonlyMap<string, string>, accountId: string, exchange: string, ownedHere: boolean): AccountConnection {
  const owner = ownedHere ? 'this_node' : 'another_node';
  if (exchange === 'paper') return { accountId, exchange, owner, stream: 'connected', circuit: 'closed' };
  const g = ccxtGateway.loaded;
  const breaker = g && kinds.has(accountId) ? g.breakerStates().find((b) => b.key === g.hostOf(accountId)) : undefined;
  const monitor = g && ownedHere ? g.monitorState(accountId) : undefined;
  const disabled = g && ownedHere ? g.disabledReason(accountId) : undefined;
  return {
    accountId, exchange, owner,
    stream: monitor === undefined ? 'unknown' : STREAM[monitor],
    circuit: breaker?.state ?? 'closed',
    ...(breaker?.state === 'open' && breaker.probeAt !== undefined ? { circuitRetryAt: new Date(breaker.probeAt).toISOString() } : {}),
    ...(disabled !== undefined ? { disabledReason: disabled } : {}),
  };
}

/** An exchange's market list, loaded through ccxt's public API. */
function venueMarketList(spec: VenueSpec): MarketListSource {
  return {
    kind: 'venue', key: venueKeyOf(spec), name: spec.exchangeId,
    load: async () => {
      const [{ default: ccxt }, { loadMarketList }] = await Promise.all([import('ccxt'), import('../adapters/exchanges/ccxt/market-list.js')]);
      const Exchange = (ccxt as unknown as Record<string, new (c: object) => never>)[spec.exchangeId];
      if (!Exchange) throw new Error(`${spec.exchangeId} is not an exchange ccxt supports`);
      const client = new Exchange({ ...ccxtConfigFor(spec), timeout: 15_000 });
      try {
        return await loadMarketList(spec, client);
      } finally {
        // one client per load: its sockets go with it
        await (client as { close?: () => Promise<unknown> }).close?.().catch(() => undefined);
      }
    },
  };
}

/** The live public prices of PATRIOT_PAPER_PRICES's exchange, for paper accounts: one source, owned here. */
function livePaperPrices(config: PatriotConfig, deps: { clock: Clock; log: Logger }): { feed: PriceFeed; venue: PriceVenue; close: () => Promise<void> } {
  const exchangeId = config.paperPrices!;
  const urls = urlsFor(exchangeId, config.exchangeUrls);
  const spec: VenueSpec = { exchangeId, marketType: 'spot', ...(urls ? { urls } : {}) };
  const source = openVenueMarketData(spec, deps);
  source.follow('paper-exchange', PAPER_MARKETS.map((m) => m.symbol));
  const feed = priceFeedOf(source, deps.clock, PAPER_MARKETS.map((m) => m.symbol));
  // the hub shares the source; closing it stays with the exchanges
  const shared: MarketDataSource = { quote: (s) => source.quote(s), follow: (o, s) => source.follow(o, s), onQuote: (l) => source.onQuote(l), status: () => source.status(), close: async () => undefined };
  let closed = false;
  deps.log.info({ exchange: exchangeId }, 'paper accounts trade at live public prices of this exchange (a dry run)');
  return {
    feed, venue: { key: `paper@${hostKeyOf(spec)}`, open: () => shared },
    close: async () => {
      if (closed) return;
      closed = true;
      feed.close();
      await source.close();
    },
  };
}
