import ccxt from 'ccxt';
import type {
  Balance,
  ExchangeGateway,
  ExchangeOrder,
  Market,
  OrderUpdate,
  PlaceOrderRequest,
  PlaceOrderResult,
} from '../../../application/ports/exchange.js';
import type { Logger } from '../../../application/ports/logger.js';
import { silentLogger } from '../../../application/ports/logger.js';
import { assertNever } from '../../../domain/shared/decider.js';
import type { CcxtClient, CcxtConfig, CcxtMarketLike, CcxtOrderLike, CcxtProClient } from './ccxt-types.js';
import { CircuitBreakers, type BreakerOutcome, type BreakerSnapshot, type BreakerStateChange } from './circuit-breaker.js';
import { classifyCcxtError, type ErrorClassification } from './error-classification.js';
import { profileFor, type ExchangeProfile, type MarketType } from './exchange-profiles.js';
import { OrderMonitor, type MonitorState, type OrderMonitorOptions } from './order-monitor.js';
import { OrderMappingError, filledByFills, mapBalances, mapOrder, portSymbolOf, toDec, type OrderFallback } from './order-mapping.js';
import { toCcxtNumber, validateOrder } from './order-validation.js';
import { KeyedRateLimiter, RateLimitWaitTooLong, bucketFromCcxtRateLimit, type BucketConfig } from './rate-limiter.js';
import { redactSecrets } from './redact.js';
import { RejectCode } from './reject-codes.js';
import { systemScheduler, type Scheduler } from './scheduler.js';
import { Venue, ccxtConfigFor, type Credentials, type VenueSpec } from './venue.js';

export type { Credentials } from './venue.js';

/** An exchange account traded through ccxt. */
export interface CcxtAccount {
  readonly accountId: string;
  /** 'binance' | 'bybit' | 'okx' | any ccxt exchange id */
  readonly exchangeId: string;
  readonly marketType: MarketType;
  /** merged into ccxt's `urls.api` (point the account at a sandbox) */
  readonly urls?: Readonly<Record<string, unknown>>;
  /** extra ccxt options, applied over the adapter's own */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** Where the keys come from (decrypted on demand); they are handed to the ccxt instance and kept nowhere else. */
export type CredentialSource = (accountId: string) => Promise<Credentials>;

export interface CcxtGatewayOptions {
  readonly credentials: CredentialSource;
  readonly log?: Logger;
  readonly scheduler?: Scheduler;
  /** makes a REST instance; default `new ccxt[exchangeId](config)` */
  readonly createExchange?: (exchangeId: string, config: CcxtConfig) => CcxtClient;
  /** makes a websocket (pro) instance for monitoring; default `new ccxt.pro[exchangeId](config)` */
  readonly createProExchange?: (exchangeId: string, config: CcxtConfig) => CcxtProClient;
  /** circuit breaker per exchange host (defaults: 5 failures, 30 s) */
  readonly breaker?: { readonly failureThreshold?: number; readonly coolDownMs?: number };
  /** IP budget per exchange host; default from ccxt's `rateLimit` of the exchange */
  readonly hostRateLimit?: (hostKey: string, ccxtRateLimitMs: number) => BucketConfig | undefined;
  /** budget per account; default none (only the host's budget and penalties apply) */
  readonly accountRateLimit?: BucketConfig;
  /** a new order never waits longer than this for a permit; it is refused with RATE_LIMITED (default 10 s) */
  readonly maxOrderWaitMs?: number;
  /** look-ups, cancels, balances wait at most this long, then throw (default 60 s) */
  readonly maxReadWaitMs?: number;
  /** penalty after a 429 without Retry-After (default 1 s); a 418 ban without one: 2 min */
  readonly defaultPenaltyMs?: number;
  /**
   * "Not found" right after this gateway sent an order is not proof (Binance answers -2013 for
   * up to a minute while its database catches up): within this window after the last send,
   * `fetchOrder` throws instead of returning `null`. Default 60 s; 0 turns it off.
   */
  readonly notFoundGraceMs?: number;
  /** reference price for a market order's minimum-notional pre-check (e.g. the price feed) */
  readonly referencePrice?: (symbol: string) => string | undefined;
  /** a limit price off the tick: rounded toward the passive side (default) or refused */
  readonly limitPriceRounding?: 'passive' | 'reject';
  readonly monitor?: OrderMonitorOptions;
}

interface AccountEntry {
  readonly config: CcxtAccount;
  readonly venue: Venue;
  readonly profile: ExchangeProfile;
  client: Promise<CcxtClient> | undefined;
  /** the REST instance once made (its keys are what reasons and logs are scrubbed of) */
  settled: CcxtClient | undefined;
  pro: CcxtProClient | undefined;
  monitor: OrderMonitor | undefined;
  /** set after the exchange refused the credentials; cleared by `forget`/re-registration */
  disabled: string | undefined;
  /** bumped by `forget`: instances made for an older generation are discarded */
  generation: number;
}

/** A look-up or other call failed or was inconclusive; `classification` says how. The message is credential-free. */
export class ExchangeCallError extends Error {
  constructor(
    readonly classification: ErrorClassification | { readonly kind: 'local'; readonly reason: string },
  ) {
    super(classification.reason);
    this.name = 'ExchangeCallError';
  }
}

type CallResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ErrorClassification }
  /** nothing was sent: the limiter refused or the account could not be set up */
  | { readonly ok: false; readonly local: 'rate_limit_wait' | 'setup'; readonly reason: string };

const MAX_KNOWN_ORDERS = 10_000;

function breakerOutcome(kind: ErrorClassification['kind'] | 'ok'): BreakerOutcome {
  switch (kind) {
    case 'ok':
    case 'rejected':
    case 'duplicate':
    case 'not_found':
      return 'success';
    case 'unknown':
    case 'rate_limited':
      return 'failure';
    case 'clock':
    case 'auth':
      return 'neutral';
    default:
      return assertNever(kind);
  }
}

function defaultCreateExchange(exchangeId: string, config: CcxtConfig): CcxtClient {
  const Ctor = (ccxt as unknown as Record<string, unknown>)[exchangeId];
  if (typeof Ctor !== 'function' || !(ccxt.exchanges as readonly string[]).includes(exchangeId)) throw new Error(`ccxt has no exchange "${exchangeId}"`);
  return new (Ctor as new (c: CcxtConfig) => CcxtClient)(config);
}

function defaultCreateProExchange(exchangeId: string, config: CcxtConfig): CcxtProClient {
  const Ctor = (ccxt.pro as unknown as Record<string, unknown>)[exchangeId];
  if (typeof Ctor !== 'function') throw new Error(`ccxt pro has no exchange "${exchangeId}"`);
  return new (Ctor as new (c: CcxtConfig) => CcxtProClient)(config);
}

/**
 * `ExchangeGateway` over ccxt for real exchange accounts (Binance, Bybit, OKX, any ccxt id).
 *
 * placeOrder: market pre-validation (nothing is sent on a refusal) → circuit breaker of the host
 * (refuses with CIRCUIT_OPEN while open) → rate limiter (account AND host budgets, penalty box) →
 * `createOrder(symbol, type, side, amount, price, { clientOrderId })` → error classification:
 * rejected → rejected; a duplicate clientOrderId → `unknown` (the order probably exists: the
 * executor looks it up; never a rejection); timeout/5xx/rate limit → unknown; clock skew → resync
 * (`loadTimeDifference`) and retry once; refused credentials → rejected AUTH and the account is
 * disabled until `forget` or re-registration.
 *
 * Credentials are fetched from the credential source when an account's ccxt instance is first
 * needed and live only in that instance; `forget` blanks and drops it. Every reason and log line
 * is scrubbed of the key, the secret, the passphrase and signatures.
 */
export class CcxtExchangeGateway implements ExchangeGateway {
  private readonly accounts = new Map<string, AccountEntry>();
  private readonly venues = new Map<string, Venue>();
  private readonly listeners = new Set<(update: OrderUpdate) => void>();
  private readonly monitorListeners = new Set<(accountId: string, state: MonitorState) => void>();
  private readonly disabledListeners = new Set<(accountId: string, reason: string) => void>();
  /** clientOrderId → where it was sent (for look-ups without a symbol, and the not-found grace) */
  private readonly knownOrders = new Map<string, { accountId: string; symbol: string; sentAt: number }>();
  private readonly scheduler: Scheduler;
  private readonly log: Logger;
  private readonly limiter: KeyedRateLimiter;
  private readonly breakers: CircuitBreakers;
  private readonly createExchange: (exchangeId: string, config: CcxtConfig) => CcxtClient;
  private readonly createProExchange: (exchangeId: string, config: CcxtConfig) => CcxtProClient;

  constructor(private readonly options: CcxtGatewayOptions) {
    this.scheduler = options.scheduler ?? systemScheduler;
    this.log = options.log ?? silentLogger;
    this.limiter = new KeyedRateLimiter({ scheduler: this.scheduler });
    this.breakers = new CircuitBreakers({ ...(options.breaker ?? {}), now: () => this.scheduler.now() });
    this.createExchange = options.createExchange ?? defaultCreateExchange;
    this.createProExchange = options.createProExchange ?? defaultCreateProExchange;
  }

  // ------------------------------------------------------------------ accounts

  /** Registers (or re-registers, which also re-enables) an account. Nothing is contacted yet. Throws for an exchange ccxt does not have. */
  registerAccount(account: CcxtAccount): void {
    if (!this.options.createExchange && !(ccxt.exchanges as readonly string[]).includes(account.exchangeId)) {
      throw new Error(`ccxt has no exchange "${account.exchangeId}"`);
    }
    if (account.marketType !== 'spot' && account.marketType !== 'swap') throw new Error(`unsupported market type "${String(account.marketType)}"`);
    const existing = this.accounts.get(account.accountId);
    if (existing) this.forget(account.accountId);
    const spec: VenueSpec = {
      exchangeId: account.exchangeId,
      marketType: account.marketType,
      ...(account.urls ? { urls: account.urls } : {}),
      ...(account.options ? { options: account.options } : {}),
    };
    const probe = new Venue(spec, () => this.createExchange(spec.exchangeId, ccxtConfigFor(spec)));
    const venue = this.venues.get(probe.key) ?? probe;
    this.venues.set(venue.key, venue);
    if (this.options.accountRateLimit && !this.limiter.isConfigured(this.accountScope(account.accountId))) {
      this.limiter.configure(this.accountScope(account.accountId), this.options.accountRateLimit);
    }
    this.accounts.set(account.accountId, {
      config: account,
      venue,
      profile: profileFor(account.exchangeId),
      client: undefined,
      settled: undefined,
      pro: undefined,
      monitor: undefined,
      disabled: undefined,
      generation: (existing?.generation ?? 0) + 1,
    });
  }

  /** Drops the account's ccxt instances (blanking their keys) and monitor; the registration stays. */
  forget(accountId: string): void {
    const entry = this.accounts.get(accountId);
    if (!entry) return;
    entry.generation += 1;
    entry.disabled = undefined;
    const pending = entry.client;
    entry.client = undefined;
    entry.settled = undefined;
    if (pending) void pending.then((c) => this.blank(c), () => undefined);
    const monitor = entry.monitor;
    entry.monitor = undefined;
    if (monitor) void monitor.stop();
    if (entry.pro) this.blank(entry.pro);
    entry.pro = undefined;
  }

  /** Forgets the account and removes its registration. */
  unregisterAccount(accountId: string): void {
    this.forget(accountId);
    this.accounts.delete(accountId);
  }

  /** Whether the exchange refused the account's credentials (it then takes no orders). */
  disabledReason(accountId: string): string | undefined {
    return this.accounts.get(accountId)?.disabled;
  }

  onAccountDisabled(listener: (accountId: string, reason: string) => void): () => void {
    this.disabledListeners.add(listener);
    return () => this.disabledListeners.delete(listener);
  }

  /** Loads the markets of an account's venue (or of every registered venue). */
  async loadMarkets(accountId?: string): Promise<void> {
    const venues = accountId !== undefined ? [this.entry(accountId).venue] : [...new Set([...this.accounts.values()].map((a) => a.venue))];
    await Promise.all(venues.map((v) => this.loadVenue(v)));
  }

  // ------------------------------------------------------------------ health

  /** The circuit breakers, one per exchange host (for the dashboard). */
  breakerStates(): BreakerSnapshot[] {
    return this.breakers.snapshots();
  }

  onBreakerStateChange(listener: (change: BreakerStateChange) => void): () => void {
    return this.breakers.onStateChange(listener);
  }

  /** The exchange host of an account ("binance:spot", or with "@hash" for overridden URLs). */
  hostOf(accountId: string): string {
    return this.entry(accountId).venue.hostKey;
  }

  // ------------------------------------------------------------------ ExchangeGateway

  markets(): readonly Market[] {
    const bySymbol = new Map<string, Market>();
    for (const venue of this.venues.values()) for (const m of venue.portMarkets()) if (!bySymbol.has(m.symbol)) bySymbol.set(m.symbol, m);
    return [...bySymbol.values()];
  }

  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async placeOrder(accountId: string, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const entry = this.accounts.get(accountId);
    if (!entry) return { kind: 'rejected', code: RejectCode.UNKNOWN_ACCOUNT, reason: `account ${accountId} is not registered with the ccxt gateway` };
    if (entry.disabled !== undefined) return { kind: 'rejected', code: RejectCode.AUTH, reason: `account ${accountId} is disabled: ${entry.disabled}` };
    const venue = entry.venue;

    try {
      await this.loadVenue(venue);
    } catch (error) {
      // nothing was sent; 'unknown' makes the executor look up and resend once the exchange answers
      return { kind: 'unknown', reason: `markets of ${venue.hostKey} could not be loaded, nothing sent: ${this.classify(entry, error).reason}` };
    }
    const market = venue.resolve(request.symbol);
    if (!market) return { kind: 'rejected', code: RejectCode.UNKNOWN_SYMBOL, reason: `${request.symbol} is not a ${venue.spec.marketType} market of ${venue.spec.exchangeId}` };

    const reference = request.type === 'market' ? this.options.referencePrice?.(request.symbol) : undefined;
    const checked = validateOrder(market, venue.precisionMode, request, {
      ...(reference !== undefined ? { referencePrice: reference } : {}),
      ...(this.options.limitPriceRounding ? { limitPriceRounding: this.options.limitPriceRounding } : {}),
    });
    if (!checked.ok) return { kind: 'rejected', code: checked.code, reason: checked.reason };
    const amount = toCcxtNumber(checked.amount);
    const price = checked.price !== undefined ? toCcxtNumber(checked.price) : undefined;
    if (amount === undefined || (checked.price !== undefined && price === undefined)) {
      return { kind: 'rejected', code: RejectCode.INVALID_ORDER, reason: `quantity ${checked.amount} or price ${checked.price ?? ''} has more digits than ccxt can carry` };
    }
    for (const note of checked.adjustments) this.log.info({ accountId, clientOrderId: request.clientOrderId, note }, 'order adjusted to the market rules');

    const breaker = this.breakers.get(venue.hostKey);
    const permit = breaker.tryAcquire();
    if (!permit.ok) return { kind: 'rejected', code: permit.code, reason: permit.reason };

    const fallback: OrderFallback = {
      clientOrderId: request.clientOrderId,
      side: request.side,
      type: request.type,
      quantity: checked.quantity,
      ...(checked.price !== undefined ? { limitPrice: checked.price } : {}),
    };
    const params = entry.profile.createParams(request.clientOrderId, venue.spec.marketType, request.reduceOnly === true);
    const result = await this.call(entry, this.options.maxOrderWaitMs ?? 10_000, (client) => {
      this.remember(request.clientOrderId, accountId, portSymbolOf(market), true);
      return client.createOrder(market.symbol, request.type, request.side, amount, price, params);
    });

    if (result.ok) {
      permit.done('success');
      try {
        const order = await this.complete(entry, market, result.value, fallback, false);
        entry.monitor?.track(order);
        return { kind: 'accepted', order };
      } catch (error) {
        const reason = this.redact(entry, error instanceof Error ? error.message : String(error));
        return { kind: 'unknown', reason: `the exchange accepted the order but its answer could not be read: ${reason}` };
      }
    }
    if ('local' in result) {
      permit.done('neutral');
      if (result.local === 'rate_limit_wait') return { kind: 'rejected', code: RejectCode.RATE_LIMITED, reason: result.reason };
      return { kind: 'unknown', reason: result.reason };
    }
    const c = result.error;
    permit.done(breakerOutcome(c.kind), c.reason);
    this.log.warn({ accountId, clientOrderId: request.clientOrderId, kind: c.kind, exchangeCode: c.exchangeCode, reason: c.reason }, 'order not accepted');
    switch (c.kind) {
      case 'rejected':
        return { kind: 'rejected', code: c.code, reason: c.reason };
      case 'duplicate':
        return { kind: 'unknown', reason: `duplicate clientOrderId: ${c.reason}` };
      case 'not_found':
      case 'unknown':
      case 'rate_limited':
        return { kind: 'unknown', reason: c.reason };
      case 'clock':
        return { kind: 'rejected', code: RejectCode.CLOCK_SKEW, reason: `refused for clock skew even after resynchronising: ${c.reason}` };
      case 'auth':
        return { kind: 'rejected', code: RejectCode.AUTH, reason: c.reason };
      default:
        return assertNever(c);
    }
  }

  async fetchOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null> {
    const { entry, market } = await this.readTarget(accountId, clientOrderId, symbol);
    const found = await this.read(entry, (client) => entry.profile.fetchByClientOrderId(client, clientOrderId, market.symbol), true);
    if (found === null) {
      this.assertAbsenceIsDefinitive(clientOrderId);
      return null;
    }
    return this.complete(entry, market, found, { clientOrderId }, true);
  }

  async cancelOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null> {
    const { entry, market } = await this.readTarget(accountId, clientOrderId, symbol);
    const cancelled = await this.read(entry, (client) => entry.profile.cancelByClientOrderId(client, clientOrderId, market.symbol), true);
    // Cancel answers are sparse (ids only on Bybit/OKX) or, on "unknown order", say nothing about
    // an order that is already final: report the order as the exchange now has it.
    try {
      const now = await this.fetchOrder(accountId, clientOrderId, market.symbol);
      if (now || cancelled === null) return now;
    } catch (error) {
      if (cancelled === null) throw error;
    }
    return this.complete(entry, market, { ...cancelled, status: cancelled.status ?? 'canceled' }, { clientOrderId }, false);
  }

  async fetchOpenOrders(accountId: string): Promise<ExchangeOrder[]> {
    const entry = this.entry(accountId);
    await this.loadVenueOrThrow(entry);
    const orders = await this.read(entry, (client) => client.fetchOpenOrders(undefined, undefined, undefined, {}), false);
    const out: ExchangeOrder[] = [];
    for (const o of orders) {
      const market = typeof o.symbol === 'string' ? entry.venue.resolve(o.symbol) : undefined;
      if (!market) continue;
      try {
        out.push(await this.complete(entry, market, o, {}, false));
      } catch (error) {
        this.log.warn({ accountId, reason: this.redact(entry, error instanceof Error ? error.message : String(error)) }, 'open order skipped');
      }
    }
    return out;
  }

  async fetchBalances(accountId: string): Promise<Balance[]> {
    const entry = this.entry(accountId);
    await this.loadVenueOrThrow(entry);
    return mapBalances(await this.read(entry, (client) => client.fetchBalance(), false));
  }

  // ------------------------------------------------------------------ monitoring

  /** Streams the account's order updates to `onOrderUpdate` listeners (ccxt pro, with REST polling fallback). */
  startMonitoring(accountId: string): void {
    const entry = this.entry(accountId);
    if (entry.monitor) return;
    const generation = entry.generation;
    const proClient = async (): Promise<CcxtProClient> => {
      if (entry.pro && entry.generation === generation) return entry.pro;
      await this.loadVenueOrThrow(entry);
      const credentials = await this.options.credentials(accountId);
      if (entry.generation !== generation) throw new Error('account forgotten');
      const pro = this.createProExchange(entry.config.exchangeId, ccxtConfigFor(entry.venue.spec, credentials));
      this.prepare(pro, entry.venue);
      entry.pro = pro;
      return pro;
    };
    const monitor = new OrderMonitor(
      accountId,
      {
        watch: async () => {
          let orders: CcxtOrderLike[];
          try {
            const pro = await proClient();
            orders = await pro.watchOrders();
          } catch (error) {
            // stream errors can carry the socket URL (a listenKey) or echo the key: scrub before the monitor logs it
            throw new Error(this.redact(entry, error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)));
          }
          const out: ExchangeOrder[] = [];
          for (const o of orders) {
            const market = typeof o.symbol === 'string' ? entry.venue.resolve(o.symbol) : undefined;
            if (!market) continue;
            try {
              out.push(await this.complete(entry, market, o, {}, false));
            } catch (error) {
              this.log.warn({ accountId, reason: this.redact(entry, String(error)) }, 'streamed order skipped');
            }
          }
          return out;
        },
        fetchOpenOrders: () => this.fetchOpenOrders(accountId),
        fetchOrder: (clientOrderId, symbol) => this.fetchOrder(accountId, clientOrderId, symbol),
        close: async () => {
          const pro = entry.pro;
          if (pro) await pro.close?.();
        },
      },
      (update) => this.emit(update),
      this.scheduler,
      this.options.monitor ?? {},
      this.log,
      (state) => {
        for (const listener of [...this.monitorListeners]) listener(accountId, state);
      },
    );
    entry.monitor = monitor;
    monitor.start();
  }

  async stopMonitoring(accountId: string): Promise<void> {
    const entry = this.accounts.get(accountId);
    const monitor = entry?.monitor;
    if (!entry || !monitor) return;
    entry.monitor = undefined;
    await monitor.stop();
    if (entry.pro) this.blank(entry.pro);
    entry.pro = undefined;
  }

  monitorState(accountId: string): MonitorState | undefined {
    return this.accounts.get(accountId)?.monitor?.state;
  }

  onMonitorStateChange(listener: (accountId: string, state: MonitorState) => void): () => void {
    this.monitorListeners.add(listener);
    return () => this.monitorListeners.delete(listener);
  }

  /** Stops every monitor, forgets every instance and refuses queued permits. */
  async close(): Promise<void> {
    await Promise.all([...this.accounts.keys()].map((id) => this.stopMonitoring(id)));
    for (const id of this.accounts.keys()) this.forget(id);
    this.limiter.dispose();
  }

  // ------------------------------------------------------------------ internals

  private entry(accountId: string): AccountEntry {
    const entry = this.accounts.get(accountId);
    if (!entry) throw new ExchangeCallError({ kind: 'local', reason: `account ${accountId} is not registered with the ccxt gateway` });
    return entry;
  }

  private accountScope(accountId: string): string {
    return `account:${accountId}`;
  }

  private hostScope(venue: Venue): string {
    return `host:${venue.hostKey}`;
  }

  private loadVenue(venue: Venue): Promise<void> {
    return venue.load(async () => {
      await this.limiter.acquire([this.hostScope(venue)], { maxWaitMs: this.options.maxReadWaitMs ?? 60_000 });
    }).then(() => {
      const host = this.hostScope(venue);
      if (!this.limiter.isConfigured(host)) {
        this.limiter.configure(host, this.options.hostRateLimit?.(venue.hostKey, venue.rateLimit) ?? bucketFromCcxtRateLimit(venue.rateLimit));
      }
    });
  }

  private async loadVenueOrThrow(entry: AccountEntry): Promise<void> {
    try {
      await this.loadVenue(entry.venue);
    } catch (error) {
      throw new ExchangeCallError(this.classify(entry, error));
    }
  }

  private prepare(client: CcxtClient, venue: Venue): void {
    if (venue.markets) client.setMarkets(venue.markets, venue.currencies);
    if (venue.timeDifference !== undefined) client.options.timeDifference = venue.timeDifference;
  }

  private client(entry: AccountEntry): Promise<CcxtClient> {
    if (!entry.client) {
      const generation = entry.generation;
      const creating = (async () => {
        await this.loadVenue(entry.venue);
        const credentials = await this.options.credentials(entry.config.accountId);
        const client = this.createExchange(entry.config.exchangeId, ccxtConfigFor(entry.venue.spec, credentials));
        if (entry.generation !== generation) {
          this.blank(client);
          throw new Error('account forgotten while its ccxt instance was being made');
        }
        this.prepare(client, entry.venue);
        entry.settled = client;
        return client;
      })();
      entry.client = creating;
      creating.catch(() => {
        if (entry.client === creating) entry.client = undefined;
      });
    }
    return entry.client;
  }

  private blank(client: CcxtClient): void {
    client.apiKey = '';
    client.secret = '';
    if (client.password !== undefined) client.password = '';
    void client.close?.().catch(() => undefined);
  }

  private secretsOf(entry: AccountEntry): string[] {
    const out: string[] = [];
    const collect = (c: CcxtClient | undefined) => {
      if (!c) return;
      for (const s of [c.apiKey, c.secret, c.password]) if (typeof s === 'string' && s.length > 0) out.push(s);
    };
    collect(entry.pro);
    collect(entry.settled);
    return out;
  }

  private redact(entry: AccountEntry, text: string): string {
    return redactSecrets(text, this.secretsOf(entry));
  }

  private classify(entry: AccountEntry, error: unknown, client?: CcxtClient): ErrorClassification {
    const headers = client?.last_response_headers;
    return classifyCcxtError(entry.config.exchangeId, error, {
      now: this.scheduler.now(),
      ...(headers && typeof headers === 'object' ? { responseHeaders: headers as Record<string, unknown> } : {}),
      redact: (t) => this.redact(entry, t),
    });
  }

  /**
   * One exchange call through the limiter, with the side effects of its failure: a rate limit
   * puts the host (or the account, for Binance -1015) in the penalty box; refused credentials
   * disable the account; clock skew resynchronises the clock and retries once.
   */
  private async call<T>(entry: AccountEntry, maxWaitMs: number, op: (client: CcxtClient) => Promise<T>): Promise<CallResult<T>> {
    let client: CcxtClient;
    try {
      client = await this.client(entry);
    } catch (error) {
      const reason = this.redact(entry, error instanceof Error ? error.message : String(error));
      return { ok: false, local: 'setup', reason: `account ${entry.config.accountId} could not be set up, nothing sent: ${reason}` };
    }
    const scopes = [this.accountScope(entry.config.accountId), this.hostScope(entry.venue)];
    for (let attempt = 0; ; attempt++) {
      try {
        await this.limiter.acquire(scopes, { maxWaitMs });
      } catch (error) {
        if (error instanceof RateLimitWaitTooLong) return { ok: false, local: 'rate_limit_wait', reason: `rate limited locally, nothing sent: ${error.message}` };
        return { ok: false, local: 'setup', reason: String(error) };
      }
      try {
        return { ok: true, value: await op(client) };
      } catch (error) {
        const c = this.classify(entry, error, client);
        this.sideEffects(entry, c);
        if (c.kind === 'clock' && attempt === 0) {
          try {
            await client.loadTimeDifference();
            const td = client.options.timeDifference;
            if (typeof td === 'number') entry.venue.timeDifference = td;
            this.log.warn({ accountId: entry.config.accountId, timeDifferenceMs: td }, 'clock skew: resynchronised with the exchange, retrying');
            continue;
          } catch (resync) {
            this.log.warn({ accountId: entry.config.accountId, reason: this.redact(entry, String(resync)) }, 'clock resynchronisation failed');
          }
        }
        return { ok: false, error: c };
      }
    }
  }

  private sideEffects(entry: AccountEntry, c: ErrorClassification): void {
    switch (c.kind) {
      case 'rate_limited': {
        const penalty = c.retryAfterMs ?? (c.httpStatus === 418 ? 120_000 : (this.options.defaultPenaltyMs ?? 1000));
        const scope = c.exchangeCode === '-1015' ? this.accountScope(entry.config.accountId) : this.hostScope(entry.venue);
        this.limiter.penalize(scope, penalty);
        this.log.warn({ accountId: entry.config.accountId, host: entry.venue.hostKey, scope, penaltyMs: penalty, reason: c.reason }, 'rate limited by the exchange');
        return;
      }
      case 'auth':
        if (entry.disabled === undefined) {
          entry.disabled = c.reason;
          this.log.error({ accountId: entry.config.accountId, exchangeCode: c.exchangeCode, reason: c.reason }, 'exchange refused the credentials; account disabled');
          for (const listener of [...this.disabledListeners]) {
            try {
              listener(entry.config.accountId, c.reason);
            } catch {
              // listeners must not break the call
            }
          }
        }
        return;
      case 'rejected':
      case 'duplicate':
      case 'not_found':
      case 'unknown':
      case 'clock':
        return;
      default:
        assertNever(c);
    }
  }

  /** A read: not gated by the breaker, but its outcome counts; throws `ExchangeCallError` unless it succeeds (or is `not_found`, when allowed). */
  private async read<T>(entry: AccountEntry, op: (client: CcxtClient) => Promise<T>, notFoundIsNull: true, maxWaitMs?: number): Promise<T | null>;
  private async read<T>(entry: AccountEntry, op: (client: CcxtClient) => Promise<T>, notFoundIsNull: false, maxWaitMs?: number): Promise<T>;
  private async read<T>(entry: AccountEntry, op: (client: CcxtClient) => Promise<T>, notFoundIsNull: boolean, maxWaitMs?: number): Promise<T | null> {
    if (entry.disabled !== undefined) throw new ExchangeCallError({ kind: 'auth', reason: `account ${entry.config.accountId} is disabled: ${entry.disabled}` });
    const breaker = this.breakers.get(entry.venue.hostKey);
    const result = await this.call(entry, maxWaitMs ?? this.options.maxReadWaitMs ?? 60_000, op);
    if (result.ok) {
      breaker.record('success');
      return result.value;
    }
    if ('local' in result) throw new ExchangeCallError({ kind: 'local', reason: result.reason });
    breaker.record(breakerOutcome(result.error.kind), result.error.reason);
    if (result.error.kind === 'not_found' && notFoundIsNull) return null;
    throw new ExchangeCallError(result.error);
  }

  private async readTarget(accountId: string, clientOrderId: string, symbol: string | undefined): Promise<{ entry: AccountEntry; market: CcxtMarketLike }> {
    const entry = this.entry(accountId);
    await this.loadVenueOrThrow(entry);
    const wanted = symbol ?? this.knownOrders.get(clientOrderId)?.symbol;
    if (wanted === undefined) throw new ExchangeCallError({ kind: 'local', reason: `the symbol of order ${clientOrderId} is needed to look it up on ${entry.config.exchangeId}` });
    const market = entry.venue.resolve(wanted);
    if (!market) throw new ExchangeCallError({ kind: 'local', reason: `${wanted} is not a ${entry.venue.spec.marketType} market of ${entry.config.exchangeId}` });
    return { entry, market };
  }

  private remember(clientOrderId: string, accountId: string, symbol: string, sent: boolean): void {
    const previous = this.knownOrders.get(clientOrderId);
    this.knownOrders.delete(clientOrderId);
    this.knownOrders.set(clientOrderId, { accountId, symbol, sentAt: sent ? this.scheduler.now() : (previous?.sentAt ?? 0) });
    if (this.knownOrders.size > MAX_KNOWN_ORDERS) {
      const oldest = this.knownOrders.keys().next().value;
      if (oldest !== undefined) this.knownOrders.delete(oldest);
    }
  }

  private assertAbsenceIsDefinitive(clientOrderId: string): void {
    const grace = this.options.notFoundGraceMs ?? 60_000;
    const sentAt = this.knownOrders.get(clientOrderId)?.sentAt;
    if (grace <= 0 || sentAt === undefined || sentAt === 0) return;
    const age = this.scheduler.now() - sentAt;
    if (age < grace) {
      throw new ExchangeCallError({
        kind: 'not_found',
        reason: `order ${clientOrderId} not found ${age} ms after it was sent; not conclusive before ${grace} ms (exchanges may take that long to show a new order)`,
      });
    }
  }

  /**
   * Maps a ccxt order and completes its fills: when the exchange reports more filled than the
   * trades in the answer (REST order look-ups carry no trades), the order's trades are fetched.
   * `strict`: a failed trade fetch throws (look-ups must be complete); otherwise the order is
   * returned with the fills known so far (the monitor and later look-ups add the rest).
   */
  private async complete(entry: AccountEntry, market: CcxtMarketLike, raw: CcxtOrderLike, fallback: OrderFallback, strict: boolean): Promise<ExchangeOrder> {
    const ctx = { market, symbol: portSymbolOf(market), fallback, now: () => this.scheduler.now() };
    const order = mapOrder(raw, ctx);
    this.remember(order.clientOrderId, entry.config.accountId, order.symbol, false);
    const filled = toDec(order.filledQuantity);
    if (!filled || !filled.greaterThan(filledByFills(order))) return order;
    try {
      // a strict look-up may wait like any read; completing an answer in hand should not hold it long
      const maxWaitMs = strict ? undefined : (this.options.maxOrderWaitMs ?? 10_000);
      const trades = await this.read(entry, (client) => entry.profile.fetchOrderTrades(client, order.exchangeOrderId, market.symbol), false, maxWaitMs);
      const mine = trades.filter((t) => t.order === undefined || t.order === null || t.order === order.exchangeOrderId);
      return mapOrder({ ...raw, trades: [...(raw.trades ?? []), ...mine] }, ctx);
    } catch (error) {
      if (strict) throw error instanceof OrderMappingError ? new ExchangeCallError({ kind: 'local', reason: error.message }) : error;
      this.log.warn({ accountId: entry.config.accountId, clientOrderId: order.clientOrderId, reason: this.redact(entry, error instanceof Error ? error.message : String(error)) }, 'fills of the order could not be fetched yet');
      return order;
    }
  }

  private emit(update: OrderUpdate): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(update);
      } catch (error) {
        this.log.error({ accountId: update.accountId, clientOrderId: update.order.clientOrderId, reason: error instanceof Error ? error.message : String(error) }, 'order update listener failed');
      }
    }
  }
}
