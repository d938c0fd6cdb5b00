import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../../application/ports/clock.js';
import type { Market } from '../../../application/ports/exchange.js';
import type { PriceFeed } from '../../../application/ports/price-feed.js';
import { SyntheticPriceFeed } from '../../marketdata/synthetic-price-feed.js';
import { systemClock } from '../../system/system-clock.js';
import { PAPER_START_PRICES } from '../paper/markets.js';
import { SANDBOX_HALTED_SYMBOLS, SANDBOX_MARKETS, SANDBOX_START_PRICES } from '../paper/sandbox-markets.js';
import { PaperExchange } from '../paper/paper-exchange.js';
import { ADMIN_PREFIX, AdminRoutes } from './admin-routes.js';
import { ApiKeyRegistry, type SandboxApiAccount } from './api-accounts.js';
import { ApiRequestHandler, readBody } from './api-server.js';
import { binanceCcxtUrls, type BinanceCcxtUrls } from './ccxt-urls.js';
import { FuturesBook } from './futures-book.js';
import { futuresRoutes } from './futures-routes.js';
import { HiddenOrders } from './hidden-orders.js';
import { ListenKeys } from './listen-keys.js';
import { marketRoutes } from './market-routes.js';
import { MarketStreamServer, type MarketStreamConnection } from './market-stream-server.js';
import { MarketTape } from './market-tape.js';
import { OrderIndex } from './order-index.js';
import { orderListRoutes } from './order-list-routes.js';
import { orderRoutes } from './order-routes.js';
import { queryRoutes } from './query-routes.js';
import type { SpotApiDeps } from './routes.js';
import { PlacementLog, type PlacementStats } from './placement-log.js';
import { PriceControl, type PriceSet } from './price-control.js';
import { SandboxFaults, type MarketFaultTarget } from './sandbox-faults.js';
import { streamRoutes } from './stream-routes.js';
import { SymbolTable, type SymbolStatus } from './symbols.js';
import { UserDataHub } from './user-data-hub.js';
import { UserDataServer, WS_API_PATH, WS_STREAM_PATH } from './user-data-server.js';

export interface BinanceSandboxOptions {
  /** API keys and their paper accounts (created with their balances on first start). */
  readonly accounts: readonly SandboxApiAccount[];
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
  /** The sandbox's SQLite file, or ':memory:' (default). */
  readonly path?: string;
  /** Default: a SyntheticPriceFeed over the markets (not started: prices move by setPrice or start()). */
  readonly feed?: PriceFeed;
  /** Default: the system clock. Timestamps, recvWindow, fault durations and bans follow it. */
  readonly clock?: Clock;
  /** Default: SANDBOX_MARKETS (60+ spot markets; pass PAPER_MARKETS for the paper exchange's three). */
  readonly markets?: readonly Market[];
  /** Symbols listed with status BREAK (orders refused). Default: SANDBOX_HALTED_SYMBOLS with the default markets, else none. */
  readonly haltedSymbols?: readonly string[];
  /** Token of the /sandbox/* admin endpoints; without one they answer 404. */
  readonly adminToken?: string;
  /** Paper exchange tuning (defaults: taker 10 bps, maker 2 bps, slippage 5 bps, partial fills on, seed 1). */
  readonly takerFeeBps?: number;
  readonly makerFeeBps?: number;
  readonly slippageBps?: number;
  readonly partialFills?: boolean;
  readonly seed?: number;
  /** USDⓈ-M futures (/fapi): each account's USDT wallet (default: its spot USDT balance), the highest leverage per symbol. */
  readonly futuresWallets?: Readonly<Record<string, string>>;
  readonly futuresMaxLeverage?: Readonly<Record<string, number>>;
  /** How often state streams (tickers, book, klines, depth) are re-sent without a price change (ms; 0: never). Default 1000. */
  readonly tickerRefreshMs?: number;
}

/**
 * A Binance-compatible spot exchange on loopback: the paper exchange behind Binance's REST API
 * (api/v3), its WebSocket API user-data stream and listenKey streams, with fault injection.
 * Point an unmodified ccxt `binance` / `pro.binance` at it with `urls: { api: sandbox.ccxtUrls() }`.
 */
export class BinanceSandbox {
  /** e.g. http://127.0.0.1:9100 */
  readonly httpUrl: string;
  /** Base of the stream endpoints (listenKey streams at `${wsUrl}/<listenKey>`, market streams at `${wsUrl}/<anything>`), e.g. ws://127.0.0.1:9100/ws */
  readonly wsUrl: string;
  /** The WebSocket API, e.g. ws://127.0.0.1:9100/ws-api/v3 */
  readonly wsApiUrl: string;
  readonly exchange: PaperExchange;
  readonly faults: SandboxFaults;
  readonly feed: PriceFeed;
  /** Public market activity: the trade printed on each feed tick, the book, candles, 24h statistics. */
  readonly tape: MarketTape;
  /** The USDⓈ-M futures accounts behind /fapi: wallets, positions, leverage and margin type per symbol. */
  readonly futures: FuturesBook;

  private closing: Promise<void> | undefined;

  private constructor(private readonly parts: Parts) {
    const address = parts.server.address() as AddressInfo;
    const host = urlHost(address.address);
    this.httpUrl = `http://${host}:${address.port}`;
    this.wsUrl = `ws://${host}:${address.port}${WS_STREAM_PATH}`;
    this.wsApiUrl = `ws://${host}:${address.port}${WS_API_PATH}`;
    this.exchange = parts.exchange;
    this.faults = parts.faults;
    this.feed = parts.feed;
    this.tape = parts.tape;
    this.futures = parts.futures;
  }

  static async start(options: BinanceSandboxOptions): Promise<BinanceSandbox> {
    const clock = options.clock ?? systemClock;
    const markets = options.markets ?? SANDBOX_MARKETS;
    const halted = options.haltedSymbols ?? (options.markets ? [] : SANDBOX_HALTED_SYMBOLS);
    const registry = new ApiKeyRegistry(options.accounts);
    const ownsFeed = options.feed ? undefined : new SyntheticPriceFeed({ clock, markets, startPrices: { ...PAPER_START_PRICES, ...SANDBOX_START_PRICES } });
    const feed = options.feed ?? ownsFeed!;
    const path = options.path ?? ':memory:';
    const makerBps = options.makerFeeBps ?? 2;
    const takerBps = options.takerFeeBps ?? 10;
    const exchange = new PaperExchange({
      path,
      feed,
      clock,
      markets,
      makerFeeBps: makerBps,
      takerFeeBps: takerBps,
      ...(options.slippageBps !== undefined ? { slippageBps: options.slippageBps } : {}),
      ...(options.partialFills !== undefined ? { partialFills: options.partialFills } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      // as Binance spot: a resting stop holds its base (or quote) like a limit order; OCO lists hold it once
      holdsConditionalFunds: true,
    });
    const index = new OrderIndex(path);
    let tape: MarketTape | undefined;
    let streams: MarketStreamServer | undefined;
    try {
      for (const account of options.accounts) exchange.openAccount(account.accountId, account.balances ?? []);
      // orders that trade without passing through the API (placed on `exchange` directly) get indexed too
      exchange.onOrderUpdate(({ accountId, order, fill }) => {
        if (fill) index.record(accountId, Number(order.exchangeOrderId), order.clientOrderId, order.symbol, Date.parse(fill.time));
      });
      const symbols = new SymbolTable(markets, halted);
      tape = new MarketTape(feed, markets, clock);
      const prices = new PriceControl(feed, symbols);
      const placements = new PlacementLog();
      const hub = new UserDataHub(exchange, index, symbols, clock);
      const listenKeys = new ListenKeys(clock);
      const userData = new UserDataServer(hub, registry, listenKeys, clock);
      const marketTarget: MarketFaultTarget = {
        select: (choice) => streams!.select(choice),
        drop: (choice) => streams!.drop(choice),
        jump: (symbol, pct) => void prices.move(symbol, pct),
      };
      const faults = new SandboxFaults(clock, () => userData.terminateAll(), marketTarget, () => userData.silenceAll());
      const openStreams = new MarketStreamServer(tape, symbols, clock, () => faults.silencedNow(), options.tickerRefreshMs ?? 1000);
      streams = openStreams;
      const deps: SpotApiDeps = {
        withdrawalsEnabled: (apiKey) => registry.lookup(apiKey)?.enableWithdrawals === true,
        exchange,
        feed,
        tape,
        clock,
        symbols,
        index,
        hidden: new HiddenOrders(),
        faults,
        hub,
        listenKeys,
        commission: { makerBps, takerBps },
      };
      const futures = new FuturesBook({ priceOf: (symbol) => feed.latest(symbol)?.price, takerBps: 4, makerBps: 2, ...(options.futuresMaxLeverage ? { maxLeverage: options.futuresMaxLeverage } : {}) });
      for (const account of options.accounts) {
        const spotUsdt = account.balances?.find((b) => b.asset === 'USDT')?.amount ?? '0';
        futures.openAccount(account.accountId, options.futuresWallets?.[account.accountId] ?? spotUsdt);
      }
      const unfollow = feed.subscribe((tick) => futures.onPrice(tick.symbol, tick.price, clock.now()));
      const routes = [...marketRoutes(deps), ...queryRoutes(deps), ...orderRoutes(deps), ...orderListRoutes(deps), ...streamRoutes(deps), ...futuresRoutes({ book: futures, symbols })];
      const api = new ApiRequestHandler(routes, registry, faults, clock, placements);
      const admin = new AdminRoutes(options.adminToken, faults, symbols, prices, { placements, marketStreams: () => openStreams.list() });
      const server = createServer((req, res) => void dispatch(req, res, api, admin));
      server.on('upgrade', (req, socket, head) => upgrade(req, socket, head, userData, openStreams));
      await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
      return new BinanceSandbox({ exchange, faults, feed, tape, server, userData, streams: openStreams, hub, index, ownsFeed, prices, placements, symbols, futures, unfollow });
    } catch (error) {
      await streams?.close();
      tape?.close();
      exchange.close();
      index.close();
      throw error;
    }
  }

  /** The `urls.api` override for ccxt's binance / pro.binance: every endpoint on this sandbox. */
  ccxtUrls(): BinanceCcxtUrls {
    return binanceCcxtUrls(this.httpUrl, this.wsUrl.slice(0, -WS_STREAM_PATH.length));
  }

  /** Sets a listed symbol's price now (unified "BTC/USDT" or "BTCUSDT"); streams, REST and fills follow at once. */
  setPrice(symbol: string, price: string | number): PriceSet {
    return this.parts.prices.set(symbol, price);
  }

  /** Moves a listed symbol's price by `pct` percent now (e.g. 40 or -40). */
  movePrice(symbol: string, pct: number): PriceSet {
    return this.parts.prices.move(symbol, pct);
  }

  /** Halts (BREAK / HALT: orders refused with -1013 "Market is closed.") or resumes (TRADING) a symbol. */
  setSymbolStatus(symbol: string, status: SymbolStatus): void {
    const market = this.parts.symbols.find(symbol);
    if (!market) throw new RangeError(`${symbol} is not listed`);
    this.parts.symbols.setStatus(market, status);
  }

  /** What became of the placement requests carrying this clientOrderId. */
  placements(clientOrderId: string): PlacementStats {
    return this.parts.placements.stats(clientOrderId);
  }

  /** Placement counts of every clientOrderId seen since the start. */
  placementStats(): Record<string, PlacementStats> {
    return this.parts.placements.all();
  }

  /** The open market-data WebSocket connections (their ordinals are what faults select). */
  marketStreams(): readonly MarketStreamConnection[] {
    return this.parts.streams.list();
  }

  /** Stops listening, cuts every connection (hung ones included), then closes the exchange. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const { parts } = this;
      parts.ownsFeed?.stop();
      parts.unfollow();
      await parts.userData.close();
      await parts.streams.close();
      parts.tape.close();
      parts.hub.close();
      await new Promise<void>((resolve) => {
        parts.server.close(() => resolve());
        parts.server.closeAllConnections();
      });
      parts.exchange.close();
      parts.index.close();
    })();
    return this.closing;
  }
}

interface Parts {
  readonly exchange: PaperExchange;
  readonly faults: SandboxFaults;
  readonly feed: PriceFeed;
  readonly tape: MarketTape;
  readonly server: Server;
  readonly userData: UserDataServer;
  readonly streams: MarketStreamServer;
  readonly hub: UserDataHub;
  readonly index: OrderIndex;
  readonly ownsFeed: SyntheticPriceFeed | undefined;
  readonly prices: PriceControl;
  readonly placements: PlacementLog;
  readonly symbols: SymbolTable;
  readonly futures: FuturesBook;
  readonly unfollow: () => void;
}

/** WebSocket upgrades: the WebSocket API and listenKey streams first, then public market streams. */
function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, userData: UserDataServer, streams: MarketStreamServer): void {
  if (userData.handleUpgrade(req, socket, head)) return;
  const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
  if (MarketStreamServer.accepts(path)) return streams.handleUpgrade(req, socket, head);
  socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

async function dispatch(req: IncomingMessage, res: ServerResponse, api: ApiRequestHandler, admin: AdminRoutes): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : '';
    const body = await readBody(req);
    if (body === undefined) {
      res.writeHead(413).end();
      return;
    }
    if (url.pathname.startsWith(ADMIN_PREFIX)) admin.handle(req, res, url.pathname, body, url.searchParams);
    else await api.handle(req, res, url.pathname, rawQuery, body);
  } catch {
    if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Loopback for wildcard binds; brackets for IPv6. */
function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}
