import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';
import type { EventStore } from '../application/ports/event-store.js';
import type { KeyValueStore } from '../application/ports/key-value.js';
import type { Auth } from '../application/ports/auth.js';
import { openStorage } from './storage.js';
import { openStorageWaiting } from './wait-for-database.js';
import { SyntheticPriceFeed } from '../adapters/marketdata/synthetic-price-feed.js';
import type { PaperExchange } from '../adapters/exchanges/paper/paper-exchange.js';
import { PAPER_MARKETS, PAPER_START_PRICES } from '../adapters/exchanges/paper/markets.js';
import { openExchanges } from './exchanges.js';
import { checkMasterKey, loadKeyring } from './master-key.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { KvAlertRepeats } from '../adapters/kv/kv-alert-repeats.js';
import { createSigningKey, removeSigningKey, setSigningRequired, signingOf, signingStatus, webhookSigningKey, type SigningDeps } from '../application/commands/webhook-signing.js';
import { parseSigning } from '../application/ingest/alert-signature.js';
import { SealedCredentialVault } from '../adapters/credentials/sealed-vault.js';
import { FileCredentialSource, noCredentials } from '../adapters/credentials/file-credential-source.js';
import type { CredentialSource } from '../application/ports/credentials.js';
import { removeAccountCredentials, setAccountCredentials } from '../application/commands/credentials.js';
import type { CcxtExchangeGateway } from '../adapters/exchanges/ccxt/index.js';
import { RandomIds, systemClock } from '../adapters/system/system-clock.js';
import { ingestAlert } from '../application/ingest/ingest-alert.js';
import { ProjectionRunner } from '../application/projections/projection-runner.js';
import { PortfolioSnapshotter, projectionPortfolioSource } from '../application/workflows/portfolio-snapshotter.js';
import { ReadQueries } from '../application/queries/read-queries.js';
import { SignalProcessor } from '../application/workflows/signal-processor.js';
import { OrderExecutor } from '../application/workflows/order-executor.js';
import { KeyedMutex } from '../application/shared/keyed-mutex.js';
import { LeaseKeeper } from '../application/workflows/lease-keeper.js';
import { AccountReconciler } from '../application/workflows/account-reconciler.js';
import { setKillSwitch } from '../application/commands/kill-switch.js';
import { configureStrategy, openAccount, registerUser } from '../application/commands/configure.js';
import type { Clock } from '../application/ports/clock.js';
import { tradingViewAlertMessage } from '../domain/signals/alert-template.js';
import { parseDec } from '../domain/shared/decimal.js';
import { ExchangeMarketLists } from '../adapters/exchanges/markets/exchange-market-lists.js';
import { AccountPriceHub } from '../adapters/marketdata/account-price-hub.js';
import { accountMarketData, liveFeed } from './account-market-data.js';
import { buildHttpApp } from '../http/app.js';
import type { PatriotConfig } from './config.js';
import { asLogger, createLogger } from './logger.js';
import { PatriotMetrics, timedAppends } from './metrics.js';
import { StoreHealth } from './store-health.js';
import { DEMO_LOGIN, DEMO_STRATEGY, DEMO_TENANT, DEMO_USER, demoAccount, demoUser, demoStrategy, newDemoPassword, newWebhookSecret } from './demo.js';
import { KvAuth, signingKeyFrom } from '../adapters/auth/kv-auth.js';
import { principalOf } from '../http/auth-hook.js';
import { LiveUpdates } from '../application/live/live-updates.js';
import { createStrategy, openExchangeAccount, rotateWebhookSecret, updateStrategy, webhookSecretKey, webhookSecretOf, type ConfigurationDeps } from '../application/commands/strategies.js';
// issue 15: private data directory, sealed webhook secrets, revocable users
import { secureDataDir } from './data-permissions.js';
import { sealWebhookSecrets, sealingWebhookSecrets } from '../adapters/credentials/sealed-webhook-secrets.js';
import { userAdministration } from './user-administration.js';
// issue 22: budgets and failed logins counted across nodes
import { sharedLimits } from './shared-limits.js';

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
  /** back-off before each look-up of an order in unknown state (tests shorten it) */
  readonly lookupDelaysMs?: readonly number[];
}

export { webhookSecretKey };

/** The one composition root: chooses the adapters, wires the application, starts the workers and the HTTP server. */
export async function startPatriot(config: PatriotConfig, options: StartOptions = {}): Promise<PatriotRuntime> {
  const clock = options.clock ?? systemClock;
  const logger = createLogger(config.logLevel, options.logDestination);
  const log = asLogger(logger);
  const metrics = new PatriotMetrics();
  const ids = new RandomIds(clock);
  const streamMutex = new KeyedMutex();
  const unsecured = secureDataDir(config.dataDir); // 0700, its files 0600
  if (unsecured.length > 0) log.warn({ paths: unsecured }, 'could not make these data files private to this user: fix their owner or mode');

  // PostgreSQL not reachable yet: wait for it (GET /health 200, /ready 503 meanwhile on the port)
  const { storage, handOver } = await openStorageWaiting(config, () => openStorage(config, (e) => log.error({ err: String(e) }, 'event listener failed'), {
    onLogLost: (error) => log.error({ file: error.path, reason: error.message }, 'the event log file was deleted or replaced under the running server: alerts are refused, /ready answers 503'),
  }), log);
  const { kv: storedKv, readModels } = storage;
  // whether an alert can be recorded now (/ready): every append reports to it, and the store is probed
  const health = new StoreHealth({ probe: () => storage.probe(), log });
  health.start();
  const events = health.watch(timedAppends(storage.events, metrics));
  const feed = new SyntheticPriceFeed({ clock, seed: config.feed.seed, markets: PAPER_MARKETS, startPrices: PAPER_START_PRICES, intervalMs: config.feed.intervalMs });
  // exchange credentials: sealed in the vault (set through the API), else the operator's file
  const keyring = loadKeyring(config, (path) => log.warn({ path }, 'generated a master key beside the data; set PATRIOT_MASTER_KEY to keep it elsewhere (required with several nodes)'));
  try {
    await checkMasterKey(storedKv, keyring);
    await sealWebhookSecrets(storedKv, keyring); // secrets stored in plain text by an earlier version
  } catch (error) {
    health.stop();
    await storage.close();
    throw error;
  }
  // webhook secrets are sealed under the master key on their way into the store
  const kv = sealingWebhookSecrets(storedKv, keyring);
  const vault = new SealedCredentialVault(kv, keyring);
  const fileCredentials = config.credentialsFile ? new FileCredentialSource(config.credentialsFile) : noCredentials;
  const credentialSource: CredentialSource = {
    credentialsFor: async (accountId) => {
      const tenantId = processor.state.account(accountId)?.tenantId;
      return (tenantId !== undefined ? await vault.reveal(tenantId, accountId) : undefined) ?? fileCredentials.credentialsFor(accountId);
    },
  };
  const exchanges = openExchanges(config, { feed, clock, log, credentials: credentialSource, priceOf: (accountId, symbol) => accountPrice(accountId, symbol)?.price });
  // each account trades its own exchange's reality: its market list and its prices
  const marketLists = new ExchangeMarketLists({ sourceOf: (account) => exchanges.marketListSource(account), kv, clock, log, refreshMs: config.marketData.marketsRefreshMs });
  const prices = new AccountPriceHub({ venueOf: (account) => exchanges.priceVenue(account), clock, log });
  const accountPrice = (accountId: string, symbol: string) => {
    const account = processor.state.account(accountId);
    return account ? prices.quote(account, symbol) : undefined;
  };
  const auth = new KvAuth({ kv, clock, signingKey: signingKeyFrom(keyring.current.key), cacheMs: config.security.authCacheMs });
  await auth.migrate(); // logins made before users could be revoked get their access record
  const exchange = exchanges.paper;
  const gateway = exchanges.gateway;

  const nodeId = config.nodeId;
  // the processor is built after the executor, which asks it who owns an account
  let processor: SignalProcessor;
  let keeper: LeaseKeeper | undefined;
  const executor = new OrderExecutor({
    store: events, exchange: gateway, clock, log, streamMutex,
    ...(options.lookupDelaysMs ? { lookupDelaysMs: options.lookupDelaysMs } : {}),
    retryWithinMs: config.orderRetryWithinMs,
    owns: (accountId) => processor.ownsAccount(accountId),
    openOrderCap: (accountId) => exchanges.openOrderCap(processor.state.account(accountId)),
    absenceGraceMs: (accountId) => exchanges.visibilityMs(processor.state.account(accountId)),
    markPrice: (symbol, accountId) => parseDec(accountPrice(accountId, symbol)?.price),
    onPlacing: (intent) => metrics.orderLeaving(intent.signalId),
    onOutcome: (intent, outcome) => {
      if (config.killAfterRefusal && outcome.kind === 'rejected') {
        log.warn({ clientOrderId: intent.clientOrderId }, 'fault injection: killed after the exchange refused an order, before recording it');
        process.kill(process.pid, 'SIGKILL');
      }
      metrics.orders.inc({ outcome: outcome.kind });
      if (outcome.kind === 'accepted') return;
      const exchange = processor.state.account(intent.accountId)?.exchange ?? 'unknown';
      metrics.exchangeErrors.inc({ exchange, kind: outcome.kind, code: outcome.kind === 'rejected' || outcome.kind === 'not_placed' ? outcome.code : 'unknown' });
    },
  });
  gateway.onOrderUpdate((update) => void executor.onExchangeUpdate(update.order, update.accountId));

  processor = new SignalProcessor({
    store: events, clock, log, markets: marketLists, prices,
    maxPriceAgeMs: config.marketData.maxPriceAgeMs, priceWaitMs: config.marketData.priceWaitMs,
    onAccountOpened: (accountId) => {
      const account = processor.state.account(accountId);
      if (account) {
        exchanges.register(account);
        void marketLists.register(account);
      }
      keeper?.nudge();
    },
    onCredentialsChanged: (accountId) => {
      void exchanges.credentialsChanged(accountId, processor.ownsAccount(accountId)).catch((error: unknown) => log.warn({ accountId, reason: String(error) }, 'restarting the exchange client failed'));
    },
    submit: (intent) => executor.submit(intent),
    reconcile: (clientOrderId, accountId) => executor.reconcile(clientOrderId, accountId),
    adoptParked: (clientOrderId, accountId) => executor.adoptParked(clientOrderId, accountId),
    onProcessed: (signalId, decision) => {
      if (!decision.orders.some((o) => o.event.type === 'OrderApproved')) metrics.signalDone(signalId);
    },
  });
  const reconciler = new AccountReconciler({
    store: events, exchange: gateway, clock, log, state: () => processor.state,
    lookUp: (clientOrderId, accountId) => executor.reconcile(clientOrderId, accountId),
    tenantOf: (accountId) => processor.state.account(accountId)?.tenantId,
    adoptsBalances: (accountId) => (processor.state.account(accountId)?.exchange ?? 'paper') !== 'paper',
  });
  // a real account's balances are read from its exchange periodically too (deposits, withdrawals, trades made elsewhere)
  const balancesTimer = setInterval(() => {
    for (const account of processor.state.allAccounts()) {
      if (account.exchange === 'paper' || !processor.ownsAccount(account.accountId)) continue;
      void executor
        .accountIdle(account.accountId)
        .then(() => (processor.ownsAccount(account.accountId) ? reconciler.reconcile(account.accountId, 'periodic') : undefined))
        .catch((error: unknown) => log.warn({ accountId: account.accountId, reason: String(error) }, 'reading the account from its exchange failed; tried again later'));
    }
  }, config.marketData.balancesRefreshMs);
  balancesTimer.unref();
  // after a fill stream comes back, compare the account with its exchange: what the socket missed shows up
  const streamStates = new Map<string, string>();
  exchanges.onStreamStateChange((accountId, state) => {
    const before = streamStates.get(accountId);
    streamStates.set(accountId, state);
    if (state !== 'streaming' || before !== 'polling' || !processor.ownsAccount(accountId)) return;
    void executor
      .accountIdle(accountId)
      .then(() => reconciler.reconcile(accountId, 'reconnect'))
      .catch((error: unknown) => log.warn({ accountId, reason: String(error) }, 'comparing the account with its exchange after a reconnect failed'));
  });
  const projections = new ProjectionRunner(events, readModels, {
    onError: (e) => log.error({ err: String(e) }, 'projection failed'),
    onLag: (lag) => metrics.projectionLag.set(lag),
  });

  // Catch up with the log, then seed the demo if this is a fresh data directory.
  await processor.catchUp();
  const commandDeps = { store: events, mutex: streamMutex, clock };
  let demoSecretCreated = false;
  if (config.demo && !processor.state.strategy(DEMO_STRATEGY)) {
    await registerUser(commandDeps, demoUser, 'demo'); // refused harmlessly when the user exists
    if (!processor.state.account(demoAccount.accountId)) await openAccount(commandDeps, demoAccount, 'demo');
    const generated = newWebhookSecret();
    demoSecretCreated = (await kv.setIfAbsent(webhookSecretKey(DEMO_STRATEGY), generated)) === generated; // two nodes seeding at once agree on one secret
    await processor.catchUp();
    await configureStrategy(commandDeps, demoStrategy, (id) => processor.state.account(id)?.tenantId, 'demo');
    await processor.catchUp();
  }
  // the demo login: created once with a random password (printed then, and only then), or set from
  // PATRIOT_DEMO_PASSWORD (never printed: the operator knows it, and a log is no place for it)
  let demoPassword: string | undefined;
  if (config.demo && processor.state.strategy(DEMO_STRATEGY)) {
    const demoLogin = { userId: demoUser.userId, tenantId: demoUser.tenantId, role: demoUser.role };
    if (config.demoPassword !== undefined) await auth.setLogin(DEMO_LOGIN, demoLogin, config.demoPassword);
    else if (!(await auth.hasLogin(DEMO_LOGIN, demoLogin.tenantId))) {
      demoPassword = newDemoPassword();
      await auth.setLogin(DEMO_LOGIN, demoLogin, demoPassword);
    }
  }
  for (const account of processor.state.allAccounts()) {
    exchanges.register(account);
    await marketLists.register(account); // the kept list at once; a fresh one is loaded in the background
  }
  marketLists.start();
  // prices follow what is in use: positions, open orders and mapped symbols of every account (routing and dashboards add theirs)
  const followInUse = (): void => {
    for (const account of processor.state.allAccounts()) {
      try {
        prices.follow('in-use', account, processor.state.symbolsInUse(account.accountId));
      } catch (error) {
        log.warn({ accountId: account.accountId, reason: String(error) }, 'following the prices of an account failed');
      }
    }
  };
  followInUse();
  const followTimer = setInterval(followInUse, 5000);
  followTimer.unref();
  // Webhook secrets, read on first use and kept briefly: a strategy configured or a secret rotated through another node is read from the store
  const secrets = new WebhookSecrets(kv, () => clock.now());
  const secretOf = (strategyId: string): string | undefined | Promise<string | undefined> => secrets.lookup(strategyId);

  const snapshotter = new PortfolioSnapshotter({
    source: projectionPortfolioSource(readModels, () => [...new Set(processor.state.allAccounts().map((a) => a.tenantId))]),
    mark: (accountId, symbol) => accountPrice(accountId, symbol)?.price, clock, store: storage.snapshots, logger: log, intervalMs: config.snapshotIntervalMs,
  });
  await processor.run();
  // Duties: the leader routes, projects and takes snapshots; each account's orders go out from the node owning it.
  keeper = new LeaseKeeper({
    leases: storage.leases, log, nodeId,
    accounts: () => processor.state.allAccounts().map((a) => a.accountId),
    onLeadership: async (leading) => {
      if (leading) {
        await projections.start();
        if (!options.manualFeed) snapshotter.start();
        await processor.setRouting(true);
      } else {
        await processor.setRouting(false);
        await snapshotter.stop();
        await projections.stop();
      }
    },
    onAccountTaken: async (accountId) => {
      executor.accountTaken(accountId);
      exchanges.taken(processor.state.account(accountId));
      await processor.takeAccount(accountId);
      // once its live orders are looked up, compare the account with its exchange (not awaited: slow exchanges must not hold the lease round)
      void executor
        .accountIdle(accountId)
        .then(() => (processor.ownsAccount(accountId) ? reconciler.reconcile(accountId, 'takeover') : undefined))
        .catch((error: unknown) => log.warn({ accountId, reason: String(error) }, 'comparing the account with its exchange failed'));
    },
    onAccountDropped: (accountId) => {
      processor.dropAccount(accountId);
      executor.accountDropped(accountId);
      void exchanges.dropped(accountId).catch((error: unknown) => log.warn({ accountId, reason: String(error) }, 'stopping the account\'s exchange client failed'));
    },
    accountIdle: (accountId) => executor.accountIdle(accountId),
    intervalMs: config.leaseIntervalMs,
  });
  metrics.trackDuties(keeper);
  metrics.trackOrders(() => processor.state.liveOrderCounts());
  await keeper.start();

  let ready = false;
  const publicUrlFor = (port: number) => config.publicUrl ?? `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
  let publicUrl = publicUrlFor(config.port);
  const alertRepeats = new KvAlertRepeats(kv); // repeats of alerts are counted beside the log, not appended per repeat
  const queries = new ReadQueries(readModels, events, (accountId, symbol) => {
    const quote = accountPrice(accountId, symbol);
    return quote ? { price: quote.price, source: quote.source, ageMs: quote.ageMs, stale: quote.ageMs > config.marketData.maxPriceAgeMs } : undefined;
  }, alertRepeats);
  const configurationDeps: ConfigurationDeps = {
    ...commandDeps, kv, ids, newSecret: newWebhookSecret, catalog: processor.catalog, markets: marketLists,
    catchUp: () => processor.catchUp(),
    onSecret: (strategyId, secret) => secrets.remember(strategyId, secret),
  };
  const live = new LiveUpdates({
    events, feed: liveFeed(feed, prices), clock, waitForProjection: (position) => projections.waitFor(position), heartbeatMs: config.streams.heartbeatMs,
    onError: (e) => log.warn({ err: String(e) }, 'live updates failed'),
  });
  // a strategy this node has not folded yet (created a moment ago, perhaps on another node) is looked for in the log first
  // signing keys for signed alerts (sealed like the secrets), cached with their absence: most strategies have none
  const signingKeys = new WebhookSecrets(kv, () => clock.now(), 2_000, webhookSigningKey, true);
  const signingDeps: SigningDeps = {
    kv, clock, catalog: processor.catalog, catchUp: () => processor.catchUp(), newSigningKey: () => randomBytes(32).toString('hex'),
    onSigning: (strategyId, signing) => (signing ? signingKeys.remember(strategyId, JSON.stringify(signing)) : signingKeys.forget(strategyId)),
  };
  const signingOfStrategy = (strategyId: string) => {
    const raw = signingKeys.lookup(strategyId);
    return raw instanceof Promise ? raw.then(parseSigning) : parseSigning(raw);
  };
  const ingestDeps = {
    store: events, catalog: processor.catalog, clock, ids, secretOf, catchUp: () => processor.catchUp(), repeats: alertRepeats,
    freshSecretOf: (strategyId: string) => secrets.reload(strategyId),
    signingOf: signingOfStrategy, freshSigningOf: (strategyId: string) => signingKeys.reload(strategyId).then(parseSigning),
  };
  const limits = sharedLimits(storage.budgetLedger, log);
  const app = await buildHttpApp({
    logger,
    limits,
    ingest: async (request, admit) => {
      const logFile = storage.healthy();
      if (!logFile.ok) throw new Error(logFile.reason ?? 'the event log cannot record'); // answered 503, never acknowledged
      const outcome = await ingestAlert(admit ? { ...ingestDeps, admit } : ingestDeps, request);
      metrics.alerts.inc({ outcome: outcome.kind === 'refused' ? outcome.code : outcome.kind });
      return outcome;
    },
    onAlertAccepted: (signalId, receivedAtNs) => metrics.alertAccepted(signalId, receivedAtNs),
    queries,
    feed,
    marketData: accountMarketData({
      account: (tenantId, accountId) => {
        const account = processor.state.account(accountId);
        return account?.tenantId === tenantId ? account : undefined;
      },
      accounts: (tenantId) => processor.state.allAccounts().filter((a) => a.tenantId === tenantId),
      catchUp: () => processor.catchUp(), // issue 22: an account opened a moment ago on another node
      markets: marketLists, prices, maxPriceAgeMs: config.marketData.maxPriceAgeMs, priceWaitMs: Math.min(config.marketData.priceWaitMs, 1000),
    }),
    setKillSwitch: (tenantId, target, engaged, reason) => setKillSwitch(commandDeps, tenantId, target, engaged, reason),
    waitForProjection: (position) => projections.waitFor(position),
    equityCurve: (tenantId, accountId, from, to, limit) => storage.snapshots.equityCurve({ tenantId, accountId, from, to, limit }),
    isReady: () => ready,
    storeUnavailable: () => {
      const logFile = storage.healthy();
      return logFile.ok ? health.unavailable : (logFile.reason ?? 'the event log file is gone');
    },
    metrics: metrics.registry,
    credentials: {
      set: async (tenantId, accountId, credentials) => {
        // issue 22: an account opened a moment ago on another node is folded first (its key is checked, never waved through)
        if (!processor.state.account(accountId)) await processor.catchUp();
        const account = processor.state.account(accountId);
        if (account) {
          let canWithdraw: boolean | undefined;
          try {
            canWithdraw = await exchanges.withdrawalsEnabled(account, credentials);
          } catch (error) {
            return { refused: { code: 'EXCHANGE_REFUSED_KEY', message: error instanceof Error ? error.message : 'the exchange refused this API key' } };
          }
          if (canWithdraw === true) {
            return { refused: { code: 'WITHDRAWAL_ENABLED_KEY', message: 'the exchange reports that this API key can withdraw funds: create a key with trading permission only' } };
          }
        }
        return setAccountCredentials({ store: events, vault, clock }, tenantId, accountId, credentials);
      },
      hint: (tenantId, accountId) => vault.hint(tenantId, accountId),
      remove: (tenantId, accountId) => removeAccountCredentials({ store: events, vault, clock }, tenantId, accountId),
    },
    connectionOf: (accountId, exchange) => exchanges.connection(accountId, exchange, processor.ownsAccount(accountId)),
    get publicUrl() {
      return publicUrl;
    },
    auth,
    users: userAdministration({ ...commandDeps, auth }),
    security: config.security,
    streamCursorKey: signingKeyFrom(keyring.current.key),
    createUser: async (tenantId, user) => {
      if (await auth.hasLogin(user.username, tenantId)) return { ok: false, error: { code: 'USERNAME_TAKEN', message: `the username ${user.username} is taken` } };
      const userId = `usr_${randomBytes(6).toString('hex')}`;
      const registered = await registerUser(commandDeps, { userId, tenantId, name: user.name, role: user.role }, 'api:users');
      if (!registered.ok) return registered;
      await auth.setLogin(user.username, { userId, tenantId, role: user.role }, user.password);
      return { ok: true, value: { userId, lastPosition: await events.headPosition() } };
    },
    configuration: {
      createStrategy: (tenantId, input) => createStrategy(configurationDeps, tenantId, input),
      updateStrategy: (tenantId, strategyId, input) => updateStrategy(configurationDeps, tenantId, strategyId, input),
      rotateSecret: (tenantId, strategyId) => rotateWebhookSecret(configurationDeps, tenantId, strategyId),
      secretOf: (tenantId, strategyId) => webhookSecretOf(configurationDeps, tenantId, strategyId),
      openAccount: (tenantId, input) => openExchangeAccount(configurationDeps, tenantId, input),
      signing: {
        status: (tenantId, strategyId) => signingStatus(signingDeps, tenantId, strategyId),
        create: (tenantId, strategyId, required) => createSigningKey(signingDeps, tenantId, strategyId, required),
        setRequired: (tenantId, strategyId, required) => setSigningRequired(signingDeps, tenantId, strategyId, required),
        remove: (tenantId, strategyId) => removeSigningKey(signingDeps, tenantId, strategyId),
        of: (tenantId, strategyId) => signingOf(signingDeps, tenantId, strategyId),
      },
    },
    dashboardDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    live,
    streamLimits: config.streams,
    rateLimits: config.rateLimits,
    corsOrigins: config.corsOrigins,
    tenantOf: (request) => principalOf(request).tenantId,
    userOf: (request) => principalOf(request).userId,
  });
  // the port held while waiting for the database is handed over to the real server
  await app.listen({ host: config.host, port: handOver ? await handOver() : config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  publicUrl = publicUrlFor(port);
  secureDataDir(config.dataDir); // the stores' files are all there now (-wal, -shm)
  if (!options.manualFeed) feed.start();
  ready = true;

  const demoSecret = processor.state.strategy(DEMO_STRATEGY) ? await secrets.lookup(DEMO_STRATEGY) : undefined;
  const demo: DemoInfo | undefined = demoSecret === undefined ? undefined : {
    tenantId: DEMO_TENANT, userId: DEMO_USER, strategyId: DEMO_STRATEGY, accountId: demoAccount.accountId, secret: demoSecret,
    webhookUrl: `${publicUrl}/webhook/${DEMO_STRATEGY}`, alertMessage: tradingViewAlertMessage({ secret: demoSecret, mode: 'strategy' }), secretCreatedNow: demoSecretCreated,
    login: { username: DEMO_LOGIN, ...(demoPassword !== undefined ? { password: demoPassword } : {}) },
  };
  logger.info({ url, publicUrl, dataDir: config.dataDir, storage: storage.kind, nodeId, leader: keeper.isLeader, accountsOwned: keeper.ownedAccounts().length, strategies: processor.state.allStrategies().length }, 'PATRIOT listening');

  let closed = false;
  return {
    url, publicUrl, ...(demo ? { demo } : {}), logger, app, exchange, ccxt: exchanges.ccxt, feed, events, kv, auth,
    node: {
      id: nodeId,
      get isLeader() {
        return keeper?.isLeader ?? false;
      },
      ownedAccounts: () => keeper?.ownedAccounts() ?? [],
    },
    settle: async () => {
      // until a whole round changes nothing: route, let the exchange commit and publish, record, project
      for (let head = -1; ; ) {
        await processor.pump();
        await exchange.settle();
        await new Promise((resolve) => setImmediate(resolve));
        await executor.idle();
        const now = await events.headPosition();
        await projections.waitFor(now);
        if (now === head) return;
        head = now;
      }
    },
    snapshotNow: () => snapshotter.snapshotNow(),
    close: async () => {
      if (closed) return;
      closed = true;
      ready = false;
      health.stop();
      feed.stop();
      await app.close();
      await limits.close();
      live.close();
      await keeper?.stop();
      await snapshotter.stop();
      await processor.stop();
      await executor.stop();
      await projections.stop();
      clearInterval(followTimer);
      clearInterval(balancesTimer);
      marketLists.close();
      await prices.close();
      await exchanges.close();
      await storage.close();
    },
  };
}
