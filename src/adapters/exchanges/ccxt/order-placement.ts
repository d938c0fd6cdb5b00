import type { PlaceOrderRequest, PlaceOrderResult } from '../../../application/ports/exchange.js';
import type { Logger } from '../../../application/ports/logger.js';
import { assertNever } from '../../../domain/shared/decider.js';
import type { AccountRegistry } from './account-registry.js';
import type { CcxtClients } from './ccxt-clients.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import type { ErrorClassification } from './error-classification.js';
import { breakerOutcome, type ExchangeCaller } from './exchange-call.js';
import type { CcxtGatewayOptions } from './gateway-options.js';
import type { KnownOrders } from './known-orders.js';
import type { OrderCompletion } from './order-completion.js';
import { portSymbolOf, type OrderFallback } from './order-mapping.js';
import { toCcxtNumber, validateOrder } from './order-validation.js';
import { RejectCode } from './reject-codes.js';
import type { VenueLoader } from './venue-loader.js';
import type { FuturesSetup } from './futures-setup.js';
import { executesAs, isConditional } from '../../../domain/orders/order-types.js';

export interface OrderPlacementDeps {
  readonly options: Pick<CcxtGatewayOptions, 'referencePrice' | 'limitPriceRounding' | 'maxOrderWaitMs'>;
  readonly log: Logger;
  readonly registry: AccountRegistry;
  readonly venues: VenueLoader;
  readonly breakers: CircuitBreakers;
  readonly caller: ExchangeCaller;
  readonly clients: CcxtClients;
  readonly knownOrders: KnownOrders;
  readonly completion: OrderCompletion;
  /** sets a swap account's leverage and margin mode before its order (issue 17) */
  readonly futures?: FuturesSetup;
}

/**
 * The placeOrder pipeline: market pre-validation (nothing is sent on a refusal) → circuit breaker
 * of the host → rate limiter (inside the exchange call) → `createOrder` → classification of the
 * outcome (see `outcomeOfFailure`).
 */
export class OrderPlacement {
  constructor(private readonly deps: OrderPlacementDeps) {}

  async place(accountId: string, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const { options, log, registry, venues, breakers, caller, clients, knownOrders, completion } = this.deps;
    const entry = registry.get(accountId);
    if (!entry) return { kind: 'rejected', code: RejectCode.UNKNOWN_ACCOUNT, reason: `account ${accountId} is not registered with the ccxt gateway` };
    if (entry.disabled !== undefined) return { kind: 'rejected', code: RejectCode.AUTH, reason: `account ${accountId} is disabled: ${entry.disabled}` };
    const venue = entry.venue;

    try {
      await venues.load(venue);
    } catch (error) {
      // nothing was sent: the executor tries again after a back-off
      return { kind: 'not_placed', code: RejectCode.EXCHANGE_UNAVAILABLE, reason: `markets of ${venue.hostKey} could not be loaded, nothing sent: ${caller.classify(entry, error).reason}` };
    }
    const market = venue.resolve(request.symbol);
    if (!market) return { kind: 'rejected', code: RejectCode.UNKNOWN_SYMBOL, reason: `${request.symbol} is not a ${venue.spec.marketType} market of ${venue.spec.exchangeId}` };
    // no ccxt venue is wired to trail by a price distance (routing refuses it first): never sent as something else
    if (request.trailingDistance !== undefined) return { kind: 'rejected', code: RejectCode.INVALID_ORDER, reason: `${venue.spec.exchangeId} trails a stop by percent only; nothing was sent` };

    // ---- validation
    const reference = request.type === 'market' ? options.referencePrice?.(request.symbol, accountId) : undefined;
    // a stop / take-profit is checked as what it executes as once triggered (issue 17)
    const checked = validateOrder(market, venue.precisionMode, { ...request, type: executesAs(request.type) }, {
      ...(reference !== undefined ? { referencePrice: reference } : {}),
      ...(options.limitPriceRounding ? { limitPriceRounding: options.limitPriceRounding } : {}),
    });
    if (!checked.ok) return { kind: 'rejected', code: checked.code, reason: checked.reason };
    const amount = toCcxtNumber(checked.amount);
    const price = checked.price !== undefined ? toCcxtNumber(checked.price) : undefined;
    if (amount === undefined || (checked.price !== undefined && price === undefined)) {
      return { kind: 'rejected', code: RejectCode.INVALID_ORDER, reason: `quantity ${checked.amount} or price ${checked.price ?? ''} has more digits than ccxt can carry` };
    }
    for (const note of checked.adjustments) log.info({ accountId, clientOrderId: request.clientOrderId, note }, 'order adjusted to the market rules');

    // ---- leverage and margin mode (swap): equal to the account's settings, or the order is not sent.
    // A reduce-only order cannot add exposure: it never waits on them (an exit or a stop must not be
    // blocked because the exchange refuses a margin-mode change while the position is open).
    const unset = request.reduceOnly === true ? undefined : await this.deps.futures?.ensure(entry, market.symbol, portSymbolOf(market));
    if (unset) return unset;

    // ---- circuit breaker
    const breaker = breakers.get(venue.hostKey);
    const permit = breaker.tryAcquire();
    // nothing is sent while the exchange keeps failing: the executor tries again once the breaker lets a probe through
    if (!permit.ok) return { kind: 'not_placed', code: permit.code, reason: permit.reason, retryAfterMs: permit.retryInMs };

    // ---- rate limiter → createOrder
    const fallback: OrderFallback = {
      clientOrderId: request.clientOrderId,
      side: request.side,
      type: request.type,
      quantity: checked.quantity,
      ...(checked.price !== undefined ? { limitPrice: checked.price } : {}),
    };
    const params = { ...entry.profile.createParams(request.clientOrderId, venue.spec.marketType, request.reduceOnly === true), ...triggerParams(request) };
    const result = await caller.call(entry, options.maxOrderWaitMs ?? 10_000, (client) => {
      knownOrders.remember(request.clientOrderId, accountId, portSymbolOf(market), true);
      return client.createOrder(market.symbol, executesAs(request.type), request.side, amount, price, params);
    });

    // ---- classification
    if (result.ok) {
      permit.done('success');
      try {
        const order = await completion.complete(entry, market, result.value, fallback, false);
        entry.monitor?.track(order);
        // what was rounded to the market's step and tick travels with the answer, to be recorded on the order
        return { kind: 'accepted', order, ...(checked.adjustments.length > 0 ? { adjustments: checked.adjustments } : {}) };
      } catch (error) {
        const reason = clients.redact(entry, error instanceof Error ? error.message : String(error));
        return { kind: 'unknown', reason: `the exchange accepted the order but its answer could not be read: ${reason}` };
      }
    }
    if ('local' in result) {
      permit.done('neutral');
      return localRefusal(result);
    }
    const c = result.error;
    permit.done(breakerOutcome(c.kind), c.reason);
    log.warn({ accountId, clientOrderId: request.clientOrderId, kind: c.kind, exchangeCode: c.exchangeCode, reason: c.reason }, 'order not accepted');
    const outcome = outcomeOfFailure(c);
    // a definite "nothing placed": no fill of it can exist (it is no rival of a lost order's trades)
    if (outcome.kind === 'rejected' || outcome.kind === 'not_placed') knownOrders.refused(request.clientOrderId);
    return outcome;
  }
}

/** A call refused here, before anything left (the local rate limiter, an account not set up): nothing was placed. */
export function localRefusal(result: { readonly local: string; readonly reason: string }): { kind: 'not_placed'; code: string; reason: string } {
  return { kind: 'not_placed', code: result.local === 'rate_limit_wait' ? RejectCode.RATE_LIMITED : RejectCode.EXCHANGE_UNAVAILABLE, reason: result.reason };
}

/**
 * A classified `createOrder` failure as a placement result: a refusal is `rejected`; a duplicate
 * clientOrderId is `unknown` (the order probably exists: the executor looks it up; never a
 * rejection); timeouts, 5xx, rate limits are `unknown`; clock skew left after the resync and
 * refused credentials are `rejected`.
 */
export function outcomeOfFailure(c: ErrorClassification): PlaceOrderResult {
  switch (c.kind) {
    case 'rejected':
      return { kind: 'rejected', code: c.code, reason: c.reason };
    case 'duplicate':
      return { kind: 'unknown', reason: `duplicate clientOrderId: ${c.reason}` };
    case 'not_found':
      return { kind: 'unknown', reason: c.reason };
    case 'unknown':
      // the exchange refused the connection or its name did not resolve: the request never left
      if (c.unsent === true) return { kind: 'not_placed', code: RejectCode.EXCHANGE_UNAVAILABLE, reason: `the exchange could not be reached, nothing sent: ${c.reason}` };
      return { kind: 'unknown', reason: c.reason };
    case 'rate_limited':
      // 429 / 418: the exchange refused the request before its matching engine saw it
      return { kind: 'not_placed', code: RejectCode.RATE_LIMITED, reason: c.reason, ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}) };
    case 'clock':
      return { kind: 'rejected', code: RejectCode.CLOCK_SKEW, reason: `refused for clock skew even after resynchronising: ${c.reason}` };
    case 'auth':
      return { kind: 'rejected', code: RejectCode.AUTH, reason: c.reason };
    default:
      return assertNever(c);
  }
}

/**
 * ccxt's unified params of a stop / take-profit (issue 17): `stopLossPrice` / `takeProfitPrice`,
 * which ccxt turns into the venue's own (Binance spot: STOP_LOSS(_LIMIT) / TAKE_PROFIT(_LIMIT) with stopPrice).
 */
export function triggerParams(request: PlaceOrderRequest): Record<string, string> {
  if (!isConditional(request.type) || request.stopPrice === undefined) return {};
  // a trailing stop: ccxt's trailingPercent (Binance spot: STOP_LOSS with trailingDelta in basis points; the first trigger from the price)
  if (request.trailingPercent !== undefined && request.type === 'stop_market') return { trailingPercent: request.trailingPercent, stopLossOrTakeProfit: 'stopLoss' };
  return request.type === 'stop_market' || request.type === 'stop_limit' ? { stopLossPrice: request.stopPrice } : { takeProfitPrice: request.stopPrice };
}
