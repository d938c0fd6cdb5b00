import type { ExchangeOrder, PlaceOrderListRequest, PlaceOrderListResult } from '../../../application/ports/exchange.js';
import type { CcxtClient, CcxtMarketLike, CcxtOrderLike } from './ccxt-types.js';
import { breakerOutcome } from './exchange-call.js';
import { localRefusal, outcomeOfFailure, type OrderPlacementDeps } from './order-placement.js';
import { portSymbolOf } from './order-mapping.js';
import { validateOrder } from './order-validation.js';
import { RejectCode } from './reject-codes.js';
import { holdsOrderLists } from './order-list-venues.js';

/** The same parts as a single order's placement. */
export type OrderListPlacementDeps = OrderPlacementDeps;

/** ccxt's implicit Binance spot methods for order lists (ccxt has no unified OCO call), and its parser of Binance order reports. */
interface OrderListClient {
  privatePostOrderListOco(params: Record<string, string>): Promise<unknown>;
  parseOrder(order: unknown, market?: unknown): CcxtOrderLike;
}

const hasListMethods = (client: CcxtClient): client is CcxtClient & OrderListClient =>
  typeof (client as Partial<OrderListClient>).privatePostOrderListOco === 'function' && typeof (client as Partial<OrderListClient>).parseOrder === 'function';

/**
 * One-cancels-other lists on Binance spot (issue 17; `POST /api/v3/orderList/oco`), through the
 * same pipeline as a single order: both legs validated against the market (nothing is sent on a
 * refusal) → circuit breaker → rate limiter → the request → classification (a refusal is
 * definitive for both legs; a lost answer is `unknown` and each leg is then looked up by its
 * clientOrderId like any order, since Binance shows list legs as orders).
 */
export class OrderListPlacement {
  constructor(private readonly deps: OrderListPlacementDeps) {}

  supports(accountId: string): boolean {
    const entry = this.deps.registry.get(accountId);
    return entry !== undefined && holdsOrderLists(entry.config.exchangeId, entry.venue.spec.marketType);
  }

  async place(accountId: string, request: PlaceOrderListRequest): Promise<PlaceOrderListResult> {
    const { options, log, registry, venues, breakers, caller, clients, knownOrders, completion } = this.deps;
    const entry = registry.get(accountId);
    if (!entry) return { kind: 'rejected', code: RejectCode.UNKNOWN_ACCOUNT, reason: `account ${accountId} is not registered with the ccxt gateway` };
    if (entry.disabled !== undefined) return { kind: 'rejected', code: RejectCode.AUTH, reason: `account ${accountId} is disabled: ${entry.disabled}` };
    if (!this.supports(accountId)) return { kind: 'rejected', code: RejectCode.NOT_SUPPORTED, reason: `${entry.venue.spec.exchangeId} ${entry.venue.spec.marketType} has no one-cancels-other lists here; nothing was sent` };
    const venue = entry.venue;
    try {
      await venues.load(venue);
    } catch (error) {
      return { kind: 'not_placed', code: RejectCode.EXCHANGE_UNAVAILABLE, reason: `markets of ${venue.hostKey} could not be loaded, nothing sent: ${caller.classify(entry, error).reason}` };
    }
    const market = venue.resolve(request.symbol);
    if (!market) return { kind: 'rejected', code: RejectCode.UNKNOWN_SYMBOL, reason: `${request.symbol} is not a ${venue.spec.marketType} market of ${venue.spec.exchangeId}` };

    // ---- validation: each leg as the limit order it rests as (the stop at its trigger price)
    const rounding = options.limitPriceRounding ? { limitPriceRounding: options.limitPriceRounding } : {};
    const limit = validateOrder(market, venue.precisionMode, { side: request.side, type: 'limit', quantity: request.quantity, limitPrice: request.limitLeg.price }, rounding);
    if (!limit.ok) return { kind: 'rejected', code: limit.code, reason: `take-profit leg: ${limit.reason}` };
    const stop = validateOrder(market, venue.precisionMode, { side: request.side, type: 'limit', quantity: request.quantity, limitPrice: request.stopLeg.stopPrice }, rounding);
    if (!stop.ok) return { kind: 'rejected', code: stop.code, reason: `stop leg: ${stop.reason}` };
    const stopLimit = request.stopLeg.limitPrice !== undefined
      ? validateOrder(market, venue.precisionMode, { side: request.side, type: 'limit', quantity: request.quantity, limitPrice: request.stopLeg.limitPrice }, rounding)
      : undefined;
    if (stopLimit && !stopLimit.ok) return { kind: 'rejected', code: stopLimit.code, reason: `stop leg's limit: ${stopLimit.reason}` };
    const adjustments = [...limit.adjustments, ...stop.adjustments.filter((a) => !a.startsWith('quantity')).map((a) => `stop ${a}`)];
    const quantity = limit.amount;
    const limitPrice = limit.price!;
    const stopPrice = stop.price!;
    const stopLimitPrice = stopLimit?.ok ? stopLimit.price : undefined;

    // ---- circuit breaker
    const permit = breakers.get(venue.hostKey).tryAcquire();
    if (!permit.ok) return { kind: 'not_placed', code: permit.code, reason: permit.reason, retryAfterMs: permit.retryInMs };

    const params = binanceListParams(market, request, { quantity, limitPrice, stopPrice, ...(stopLimitPrice !== undefined ? { stopLimitPrice } : {}) });
    const symbol = portSymbolOf(market);
    const result = await caller.call(entry, options.maxOrderWaitMs ?? 10_000, async (client) => {
      if (!hasListMethods(client)) throw new Error('this ccxt client cannot place order lists');
      knownOrders.remember(request.limitLeg.clientOrderId, accountId, symbol, true);
      knownOrders.remember(request.stopLeg.clientOrderId, accountId, symbol, true);
      const answer = await client.privatePostOrderListOco(params);
      const reports = (answer as { orderReports?: unknown }).orderReports;
      return Array.isArray(reports) ? reports.map((r) => client.parseOrder(r, market)) : [];
    });

    if (result.ok) {
      permit.done('success');
      try {
        const legs = await Promise.all(result.value.map((raw) => completion.complete(entry, market, raw, { side: request.side, quantity: limit.quantity }, false)));
        const limitLeg = legs.find((o) => o.clientOrderId === request.limitLeg.clientOrderId);
        const stopLeg = legs.find((o) => o.clientOrderId === request.stopLeg.clientOrderId);
        if (!limitLeg || !stopLeg) return { kind: 'unknown', reason: 'the exchange accepted the order list but its answer does not show both legs' };
        entry.monitor?.track(limitLeg);
        entry.monitor?.track(stopLeg);
        return { kind: 'accepted', limitLeg: asLeg(limitLeg, 'limit'), stopLeg: asLeg(stopLeg, request.stopLeg.limitPrice !== undefined ? 'stop_limit' : 'stop_market'), ...(adjustments.length > 0 ? { adjustments } : {}) };
      } catch (error) {
        const reason = clients.redact(entry, error instanceof Error ? error.message : String(error));
        return { kind: 'unknown', reason: `the exchange accepted the order list but its answer could not be read: ${reason}` };
      }
    }
    if ('local' in result) {
      permit.done('neutral');
      return localRefusal(result);
    }
    const c = result.error;
    permit.done(breakerOutcome(c.kind), c.reason);
    log.warn({ accountId, listClientOrderId: request.listClientOrderId, kind: c.kind, exchangeCode: c.exchangeCode, reason: c.reason }, 'order list not accepted');
    const outcome = outcomeOfFailure(c);
    if (outcome.kind === 'rejected' || outcome.kind === 'not_placed') {
      knownOrders.refused(request.limitLeg.clientOrderId);
      knownOrders.refused(request.stopLeg.clientOrderId);
    }
    return outcome.kind === 'accepted' ? { kind: 'unknown', reason: 'unexpected answer' } : outcome;
  }
}

/** Binance reports a list's limit leg as LIMIT_MAKER and its stop as STOP_LOSS(_LIMIT): the port's types. */
function asLeg(order: ExchangeOrder, type: ExchangeOrder['type']): ExchangeOrder {
  return { ...order, type };
}

/**
 * Binance's parameters: a sell list has its limit above the market and its stop below; a buy list
 * the other way round. Each leg carries our clientOrderId; the list its listClientOrderId.
 */
export function binanceListParams(market: CcxtMarketLike, request: PlaceOrderListRequest, checked: { quantity: string; limitPrice: string; stopPrice: string; stopLimitPrice?: string }): Record<string, string> {
  const limitLeg = { Type: 'LIMIT_MAKER', Price: checked.limitPrice, ClientOrderId: request.limitLeg.clientOrderId };
  const stopLeg = checked.stopLimitPrice !== undefined
    ? { Type: 'STOP_LOSS_LIMIT', StopPrice: checked.stopPrice, Price: checked.stopLimitPrice, TimeInForce: 'GTC', ClientOrderId: request.stopLeg.clientOrderId }
    : { Type: 'STOP_LOSS', StopPrice: checked.stopPrice, ClientOrderId: request.stopLeg.clientOrderId };
  const [above, below] = request.side === 'sell' ? [limitLeg, stopLeg] : [stopLeg, limitLeg];
  const params: Record<string, string> = {
    symbol: String(market.id ?? market.symbol.replace('/', '')), side: request.side.toUpperCase(), quantity: checked.quantity,
    listClientOrderId: request.listClientOrderId, newOrderRespType: 'FULL',
  };
  for (const [key, value] of Object.entries(above)) params[`above${key}`] = value;
  for (const [key, value] of Object.entries(below)) params[`below${key}`] = value;
  return params;
}
