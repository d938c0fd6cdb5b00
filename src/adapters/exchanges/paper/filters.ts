import type { Market, PlaceOrderRequest } from '../../../application/ports/exchange.js';
import { Dec, parseDec } from '../../../domain/shared/decimal.js';
import { hasLimitPrice, isConditional } from '../../../domain/orders/order-types.js';

/** Stable rejection codes of the paper exchange. */
export const RejectCode = {
  UNKNOWN_ACCOUNT: 'UNKNOWN_ACCOUNT',
  UNKNOWN_SYMBOL: 'UNKNOWN_SYMBOL',
  INVALID_ORDER: 'INVALID_ORDER',
  DUPLICATE_CLIENT_ORDER_ID: 'DUPLICATE_CLIENT_ORDER_ID',
  LOT_SIZE: 'LOT_SIZE',
  PRICE_FILTER: 'PRICE_FILTER',
  NO_PRICE: 'NO_PRICE',
  MIN_NOTIONAL: 'MIN_NOTIONAL',
  INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  /** a stop / take-profit whose trigger the market has already reached (Binance -2021) */
  WOULD_TRIGGER_IMMEDIATELY: 'WOULD_TRIGGER_IMMEDIATELY',
  /** a one-cancels-other list whose prices do not straddle the market (Binance -2010 "The relationship of the prices for the orders is not correct.") */
  OCO_PRICES_WRONG_SIDE: 'OCO_PRICES_WRONG_SIDE',
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

export interface Rejection {
  readonly code: string;
  readonly reason: string;
}

/** Market filters parsed once. */
export interface MarketSpec {
  readonly market: Market;
  readonly tick: Dec;
  readonly step: Dec;
  readonly minQty: Dec;
  readonly maxQty: Dec;
  readonly minNotional: Dec;
}

export function marketSpec(market: Market): MarketSpec {
  const need = (text: string, what: string, allowZero = false): Dec => {
    const v = parseDec(text);
    if (!v || v.isNegative() || (!allowZero && v.isZero())) throw new RangeError(`${market.symbol}: bad ${what} ${text}`);
    return v;
  };
  const spec: MarketSpec = {
    market,
    tick: need(market.tickSize, 'tickSize'),
    step: need(market.stepSize, 'stepSize'),
    minQty: need(market.minQty, 'minQty'),
    maxQty: need(market.maxQty, 'maxQty'),
    minNotional: need(market.minNotional, 'minNotional', true),
  };
  if (spec.maxQty.lessThan(spec.minQty)) throw new RangeError(`${market.symbol}: maxQty < minQty`);
  return spec;
}

export function isMultipleOf(value: Dec, increment: Dec): boolean {
  return value.modulo(increment).isZero();
}

export function floorToStep(value: Dec, step: Dec): Dec {
  return value.dividedToIntegerBy(step).times(step);
}

export function ceilToStep(value: Dec, step: Dec): Dec {
  const floor = floorToStep(value, step);
  return floor.equals(value) ? floor : floor.plus(step);
}

/** Binance-style clientOrderId alphabet and length. */
const CLIENT_ORDER_ID = /^[.A-Za-z0-9:/_-]{1,36}$/;

/** A clientOrderId (or an order list's listClientOrderId) the exchange accepts. */
export function isClientOrderId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ORDER_ID.test(value);
}

export interface ValidatedRequest {
  readonly quantity: Dec;
  /** Present for limit orders. */
  readonly limitPrice?: Dec;
  /** Present for stop and take-profit orders (issue 17). */
  readonly stopPrice?: Dec;
}

/**
 * Shape and exchange filters that do not depend on state or price: clientOrderId format,
 * side/type, LOT_SIZE (multiple of step, within [minQty, maxQty]) and PRICE_FILTER (limit
 * price > 0 and a multiple of tick). `limitPrice` on a market order is ignored.
 */
export function validateStatic(spec: MarketSpec, request: PlaceOrderRequest): ValidatedRequest | Rejection {
  if (!isClientOrderId(request.clientOrderId)) {
    return { code: RejectCode.INVALID_ORDER, reason: 'clientOrderId must be 1-36 chars of [.A-Za-z0-9:/_-]' };
  }
  if (request.side !== 'buy' && request.side !== 'sell') return { code: RejectCode.INVALID_ORDER, reason: `bad side ${String(request.side)}` };
  if (request.type !== 'market' && request.type !== 'limit' && !isConditional(request.type)) return { code: RejectCode.INVALID_ORDER, reason: `bad type ${String(request.type)}` };
  const quantity = parseDec(request.quantity);
  if (!quantity || !quantity.greaterThan(0)) return { code: RejectCode.INVALID_ORDER, reason: `quantity must be a positive decimal, got ${String(request.quantity)}` };
  if (!isMultipleOf(quantity, spec.step)) return { code: RejectCode.LOT_SIZE, reason: `quantity ${request.quantity} is not a multiple of stepSize ${spec.market.stepSize}` };
  if (quantity.lessThan(spec.minQty)) return { code: RejectCode.LOT_SIZE, reason: `quantity ${request.quantity} < minQty ${spec.market.minQty}` };
  if (quantity.greaterThan(spec.maxQty)) return { code: RejectCode.LOT_SIZE, reason: `quantity ${request.quantity} > maxQty ${spec.market.maxQty}` };
  let stopPrice: Dec | undefined;
  if (isConditional(request.type)) {
    stopPrice = parseDec(request.stopPrice ?? '');
    if (!stopPrice || !stopPrice.greaterThan(0)) return { code: RejectCode.INVALID_ORDER, reason: `a ${request.type} order needs a positive stopPrice, got ${String(request.stopPrice)}` };
    if (!isMultipleOf(stopPrice, spec.tick)) return { code: RejectCode.PRICE_FILTER, reason: `stopPrice ${request.stopPrice} is not a multiple of tickSize ${spec.market.tickSize}` };
  }
  if (!hasLimitPrice(request.type)) return { quantity, ...(stopPrice ? { stopPrice } : {}) };
  if (request.limitPrice === undefined) return { code: RejectCode.INVALID_ORDER, reason: 'limit order needs limitPrice' };
  const limitPrice = parseDec(request.limitPrice);
  if (!limitPrice) return { code: RejectCode.INVALID_ORDER, reason: `limitPrice must be a decimal, got ${String(request.limitPrice)}` };
  if (!limitPrice.greaterThan(0)) return { code: RejectCode.PRICE_FILTER, reason: `limitPrice must be > 0, got ${request.limitPrice}` };
  if (!isMultipleOf(limitPrice, spec.tick)) return { code: RejectCode.PRICE_FILTER, reason: `limitPrice ${request.limitPrice} is not a multiple of tickSize ${spec.market.tickSize}` };
  return { quantity, limitPrice, ...(stopPrice ? { stopPrice } : {}) };
}

export function isRejection(value: ValidatedRequest | Rejection): value is Rejection {
  return 'code' in value;
}
