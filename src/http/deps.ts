import type { FuturesSettingsInput } from '../application/commands/futures-settings.js';
import type { KillSwitchChanged, KillSwitchOptions } from '../application/commands/kill-switch.js';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { NewReplayBody, ReplayDto, ReplaySummaryDto } from '../contracts/replay-api.js';
import type { Registry } from 'prom-client';
import type { AlertRequest, IngestOutcome } from '../application/ingest/ingest-alert.js';
import type { WebhookSigning } from '../application/ingest/alert-signature.js';
import type { SigningStatus } from '../application/commands/webhook-signing.js';
import type { ReadQueries } from '../application/queries/read-queries.js';
import type { AnalyticsQueries } from '../application/queries/analytics-queries.js';
import type { DomainError, Result } from '../domain/shared/result.js';
import type { PriceFeed } from '../application/ports/price-feed.js';
import type { PortfolioSnapshot } from '../application/ports/snapshot-store.js';
import type { CredentialHint } from '../application/ports/credential-vault.js';
import type { ApiKeyInfo, Auth, UserAccess } from '../application/ports/auth.js';
import type { UserChange } from '../application/commands/users.js';
import type { RateLimits } from './rate-limits.js';
import type { LiveSubscriber } from '../application/live/live-updates.js';
import type { AccountInput, StrategyInput } from '../application/commands/strategies.js';
import type { Budgets, LoginThrottle } from '../application/ports/budgets.js';
import type { CloseError, CloseRecorded, CloseRequest } from '../application/commands/close-position.js';
import type { ControlError } from '../application/commands/strategy-control.js';
import type { StrategyControlCommand } from '../domain/strategies/strategy-control.js';
import type { CancelRequested } from '../application/commands/cancel-orders.js';
import type { OrderPlaced, PlaceOrderError, PlaceOrderRequest } from '../application/commands/place-order.js';
import type { OutboundAdmin } from '../application/notify/outbound-admin.js';
import type { TelegramAdmin } from '../application/notify/telegram/telegram-admin.js';

export interface AccountConnection {
  readonly accountId: string;
  readonly exchange: string;
  readonly owner: 'this_node' | 'another_node';
  readonly stream: 'connected' | 'connecting' | 'reconnecting' | 'stopped' | 'unknown';
  readonly circuit: 'closed' | 'open' | 'half_open';
  readonly circuitRetryAt?: string;
  readonly disabledReason?: string;
}

/** Everything the HTTP layer may call: application services only, never adapters. */
export interface HttpDeps {
  readonly logger: FastifyBaseLogger;
  /** `admit` spends one unit of the strategy's alert budget once the alert is authenticated */
  readonly ingest: (request: AlertRequest, admit?: (strategyId: string) => { readonly retryAfterMs: number } | undefined | Promise<{ readonly retryAfterMs: number } | undefined>) => Promise<IngestOutcome>;
  /** adds a user with a login to a tenant (admins only); refused when the username is taken */
  readonly createUser: (tenantId: string, user: { username: string; name: string; role: 'admin' | 'trader' | 'viewer'; password: string }) => Promise<Result<{ userId: string; lastPosition?: number }, DomainError>>;
  /** requests per minute per strategy, user and address */
  readonly rateLimits: RateLimits;
  /** where those budgets and failed logins are counted: across every node on one PostgreSQL, per node on SQLite (ADR 0016) */
  readonly limits: {
    readonly budgets: Budgets;
    /** failed logins per key of `scope`, with back-off after `allowed` of them */
    loginThrottle(scope: 'user' | 'address', allowed: number): LoginThrottle;
  };
  /** origins allowed to call the API from a browser (empty: same origin only) */
  readonly corsOrigins: readonly string[];
  /** logins, tokens and API keys: every /api/v1 route but login and refresh needs one */
  readonly auth: Auth;
  /** an admin's changes of the users of their tenant: recorded, and applied to every credential of the user at once */
  readonly users: {
    change(tenantId: string, by: string, userId: string, change: UserChange): Promise<Result<{ access: UserAccess; lastPosition?: number }, DomainError>>;
    revokeApiKey(tenantId: string, by: string, userId: string, keyId: string): Promise<Result<{ lastPosition?: number }, DomainError>>;
    /** undefined: no such user in this tenant */
    apiKeys(tenantId: string, userId: string): Promise<ApiKeyInfo[] | undefined>;
  };
  /** on the internet (issue 15): trusted proxies, login back-off, the /metrics token */
  readonly security: {
    readonly trustProxy: boolean | number | readonly string[];
    readonly metricsToken?: string;
    readonly loginFailuresPerUser: number;
    readonly loginFailuresPerAddress: number;
    /** who may send alerts at all (PATRIOT_WEBHOOK_ALLOW); unset: anyone */
    readonly webhookAllow?: readonly string[];
  };
  /** 32 bytes: seals the live stream's event ids (derived from the master key, so every node reads every node's) */
  readonly streamCursorKey: Buffer;
  /** called when an alert was acknowledged (for the receipt -> exchange latency figure) */
  readonly onAlertAccepted?: (signalId: string, receivedAtNs: bigint) => void;
  readonly queries: ReadQueries;
  /** round trips, metrics and exports from the read models (ADR-0022) */
  readonly analytics: AnalyticsQueries;
  readonly feed: PriceFeed;
  /** each account's own exchange's markets and prices */
  readonly marketData: AccountMarketData;
  /** with options (engaging only): also cancel the open orders / flatten the positions (issue 17) */
  readonly setKillSwitch: (tenantId: string, target: { accountId?: string }, engaged: boolean, reason: string, options?: KillSwitchOptions) => Promise<Result<KillSwitchChanged, DomainError>>;
  /** resolves once the read models include the given position (read-your-writes after a command) */
  readonly waitForProjection: (position: number) => Promise<void>;
  readonly isReady: () => boolean;
  /** why this node cannot record an alert now (the event store away, the disk full), once started; undefined when it can */
  readonly storeUnavailable?: () => string | undefined;
  /** equity curve points of one account within [from, to] (ISO times), oldest first */
  readonly equityCurve: (tenantId: string, accountId: string, from: string, to: string, limit: number) => Promise<PortfolioSnapshot[]>;
  readonly metrics: Registry;
  /** an account's exchange credentials: sealed on write, only a hint ever comes back */
  readonly credentials: {
    set(
      tenantId: string,
      accountId: string,
      credentials: { apiKey: string; secret: string; password?: string },
    ): Promise<{ refused: { code: string; message: string } } | { hint: CredentialHint; lastPosition?: number }>;
    hint(tenantId: string, accountId: string): Promise<CredentialHint | undefined>;
    remove(tenantId: string, accountId: string): Promise<{ removed: boolean; lastPosition?: number }>;
  };
  /** the live connection state of an account's exchange (fill stream, circuit breaker) */
  readonly connectionOf: (accountId: string, exchange: string) => AccountConnection;
  /** strategies and exchange accounts of a tenant: recorded as events; a webhook secret only comes back when created or rotated */
  readonly configuration: {
    createStrategy(tenantId: string, input: StrategyInput): Promise<Result<{ strategyId: string; secret: string; lastPosition: number }, DomainError>>;
    updateStrategy(tenantId: string, strategyId: string, input: StrategyInput): Promise<Result<{ lastPosition: number }, DomainError>>;
    rotateSecret(tenantId: string, strategyId: string): Promise<Result<{ secret: string }, DomainError>>;
    /** the secret of this tenant's strategy (never answered: used to send a test alert) */
    secretOf(tenantId: string, strategyId: string): Promise<string | undefined>;
    openAccount(tenantId: string, input: AccountInput): Promise<Result<{ accountId: string; lastPosition?: number }, DomainError>>;
    /** a swap account's leverage and margin mode, default and per symbol (issue 17) */
    setFuturesSettings(tenantId: string, accountId: string, input: FuturesSettingsInput, by: string): Promise<Result<{ changed: boolean; lastPosition?: number }, DomainError>>;
    /** signed alerts: a strategy's signing key (shown once when made), whether a signature is required */
    signing: {
      status(tenantId: string, strategyId: string): Promise<Result<SigningStatus, DomainError>>;
      create(tenantId: string, strategyId: string, required?: boolean): Promise<Result<WebhookSigning, DomainError>>;
      setRequired(tenantId: string, strategyId: string, required: boolean): Promise<Result<SigningStatus, DomainError>>;
      remove(tenantId: string, strategyId: string): Promise<Result<SigningStatus, DomainError>>;
      /** the setting itself (never answered: used to sign a test alert) */
      of(tenantId: string, strategyId: string): Promise<WebhookSigning | undefined>;
    };
  };
  /** signed outbound webhooks of a tenant (admins): endpoints, delivery log, test delivery */
  readonly outboundWebhooks: Pick<OutboundAdmin, 'list' | 'create' | 'setEnabled' | 'remove' | 'deliveries' | 'sendTest' | 'changeSettings'>;
  /** Telegram (issue 19): the tenant's bot (admins), link codes and linked chats (every user, their own) */
  readonly telegram: Pick<TelegramAdmin, 'status' | 'setBot' | 'removeBot' | 'createLinkCode' | 'unlink' | 'changeChatSettings' | 'deliveries'>;
  /** live updates (SSE): subscribe a stream of one tenant; resolves to its unsubscribe function */
  readonly live: { subscribe(subscriber: LiveSubscriber, lastEventId?: number): Promise<() => void> };
  /** open live streams allowed per user and in all */
  readonly streamLimits: { readonly perUser: number; readonly total: number; readonly credentialRecheckMs: number };
  /** where the built dashboard is (served at /app/); undefined: no dashboard */
  readonly dashboardDir?: string;
  /** public base URL used in webhook URLs shown to users */
  readonly publicUrl: string;
  /** the tenant a request acts for (one demo tenant until users and auth exist) */
  readonly tenantOf: (request: FastifyRequest) => string;
  /** the user a request acts for */
  readonly userOf: (request: FastifyRequest) => string;
  /** positions per strategy, and closing them like an alert's close (ADR-0019) */
  readonly positions: PositionCommands;
  /** an order placed by hand (issue 17): alert fields recorded as a signal of the strategy, routed like an alert */
  readonly placeOrder: (tenantId: string, request: PlaceOrderRequest) => Promise<Result<OrderPlaced, PlaceOrderError>>;
  /** pause, resume or delete a strategy of the tenant (ADR-0019) */
  readonly strategyControl: (tenantId: string, strategyId: string, command: StrategyControlCommand) => Promise<Result<{ changed: boolean; lastPosition?: number }, ControlError>>;
  /** cancels (issue 17): the request is recorded on the order's stream; the account's owner asks the exchange */
  readonly cancels: {
    order(tenantId: string, clientOrderId: string, by: string, reason: string): Promise<Result<CancelRequested & { lastPosition?: number }, DomainError>>;
    account(tenantId: string, accountId: string, filter: { symbol?: string }, by: string, reason: string): Promise<Result<{ requested: CancelRequested[]; notOpen: string[]; lastPosition?: number }, DomainError>>;
  };
  /** alert histories replayed in stores of their own (ADR-0025) */
  readonly replays: ReplaysPort;
}

/** A replay's answer: its report, or why it was refused (an input error names its line). */
export type ReplayRun =
  | { readonly ok: true; readonly replay: ReplayDto }
  | { readonly ok: false; readonly status: 409 | 422 | 503; readonly code: string; readonly message: string; readonly line?: number };

export type ReplaySummary = Static<typeof ReplaySummaryDto>;

/** Alert histories replayed through the trading engine in stores of their own (ADR-0025), and their reports. */
export interface ReplaysPort {
  run(tenantId: string, body: NewReplayBody): Promise<ReplayRun>;
  /** the tenant's reports, newest first */
  list(tenantId: string): Promise<ReplaySummary[]>;
  get(tenantId: string, replayId: string): Promise<ReplayDto | undefined>;
}

/** Positions per strategy (from the write side's folded state) and closes. */
export interface PositionCommands {
  /** undefined: no such account in this tenant */
  holders(tenantId: string, accountId: string, symbol: string): Promise<{ accountId: string; symbol: string; quantity: string; strategies: { strategyId: string; quantity: string }[] } | undefined>;
  close(tenantId: string, request: CloseRequest): Promise<Result<CloseRecorded, CloseError>>;
}

export interface MarketView {
  readonly symbol: string;
  readonly exchangeSymbol?: string;
  readonly base: string;
  readonly quote: string;
  readonly status: 'trading' | 'halted';
  readonly precision: { readonly price: string; readonly amount: string };
  readonly limits: { readonly minQty: string; readonly maxQty: string; readonly minNotional: string };
}

export interface AccountPriceView {
  readonly symbol: string;
  readonly price: string;
  readonly bid?: string;
  readonly ask?: string;
  readonly source: string;
  readonly ageMs: number;
  readonly stale: boolean;
  readonly time: string;
}

export interface AccountMarketData {
  /** the tenant's accounts: exchange, venue and how many markets each lists */
  accounts(tenantId: string): Promise<{ accountId: string; exchange: string; venue: string; loaded: boolean; markets: number }[]>;
  /** undefined: no such account in this tenant */
  markets(tenantId: string, accountId: string, query?: string): Promise<{ accountId: string; exchange: string; venue: string; loaded: boolean; items: MarketView[] } | undefined>;
  prices(tenantId: string, accountId: string, symbols?: readonly string[]): Promise<{
    accountId: string; exchange: string; venue: string; maxAgeMs: number;
    connections: { id: string; state: string; lastMessageAt?: string }[];
    items: AccountPriceView[]; notListed?: string[];
  } | undefined>;
}
