import { setFuturesSettings } from '../../application/commands/futures-settings.js';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Auth } from '../../application/ports/auth.js';
import type { TradingView } from '../../application/workflows/trading-state.js';
import type { SignalProcessor } from '../../application/workflows/signal-processor.js';
import { ingestAlert } from '../../application/ingest/ingest-alert.js';
import { setKillSwitch } from '../../application/commands/kill-switch.js';
import { closePosition } from '../../application/commands/close-position.js';
import { placeOrder } from '../../application/commands/place-order.js';
import { controlStrategy } from '../../application/commands/strategy-control.js';
import { decToString } from '../../domain/shared/decimal.js';
import { requestAccountCancels, requestOrderCancel, type CancelDeps } from '../../application/commands/cancel-orders.js';
import { removeAccountCredentials, setCheckedAccountCredentials } from '../../application/commands/credentials.js';
import { createUser } from '../../application/commands/create-user.js';
import { createStrategy, openExchangeAccount, rotateWebhookSecret, updateStrategy, webhookSecretOf, type ConfigurationDeps } from '../../application/commands/strategies.js';
import { signingKeyFrom } from '../../adapters/auth/kv-auth.js';
import { buildHttpApp } from '../../http/app.js';
import type { HttpDeps } from '../../http/deps.js';
import { principalOf } from '../../http/auth-hook.js';
import { accountMarketData } from '../account-market-data.js';
import { newWebhookSecret } from '../demo.js';
import { userAdministration } from '../user-administration.js';
import { replayService } from '../replay/replay-service.js';
import type { SharedLimits } from '../shared-limits.js';
import type { Alerts } from './alerts.js';
import type { Core } from './core.js';
import type { Markets } from './markets.js';
import type { ReadSide } from './read-side.js';

/** What the HTTP layer is built from, besides the core. */
export interface HttpWiring {
  readonly markets: Markets;
  readonly readSide: ReadSide;
  readonly view: TradingView;
  readonly processor: SignalProcessor;
  readonly auth: Auth;
  readonly alerts: Alerts;
  readonly limits: SharedLimits;
  readonly isReady: () => boolean;
  readonly publicUrl: () => string;
  /** Telegram's settings (issue 19) */
  readonly telegram: HttpDeps['telegram'];
}

/** The API and the dashboard, each capability's part of the HTTP dependencies wired from its own ports. */
export function wireHttp(core: Core, w: HttpWiring): Promise<FastifyInstance> {
  const { config } = core;
  return buildHttpApp({
    logger: core.logger,
    limits: w.limits,
    ...ingestPart(core, w),
    ...readPart(core, w),
    ...accountsPart(core, w),
    ...usersPart(core, w),
    configuration: configurationPart(core, w),
    positions: positionsPart(core, w),
    placeOrder: (tenantId, request) => placeOrder({ store: core.events, catalog: w.processor.catalog, clock: core.clock, ids: core.ids, catchUp: () => w.processor.catchUp() }, tenantId, request),
    strategyControl: strategyControlCommand(core, w),
    outboundWebhooks: w.readSide.outbound.admin,
    telegram: w.telegram,
    isReady: w.isReady,
    storeUnavailable: () => {
      const logFile = core.storage.healthy();
      return logFile.ok ? core.health.unavailable : (logFile.reason ?? 'the event log file is gone');
    },
    metrics: core.metrics.registry,
    get publicUrl() {
      return w.publicUrl();
    },
    security: config.security,
    streamCursorKey: signingKeyFrom(core.keyring.current.key),
    dashboardDir: fileURLToPath(new URL('../../../dist/web', import.meta.url)),
    streamLimits: config.streams,
    rateLimits: config.rateLimits,
    corsOrigins: config.corsOrigins,
    tenantOf: (request) => principalOf(request).tenantId,
    userOf: (request) => principalOf(request).userId,
    cancels: cancelsPart(core, w),
    replays: replayService({ kv: core.kv, config, clock: core.clock, ids: core.ids, log: core.log }),
  });
}

/** The kill switch command, the same for the API and Telegram's /kill. */
export function killSwitchCommand(core: Core, w: Pick<HttpWiring, 'view' | 'processor'>): HttpDeps['setKillSwitch'] {
  return async (tenantId, target, engaged, reason, options) => {
    if (engaged && (options?.cancelOrders === true || options?.flatten === true)) await w.processor.catchUp(); // the global switch's actions reach accounts opened a moment ago on another node
    const accountsOf = (tenant: string) => w.view.current.allAccounts().filter((a) => a.tenantId === tenant).map((a) => a.accountId);
    return setKillSwitch({ ...core.commandDeps, ids: core.ids, accountsOf }, tenantId, target, engaged, reason, options);
  };
}

/** Pause / resume / delete a strategy, the same for the API and Telegram's /pause and /resume. */
export function strategyControlCommand(core: Core, w: Pick<HttpWiring, 'view' | 'processor'>): HttpDeps['strategyControl'] {
  return (tenantId, strategyId, command) => controlStrategy({ ...core.commandDeps, state: () => w.view.current, catchUp: () => w.processor.catchUp() }, tenantId, strategyId, command);
}

/** Cancels by API (issue 17): recorded against the folded log, caught up first (an order placed a moment ago on another node). */
function cancelsPart(core: Core, w: HttpWiring): HttpDeps['cancels'] {
  const deps: CancelDeps = { ...core.commandDeps, state: async () => (await w.processor.catchUp(), w.view.current) };
  return {
    order: (tenantId, clientOrderId, by, reason) => requestOrderCancel(deps, tenantId, clientOrderId, by, reason),
    account: (tenantId, accountId, filter, by, reason) => requestAccountCancels(deps, tenantId, accountId, filter, by, reason),
  };
}

/** Alerts in: refused (503) while the log file cannot record, never acknowledged then. */
function ingestPart(core: Core, w: HttpWiring): Pick<HttpDeps, 'ingest' | 'onAlertAccepted'> {
  const { ingestDeps } = w.alerts;
  return {
    ingest: async (request, admit) => {
      const logFile = core.storage.healthy();
      if (!logFile.ok) throw new Error(logFile.reason ?? 'the event log cannot record'); // answered 503, never acknowledged
      const outcome = await ingestAlert(admit ? { ...ingestDeps, admit } : ingestDeps, request);
      core.metrics.alerts.inc({ outcome: outcome.kind === 'refused' ? outcome.code : outcome.kind });
      return outcome;
    },
    onAlertAccepted: (signalId, receivedAtNs) => core.metrics.alertAccepted(signalId, receivedAtNs),
  };
}

function readPart(core: Core, w: HttpWiring): Pick<HttpDeps, 'queries' | 'analytics' | 'feed' | 'marketData' | 'waitForProjection' | 'equityCurve' | 'live'> {
  const { config } = core;
  return {
    queries: w.readSide.queries,
    analytics: w.readSide.analytics,
    feed: core.feed,
    marketData: accountMarketData({
      account: (tenantId, accountId) => {
        const account = w.view.account(accountId);
        return account?.tenantId === tenantId ? account : undefined;
      },
      accounts: (tenantId) => w.view.current.allAccounts().filter((a) => a.tenantId === tenantId),
      catchUp: () => w.processor.catchUp(), // an account opened a moment ago on another node
      markets: w.markets.marketLists, prices: w.markets.prices, maxPriceAgeMs: config.marketData.maxPriceAgeMs, priceWaitMs: Math.min(config.marketData.priceWaitMs, 1000),
    }),
    waitForProjection: (position) => w.readSide.projections.waitFor(position),
    equityCurve: (tenantId, accountId, from, to, limit) => core.storage.snapshots.equityCurve({ tenantId, accountId, from, to, limit }),
    live: w.readSide.live,
  };
}

function accountsPart(core: Core, w: HttpWiring): Pick<HttpDeps, 'setKillSwitch' | 'credentials' | 'connectionOf'> {
  const { events, vault, clock } = core;
  const { exchanges } = w.markets;
  return {
    setKillSwitch: killSwitchCommand(core, w),
    credentials: {
      set: (tenantId, accountId, credentials) =>
        setCheckedAccountCredentials({ store: events, vault, clock, keys: exchanges.keys, account: (id) => w.view.account(id), catchUp: () => w.processor.catchUp() }, tenantId, accountId, credentials),
      hint: (tenantId, accountId) => vault.hint(tenantId, accountId),
      remove: (tenantId, accountId) => removeAccountCredentials({ store: events, vault, clock }, tenantId, accountId),
    },
    connectionOf: (accountId, exchange) => exchanges.connection(accountId, exchange, w.view.ownsAccount(accountId)),
  };
}

function positionsPart(core: Core, w: HttpWiring): HttpDeps['positions'] {
  const catchUp = () => w.processor.catchUp();
  return {
    holders: async (tenantId, accountId, symbol) => {
      await catchUp();
      const state = w.view.current;
      const account = state.account(accountId);
      if (!account || account.tenantId !== tenantId) return undefined;
      return {
        accountId, symbol, quantity: decToString(state.snapshot(accountId)!.positionQuantity(symbol)),
        strategies: state.positionHolders(accountId, symbol).map((h) => ({ strategyId: h.strategyId, quantity: decToString(h.quantity) })),
      };
    },
    close: (tenantId, request) => closePosition({ store: core.events, clock: core.clock, ids: core.ids, state: () => w.view.current, catchUp }, tenantId, request),
  };
}

function usersPart(core: Core, w: HttpWiring): Pick<HttpDeps, 'auth' | 'users' | 'createUser'> {
  return {
    auth: w.auth,
    users: userAdministration({ ...core.commandDeps, auth: w.auth }),
    createUser: (tenantId, user) => createUser({ ...core.commandDeps, ids: core.ids, auth: w.auth }, tenantId, user),
  };
}

function configurationPart(core: Core, w: HttpWiring): HttpDeps['configuration'] {
  const deps: ConfigurationDeps = {
    ...core.commandDeps, kv: core.kv, ids: core.ids, newSecret: newWebhookSecret, catalog: w.processor.catalog, markets: w.markets.marketLists,
    catchUp: () => w.processor.catchUp(),
    onSecret: (strategyId, secret) => w.alerts.secrets.remember(strategyId, secret),
  };
  return {
    createStrategy: (tenantId, input) => createStrategy(deps, tenantId, input),
    updateStrategy: (tenantId, strategyId, input) => updateStrategy(deps, tenantId, strategyId, input),
    rotateSecret: (tenantId, strategyId) => rotateWebhookSecret(deps, tenantId, strategyId),
    secretOf: (tenantId, strategyId) => webhookSecretOf(deps, tenantId, strategyId),
    openAccount: (tenantId, input) => openExchangeAccount(deps, tenantId, input),
    setFuturesSettings: async (tenantId, accountId, input, by) => {
      await w.processor.catchUp();
      return setFuturesSettings(core.commandDeps, tenantId, accountId, input, (id) => w.view.account(id)?.tenantId, by);
    },
    signing: w.alerts.signing,
  };
}
