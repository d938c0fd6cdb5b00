import type {
  Balance,
  ExchangeGateway,
  ExchangeOrder,
  Market,
  OrderSearch,
  OrderSearchResult,
  OrderUpdate,
  PlaceOrderListRequest,
  PlaceOrderListResult,
  PlaceOrderRequest,
  PlaceOrderResult,
} from '../../../application/ports/exchange.js';
import { silentLogger } from '../../../application/ports/logger.js';
import { AccountMonitoring } from './account-monitoring.js';
import { AccountReads } from './account-reads.js';
import { AccountRegistry } from './account-registry.js';
import { CcxtClients } from './ccxt-clients.js';
import { CircuitBreakers, type BreakerSnapshot, type BreakerStateChange } from './circuit-breaker.js';
import { ExchangeCaller } from './exchange-call.js';
import type { CcxtAccount, CcxtGatewayOptions } from './gateway-options.js';
import { KnownOrders } from './known-orders.js';
import { OrderCompletion } from './order-completion.js';
import { OrderLookups } from './order-lookups.js';
import type { MonitorState } from './order-monitor.js';
import { OrderListPlacement } from './order-list-placement.js';
import { OrderPlacement } from './order-placement.js';
import { FuturesSetup } from './futures-setup.js';
import { OrderSearcher } from './order-search.js';
import { KeyedRateLimiter } from './rate-limiter.js';
import { systemScheduler } from './scheduler.js';
import { VenueLoader } from './venue-loader.js';

export type { Credentials } from './venue.js';
export type { CcxtAccount, CcxtGatewayOptions, CredentialSource } from './gateway-options.js';
export { ExchangeCallError } from './exchange-call-error.js';

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
 *
 * The work is done by its parts, each in its own file: `AccountRegistry` (accounts, venues),
 * `CcxtClients` (ccxt instances, credentials, scrubbing), `ExchangeCaller` (limiter,
 * classification, side effects), `OrderPlacement`, `OrderLookups`, `AccountReads`,
 * `AccountMonitoring`.
 */
export class CcxtExchangeGateway implements ExchangeGateway {
  private readonly limiter: KeyedRateLimiter;
  private readonly breakers: CircuitBreakers;
  private readonly venues: VenueLoader;
  private readonly registry: AccountRegistry;
  private readonly caller: ExchangeCaller;
  private readonly placement: OrderPlacement;
  private readonly futures: FuturesSetup;
  private readonly listPlacement: OrderListPlacement;
  private readonly lookups: OrderLookups;
  private readonly searcher: OrderSearcher;
  private readonly reads: AccountReads;
  private readonly monitoring: AccountMonitoring;

  constructor(options: CcxtGatewayOptions) {
    const scheduler = options.scheduler ?? systemScheduler;
    const log = options.log ?? silentLogger;
    const limiter = new KeyedRateLimiter({ scheduler });
    const breakers = new CircuitBreakers({ ...(options.breaker ?? {}), now: () => scheduler.now() });
    const venues = new VenueLoader(limiter, options);
    const clients = new CcxtClients(options, venues);
    const registry = new AccountRegistry(options, limiter, clients);
    const caller = new ExchangeCaller({ options, scheduler, log, limiter, clients, venues });
    const knownOrders = new KnownOrders(scheduler, options);
    const completion = new OrderCompletion({ options, scheduler, log, caller, clients, knownOrders });
    const lookups = new OrderLookups({ registry, caller, knownOrders, completion });
    const reads = new AccountReads({ log, registry, caller, clients, completion });
    this.limiter = limiter;
    this.breakers = breakers;
    this.venues = venues;
    this.registry = registry;
    this.caller = caller;
    const futures = (this.futures = new FuturesSetup({ ...(options.futuresSettings ? { settingsOf: options.futuresSettings } : {}), caller, log, waitMs: options.maxOrderWaitMs ?? 10_000 }));
    this.placement = new OrderPlacement({ options, log, registry, venues, breakers, caller, clients, knownOrders, completion, futures });
    this.listPlacement = new OrderListPlacement({ options, log, registry, venues, breakers, caller, clients, knownOrders, completion });
    this.lookups = lookups;
    this.searcher = new OrderSearcher({ log, caller, clients, knownOrders, completion, lookups });
    this.reads = reads;
    this.monitoring = new AccountMonitoring({ options, scheduler, log, registry, caller, clients, reads, lookups, knownOrders });
  }

  // ------------------------------------------------------------------ accounts

  /** Registers (or re-registers, which also re-enables) an account. Nothing is contacted yet. Throws for an exchange ccxt does not have. */
  registerAccount(account: CcxtAccount): void {
    this.registry.register(account);
  }

  /** Drops the account's ccxt instances (blanking their keys) and monitor; the registration stays. */
  forget(accountId: string): void {
    this.registry.forget(accountId);
    // new credentials may be another exchange account: its leverage and margin mode are set again
    this.futures.forget(accountId);
  }

  /** Forgets the account and removes its registration. */
  unregisterAccount(accountId: string): void {
    this.registry.unregister(accountId);
  }

  /** Whether the exchange refused the account's credentials (it then takes no orders). */
  disabledReason(accountId: string): string | undefined {
    return this.registry.get(accountId)?.disabled;
  }

  onAccountDisabled(listener: (accountId: string, reason: string) => void): () => void {
    return this.caller.onAccountDisabled(listener);
  }

  /** Loads the markets of an account's venue (or of every registered venue). */
  async loadMarkets(accountId?: string): Promise<void> {
    const venues = accountId !== undefined ? [this.registry.entry(accountId).venue] : this.registry.accountVenues();
    await Promise.all(venues.map((v) => this.venues.load(v)));
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
    return this.registry.entry(accountId).venue.hostKey;
  }

  // ------------------------------------------------------------------ ExchangeGateway

  markets(): readonly Market[] {
    return this.registry.markets();
  }

  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    return this.monitoring.onOrderUpdate(listener);
  }

  placeOrder(accountId: string, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    return this.placement.place(accountId, request);
  }

  /** Binance spot holds one-cancels-other lists (issue 17). */
  placesOrderLists(accountId: string): boolean {
    return this.listPlacement.supports(accountId);
  }

  placeOrderList(accountId: string, request: PlaceOrderListRequest): Promise<PlaceOrderListResult> {
    return this.listPlacement.place(accountId, request);
  }

  fetchOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null> {
    return this.lookups.fetchOrder(accountId, clientOrderId, symbol);
  }

  searchOrder(accountId: string, clientOrderId: string, search: OrderSearch): Promise<OrderSearchResult> {
    return this.searcher.search(accountId, clientOrderId, search);
  }

  cancelOrder(accountId: string, clientOrderId: string, symbol?: string): Promise<ExchangeOrder | null> {
    return this.lookups.cancelOrder(accountId, clientOrderId, symbol);
  }

  fetchOpenOrders(accountId: string): Promise<ExchangeOrder[]> {
    return this.reads.fetchOpenOrders(accountId);
  }

  fetchBalances(accountId: string): Promise<Balance[]> {
    return this.reads.fetchBalances(accountId);
  }

  // ------------------------------------------------------------------ monitoring

  /** Streams the account's order updates to `onOrderUpdate` listeners (ccxt pro, with REST polling fallback). */
  startMonitoring(accountId: string): void {
    this.monitoring.start(accountId);
  }

  stopMonitoring(accountId: string): Promise<void> {
    return this.monitoring.stop(accountId);
  }

  monitorState(accountId: string): MonitorState | undefined {
    return this.monitoring.state(accountId);
  }

  onMonitorStateChange(listener: (accountId: string, state: MonitorState) => void): () => void {
    return this.monitoring.onMonitorStateChange(listener);
  }

  /** Stops every monitor, forgets every instance and refuses queued permits. */
  async close(): Promise<void> {
    await Promise.all([...this.registry.accountIds()].map((id) => this.stopMonitoring(id)));
    for (const id of this.registry.accountIds()) this.forget(id);
    this.limiter.dispose();
  }
}
