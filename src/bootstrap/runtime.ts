import type { FastifyInstance } from 'fastify';
import { applyHeapGrowth } from './heap-growth.js';
import type { Logger as Pino } from 'pino';
import type { EventStore } from '../application/ports/event-store.js';
import type { KeyValueStore } from '../application/ports/key-value.js';
import type { Auth } from '../application/ports/auth.js';
import type { Clock } from '../application/ports/clock.js';
import type { PaperExchange } from '../adapters/exchanges/paper/paper-exchange.js';
import type { CcxtExchangeGateway } from '../adapters/exchanges/ccxt/index.js';
import type { SyntheticPriceFeed } from '../adapters/marketdata/synthetic-price-feed.js';
import { KvAuth, signingKeyFrom } from '../adapters/auth/kv-auth.js';
import { TradingView } from '../application/workflows/trading-state.js';
import type { LeaseKeeper } from '../application/workflows/lease-keeper.js';
import { webhookSecretKey } from '../application/commands/strategies.js';
import type { PatriotConfig } from './config.js';
import { sharedLimits, type SharedLimits } from './shared-limits.js';
import { secureDataDir } from './data-permissions.js';
import { openCore, type Core } from './wiring/core.js';
import { wireMarkets, type Markets } from './wiring/markets.js';
import { wireTrading, type Trading } from './wiring/trading.js';
import { wireReadSide, type ReadSide } from './wiring/read-side.js';
import { wireDuties } from './wiring/duties.js';
import { demoInfo, prepareDemoPassword, seedDemo, seedDemoLogin } from './wiring/demo-seed.js';
import { followAccounts } from './wiring/prices-in-use.js';
import { wireHttp } from './wiring/http.js';
import { wireTelegram } from './wiring/telegram.js';
import { wireAlerts } from './wiring/alerts.js';
import { settleAll } from './wiring/settle.js';

export interface DemoInfo {
  readonly tenantId: string;
  readonly userId: string;
  readonly strategyId: string;
  readonly accountId: string;
  readonly secret: string;
  readonly webhookUrl: string;
  readonly alertMessage: string;
  /** the demo strategy's secret was created by this start (shown then; PATRIOT_BANNER_SECRETS=false writes it to a file instead) */
  readonly secretCreatedNow?: boolean;
  /** the demo login; the password only when this start created it (a configured one is never repeated) */
  readonly login: { readonly username: string; readonly password?: string };
}

export interface PatriotRuntime {
  /** http://host:port the server listens on */
  readonly url: string;
  readonly publicUrl: string;
  readonly demo?: DemoInfo;
  readonly logger: Pino;
  readonly app: FastifyInstance;
  readonly exchange: PaperExchange;
  /** real exchanges (and the sandbox) through ccxt, once loaded (only when an account needs it): breaker and monitor states */
  readonly ccxt: () => CcxtExchangeGateway | undefined;
  readonly feed: SyntheticPriceFeed;
  readonly events: EventStore;
  /** small durable settings (webhook secrets); tests seed strategies through it until the API can */
  readonly kv: KeyValueStore;
  /** logins, tokens, API keys (the CLI and tests create users through it until the API can) */
  readonly auth: Auth;
  /** this node's id, and whether it leads now / which accounts it owns */
  readonly node: { readonly id: string; readonly isLeader: boolean; ownedAccounts(): readonly string[] };
  /** resolves when the read models include everything appended so far */
  settle(): Promise<void>;
  /** takes one portfolio snapshot of every account now (also done every snapshotIntervalMs) */
  snapshotNow(): Promise<number>;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: Clock;
  /** where log lines go (default stdout) */
  readonly logDestination?: NodeJS.WritableStream;
  /** do not start the feed's timer (tests drive prices by hand) */
  readonly manualFeed?: boolean;
  /** the leader takes portfolio snapshots (on its timer and after fills); default: unless manualFeed */
  readonly snapshots?: boolean;
  /** back-off before each look-up of an order in unknown state (tests shorten it) */
  readonly lookupDelaysMs?: readonly number[];
}

export { webhookSecretKey };

/**
 * The one composition root: opens the core (storage, keys), then wires each capability from its
 * own module (wiring/): exchanges and market data, trading, the read side, duties across nodes,
 * the HTTP API; starts the workers and the server.
 */
export async function startPatriot(config: PatriotConfig, options: StartOptions = {}): Promise<PatriotRuntime> {
  applyHeapGrowth(config.heapGrowingPercent);
  // the demo login's bcrypt hash, begun now when it will surely be needed: it runs beside the start
  const demoPassword = prepareDemoPassword(config);
  const core = await openCore(config, options);
  const { clock, kv, log } = core;
  // the folded state and the owned accounts, shared by trading, the exchanges and the read side
  const view = new TradingView();
  const markets = wireMarkets(core, view);
  const auth = new KvAuth({ kv, clock, signingKey: signingKeyFrom(core.keyring.current.key), cacheMs: config.security.authCacheMs });
  await auth.migrate(); // logins made before users could be revoked get their access record
  const trading = wireTrading(core, markets, view, options);
  const alerts = wireAlerts(core, trading.processor);
  const readSide = wireReadSide(core, markets, view, alerts.repeats, options.snapshots ?? !options.manualFeed);
  // catch up with the log, then seed the demo if this is a fresh data directory
  await trading.processor.catchUp();
  const seeded = await seedDemo(core, trading.processor);
  // the demo login is set meanwhile (its hash on a worker thread); the port opens once it is
  const demoLogin = seedDemoLogin(core, trading.processor, auth, demoPassword);
  demoLogin.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const stopFollowing = await followAccounts(core, markets, view);
  await trading.processor.run();
  const telegram = wireTelegram(core, { readSide, view, processor: trading.processor, auth });
  const keeper = wireDuties(core, markets, trading, readSide, view, [telegram.service]);
  await readSide.processors.start();
  await keeper.start();

  let ready = false;
  const publicUrlFor = (port: number) => config.publicUrl ?? `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
  let publicUrl = publicUrlFor(config.port);
  // issue 22: budgets and failed logins counted across nodes
  const limits = sharedLimits(core.storage.budgetLedger, log);
  const app = await wireHttp(core, { markets, readSide, view, processor: trading.processor, auth, alerts, limits, isReady: () => ready, publicUrl: () => publicUrl, telegram: telegram.admin });
  const seed = { ...seeded, ...(await demoLogin) };
  // the port held while waiting for the database is handed over to the real server
  await app.listen({ host: config.host, port: core.handOver ? await core.handOver() : config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  publicUrl = publicUrlFor(port);
  secureDataDir(config.dataDir); // the stores' files are all there now (-wal, -shm)
  if (!options.manualFeed) core.feed.start();
  ready = true;

  const demo = await demoInfo(trading.processor, alerts.secrets, seed, publicUrl);
  log.info({ url, publicUrl, dataDir: config.dataDir, storage: core.storage.kind, nodeId: config.nodeId, leader: keeper.isLeader, accountsOwned: keeper.ownedAccounts().length, strategies: view.current.allStrategies().length }, 'PATRIOT listening');
  const close = closer(core, markets, trading, readSide, keeper, app, limits, telegram.service, () => {
    ready = false;
    stopFollowing();
  });
  return {
    url, publicUrl, ...(demo ? { demo } : {}), logger: core.logger, app, exchange: markets.exchanges.paper, ccxt: markets.exchanges.ccxt, feed: core.feed, events: core.events, kv, auth,
    node: {
      id: config.nodeId,
      get isLeader() {
        return keeper.isLeader;
      },
      ownedAccounts: () => keeper.ownedAccounts(),
    },
    settle: () => settleAll(core, markets, trading, readSide),
    snapshotNow: () => readSide.snapshotter.snapshotNow(),
    close,
  };
}


/** Stops everything in order (the API first, the storage last); idempotent. */
function closer(core: Core, markets: Markets, trading: Trading, readSide: ReadSide, keeper: LeaseKeeper, app: FastifyInstance, limits: SharedLimits, telegram: { stop(): Promise<void> }, stopping: () => void): () => Promise<void> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    stopping();
    core.health.stop();
    core.feed.stop();
    await app.close();
    await limits.close();
    readSide.live.close();
    await keeper.stop();
    await telegram.stop();
    await readSide.snapshotter.stop();
    await trading.stop();
    await readSide.stop();
    markets.marketLists.close();
    await markets.prices.close();
    await markets.exchanges.close();
    await core.storage.close();
  };
}
