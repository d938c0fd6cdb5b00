import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../../application/ports/clock.js';
import type { Market } from '../../../application/ports/exchange.js';
import type { PriceFeed } from '../../../application/ports/price-feed.js';
import { SyntheticPriceFeed } from '../../marketdata/synthetic-price-feed.js';
import { systemClock } from '../../system/system-clock.js';
import { PAPER_MARKETS } from '../paper/markets.js';
import { PaperExchange } from '../paper/paper-exchange.js';
import { ADMIN_PREFIX, AdminRoutes, type SetPrice } from './admin-routes.js';
import { ApiKeyRegistry, type SandboxApiAccount } from './api-accounts.js';
import { ApiRequestHandler, readBody } from './api-server.js';
import { binanceCcxtUrls, type BinanceCcxtUrls } from './ccxt-urls.js';
import { HiddenOrders } from './hidden-orders.js';
import { ListenKeys } from './listen-keys.js';
import { marketRoutes } from './market-routes.js';
import { OrderIndex } from './order-index.js';
import { orderRoutes } from './order-routes.js';
import { queryRoutes } from './query-routes.js';
import type { SpotApiDeps } from './routes.js';
import { SandboxFaults } from './sandbox-faults.js';
import { streamRoutes } from './stream-routes.js';
import { SymbolTable } from './symbols.js';
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
  /** Default: PAPER_MARKETS. */
  readonly markets?: readonly Market[];
  /** Token of the /sandbox/* admin endpoints; without one they answer 404. */
  readonly adminToken?: string;
  /** Paper exchange tuning (defaults: taker 10 bps, maker 2 bps, slippage 5 bps, partial fills on, seed 1). */
  readonly takerFeeBps?: number;
  readonly makerFeeBps?: number;
  readonly slippageBps?: number;
  readonly partialFills?: boolean;
  readonly seed?: number;
}

/**
 * A Binance-compatible spot exchange on loopback: the paper exchange behind Binance's REST API
 * (api/v3), its WebSocket API user-data stream and listenKey streams, with fault injection.
 * Point an unmodified ccxt `binance` / `pro.binance` at it with `urls: { api: sandbox.ccxtUrls() }`.
 */
export class BinanceSandbox {
  /** e.g. http://127.0.0.1:9100 */
  readonly httpUrl: string;
  /** Base of the stream endpoints (listenKey streams at `${wsUrl}/<listenKey>`), e.g. ws://127.0.0.1:9100/ws */
  readonly wsUrl: string;
  /** The WebSocket API, e.g. ws://127.0.0.1:9100/ws-api/v3 */
  readonly wsApiUrl: string;

  private closing: Promise<void> | undefined;

  private constructor(
    readonly exchange: PaperExchange,
    readonly faults: SandboxFaults,
    readonly feed: PriceFeed,
    private readonly server: Server,
    private readonly userData: UserDataServer,
    private readonly hub: UserDataHub,
    private readonly index: OrderIndex,
    private readonly ownsFeed: SyntheticPriceFeed | undefined,
  ) {
    const address = server.address() as AddressInfo;
    const host = urlHost(address.address);
    this.httpUrl = `http://${host}:${address.port}`;
    this.wsUrl = `ws://${host}:${address.port}${WS_STREAM_PATH}`;
    this.wsApiUrl = `ws://${host}:${address.port}${WS_API_PATH}`;
  }

  static async start(options: BinanceSandboxOptions): Promise<BinanceSandbox> {
    const clock = options.clock ?? systemClock;
    const markets = options.markets ?? PAPER_MARKETS;
    const registry = new ApiKeyRegistry(options.accounts);
    const ownsFeed = options.feed ? undefined : new SyntheticPriceFeed({ clock, markets });
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
    });
    const index = new OrderIndex(path);
    try {
      for (const account of options.accounts) exchange.openAccount(account.accountId, account.balances ?? []);
      // orders that trade without passing through the API (placed on `exchange` directly) get indexed too
      exchange.onOrderUpdate(({ accountId, order, fill }) => {
        if (fill) index.record(accountId, Number(order.exchangeOrderId), order.clientOrderId, order.symbol, Date.parse(fill.time));
      });
      const symbols = new SymbolTable(markets);
      const hub = new UserDataHub(exchange, index, symbols, clock);
      const listenKeys = new ListenKeys(clock);
      const userData = new UserDataServer(hub, registry, listenKeys, clock);
      const faults = new SandboxFaults(clock, () => userData.terminateAll(), () => userData.silenceAll());
      const deps: SpotApiDeps = {
        withdrawalsEnabled: (apiKey) => registry.lookup(apiKey)?.enableWithdrawals === true,
        exchange,
        feed,
        clock,
        symbols,
        index,
        hidden: new HiddenOrders(),
        faults,
        hub,
        listenKeys,
        commission: { makerBps, takerBps },
      };
      const api = new ApiRequestHandler([...marketRoutes(deps), ...queryRoutes(deps), ...orderRoutes(deps), ...streamRoutes(deps)], registry, faults, clock);
      const admin = new AdminRoutes(options.adminToken, faults, symbols, priceSetter(feed));
      const server = createServer((req, res) => void dispatch(req, res, api, admin));
      server.on('upgrade', (req, socket, head) => userData.handleUpgrade(req, socket, head));
      await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
      return new BinanceSandbox(exchange, faults, feed, server, userData, hub, index, ownsFeed);
    } catch (error) {
      exchange.close();
      index.close();
      throw error;
    }
  }

  /** The `urls.api` override for ccxt's binance / pro.binance: every endpoint on this sandbox. */
  ccxtUrls(): BinanceCcxtUrls {
    return binanceCcxtUrls(this.httpUrl, this.wsUrl.slice(0, -WS_STREAM_PATH.length));
  }

  /** Stops listening, cuts every connection (hung ones included), then closes the exchange. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.ownsFeed?.stop();
      await this.userData.close();
      this.hub.close();
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
      this.exchange.close();
      this.index.close();
    })();
    return this.closing;
  }
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
    if (url.pathname.startsWith(ADMIN_PREFIX)) admin.handle(req, res, url.pathname, body);
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

function priceSetter(feed: PriceFeed): SetPrice | undefined {
  const candidate = feed as PriceFeed & { setPrice?: (symbol: string, price: string) => unknown };
  return typeof candidate.setPrice === 'function' ? (symbol, price) => void candidate.setPrice!(symbol, price) : undefined;
}
