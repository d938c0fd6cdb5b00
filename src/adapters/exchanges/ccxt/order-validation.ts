import type { OrderSide, OrderType } from '../../../application/ports/exchange.js';
import { Dec, decToString, parseDec } from '../../../domain/shared/decimal.js';
import type { CcxtMarketLike, NumLike } from './ccxt-types.js';
import { RejectCode } from './reject-codes.js';

/** ccxt's `precisionMode` values (`ccxt/js/src/base/functions/number.js`). */
export const PrecisionMode = { DECIMAL_PLACES: 2, SIGNIFICANT_DIGITS: 3, TICK_SIZE: 4 } as const;

export interface OrderToValidate {
  readonly side: OrderSide;
  readonly type: OrderType;
  /** base-asset quantity, decimal string */
  readonly quantity: string;
  readonly limitPrice?: string;
}

export interface ValidationOptions {
  /** price to check a market order's notional against (e.g. last or average price); skipped when absent */
  readonly referencePrice?: string;
  /**
   * A limit price off the tick: `passive` (default) rounds it toward the passive side (a buy
   * down, a sell up: never a worse price than asked, the same rule as the domain's
   * `roundToTick`); `reject` refuses it with PRICE_FILTER.
   */
  readonly limitPriceRounding?: 'passive' | 'reject';
}

export type ValidationRejectCode =
  | typeof RejectCode.INVALID_ORDER
  | typeof RejectCode.LOT_SIZE
  | typeof RejectCode.MIN_QTY
  | typeof RejectCode.MAX_QTY
  | typeof RejectCode.PRICE_FILTER
  | typeof RejectCode.MIN_NOTIONAL
  | typeof RejectCode.MAX_NOTIONAL
  | typeof RejectCode.MARKET_CLOSED
  | typeof RejectCode.NOT_SUPPORTED;

export type ValidationResult =
  | {
      readonly ok: true;
      /** what to hand to ccxt's createOrder: in contracts for derivatives, in base otherwise */
      readonly amount: string;
      /** the base quantity that amount stands for (equal to amount on spot) */
      readonly quantity: string;
      /** limit orders only */
      readonly price?: string;
      /** human notes about rounding that happened */
      readonly adjustments: readonly string[];
    }
  | { readonly ok: false; readonly code: ValidationRejectCode; readonly reason: string };

const s = decToString;

function reject(code: ValidationRejectCode, reason: string): ValidationResult {
  return { ok: false, code, reason };
}

/** A limit value, or undefined when absent, not a number, or <= 0 (Binance uses 0 for "no limit"). */
function limit(value: NumLike): Dec | undefined {
  if (value === null || value === undefined) return undefined;
  const d = parseDec(value);
  return d && d.greaterThan(0) ? d : undefined;
}

/**
 * The increment ccxt's precision stands for at `value`: TICK_SIZE is the increment itself;
 * DECIMAL_PLACES `p` is 10^-p; SIGNIFICANT_DIGITS `d` keeps d significant digits of `value`.
 * Undefined when the market has no precision (no rounding then).
 */
export function incrementAt(precision: NumLike, precisionMode: number, value: Dec): Dec | undefined {
  const p = limitOrZero(precision);
  if (p === undefined) return undefined;
  switch (precisionMode) {
    case PrecisionMode.TICK_SIZE:
      return p.greaterThan(0) ? p : undefined;
    case PrecisionMode.DECIMAL_PLACES:
      return p.isInteger() ? new Dec(10).pow(p.negated()) : undefined;
    case PrecisionMode.SIGNIFICANT_DIGITS: {
      if (!p.isInteger() || p.lessThanOrEqualTo(0) || value.isZero()) return undefined;
      const exponent = value.abs().e; // floor(log10(|value|))
      return new Dec(10).pow(exponent - p.toNumber() + 1);
    }
    default:
      return undefined;
  }
}

function limitOrZero(value: NumLike): Dec | undefined {
  if (value === null || value === undefined) return undefined;
  return parseDec(value);
}

function floorTo(value: Dec, step: Dec): Dec {
  return value.dividedToIntegerBy(step).times(step);
}

function ceilTo(value: Dec, step: Dec): Dec {
  const floor = floorTo(value, step);
  return floor.equals(value) ? floor : floor.plus(step);
}

/**
 * Checks and normalises an order against a ccxt market (`precision`, `limits`, `contractSize`)
 * before anything is sent, with decimal arithmetic only.
 *
 * - The quantity is rounded DOWN to the amount step (never more than asked); rounding to zero
 *   is LOT_SIZE; below `limits.amount.min` is MIN_QTY, above `max` MAX_QTY (never clamped).
 *   Market orders also honour `limits.market` (Binance MARKET_LOT_SIZE).
 * - Derivatives: the quantity is in base units and is converted to contracts
 *   (`quantity / contractSize`) before rounding; inverse contracts are not supported.
 * - A limit price off the tick is rounded toward the passive side (default) or refused; it must
 *   be within `limits.price` (PRICE_FILTER).
 * - Notional = base quantity × (limit price | reference price) must be within `limits.cost`
 *   (exactly the minimum passes). A market order without a reference price skips this check
 *   and leaves it to the exchange.
 */
export function validateOrder(market: CcxtMarketLike, precisionMode: number, order: OrderToValidate, options: ValidationOptions = {}): ValidationResult {
  if (market.active === false) return reject(RejectCode.MARKET_CLOSED, `${market.symbol} is not active on the exchange`);
  if (market.contract === true && market.inverse === true) {
    return reject(RejectCode.NOT_SUPPORTED, `${market.symbol} is an inverse contract; only spot and linear contracts are supported`);
  }
  if (order.side !== 'buy' && order.side !== 'sell') return reject(RejectCode.INVALID_ORDER, `bad side ${String(order.side)}`);
  if (order.type !== 'market' && order.type !== 'limit') return reject(RejectCode.INVALID_ORDER, `bad order type ${String(order.type)}`);

  const quantity = parseDec(order.quantity);
  if (!quantity || !quantity.greaterThan(0)) return reject(RejectCode.INVALID_ORDER, `quantity must be a positive decimal, got ${String(order.quantity)}`);

  const contractSize = market.contract === true ? (limit(market.contractSize) ?? new Dec(1)) : new Dec(1);
  const adjustments: string[] = [];

  // --- quantity (in exchange units: contracts for derivatives) ---
  const rawAmount = quantity.dividedBy(contractSize);
  const step = incrementAt(market.precision.amount, precisionMode, rawAmount);
  const amount = step ? floorTo(rawAmount, step) : rawAmount;
  const unit = market.contract === true ? ' contracts' : '';
  if (!amount.greaterThan(0)) {
    return reject(RejectCode.LOT_SIZE, `quantity ${order.quantity} is below one step (${step ? s(step.times(contractSize)) : '?'}) of ${market.symbol}`);
  }
  if (!amount.equals(rawAmount)) adjustments.push(`quantity ${order.quantity} rounded down to ${s(amount.times(contractSize))} (step ${s(step!.times(contractSize))})`);
  const baseQuantity = amount.times(contractSize);

  const minAmount = limit(market.limits.amount?.min);
  const maxAmount = limit(market.limits.amount?.max);
  if (minAmount && amount.lessThan(minAmount)) {
    return reject(RejectCode.MIN_QTY, `quantity ${s(amount)}${unit} is below the minimum ${s(minAmount)}${unit} of ${market.symbol}`);
  }
  if (maxAmount && amount.greaterThan(maxAmount)) {
    return reject(RejectCode.MAX_QTY, `quantity ${s(amount)}${unit} is above the maximum ${s(maxAmount)}${unit} of ${market.symbol}`);
  }
  if (order.type === 'market') {
    const minMarket = limit(market.limits.market?.min);
    const maxMarket = limit(market.limits.market?.max);
    if (minMarket && amount.lessThan(minMarket)) {
      return reject(RejectCode.MIN_QTY, `market order quantity ${s(amount)}${unit} is below the minimum ${s(minMarket)}${unit} of ${market.symbol}`);
    }
    if (maxMarket && amount.greaterThan(maxMarket)) {
      return reject(RejectCode.MAX_QTY, `market order quantity ${s(amount)}${unit} is above the maximum ${s(maxMarket)}${unit} of ${market.symbol}`);
    }
  }

  // --- price ---
  let price: Dec | undefined;
  if (order.type === 'limit') {
    if (order.limitPrice === undefined) return reject(RejectCode.INVALID_ORDER, 'a limit order needs a limit price');
    const asked = parseDec(order.limitPrice);
    if (!asked) return reject(RejectCode.INVALID_ORDER, `limit price must be a decimal, got ${String(order.limitPrice)}`);
    if (!asked.greaterThan(0)) return reject(RejectCode.PRICE_FILTER, `limit price must be > 0, got ${order.limitPrice}`);
    const tick = incrementAt(market.precision.price, precisionMode, asked);
    price = asked;
    if (tick && !asked.modulo(tick).isZero()) {
      if (options.limitPriceRounding === 'reject') {
        return reject(RejectCode.PRICE_FILTER, `limit price ${order.limitPrice} is not a multiple of the tick ${s(tick)} of ${market.symbol}`);
      }
      price = order.side === 'buy' ? floorTo(asked, tick) : ceilTo(asked, tick);
      adjustments.push(`limit price ${order.limitPrice} rounded ${order.side === 'buy' ? 'down' : 'up'} to ${s(price)} (tick ${s(tick)})`);
      if (!price.greaterThan(0)) return reject(RejectCode.PRICE_FILTER, `limit price ${order.limitPrice} is below one tick (${s(tick)}) of ${market.symbol}`);
    }
    const minPrice = limit(market.limits.price?.min);
    const maxPrice = limit(market.limits.price?.max);
    if (minPrice && price.lessThan(minPrice)) return reject(RejectCode.PRICE_FILTER, `limit price ${s(price)} is below the minimum ${s(minPrice)} of ${market.symbol}`);
    if (maxPrice && price.greaterThan(maxPrice)) return reject(RejectCode.PRICE_FILTER, `limit price ${s(price)} is above the maximum ${s(maxPrice)} of ${market.symbol}`);
  }

  // --- notional ---
  const notionalPrice = price ?? (options.referencePrice !== undefined ? parseDec(options.referencePrice) : undefined);
  if (notionalPrice && notionalPrice.greaterThan(0)) {
    const notional = baseQuantity.times(notionalPrice);
    const at = price ? `at the limit price ${s(price)}` : `at the reference price ${s(notionalPrice)}`;
    const minCost = limit(market.limits.cost?.min);
    const maxCost = limit(market.limits.cost?.max);
    if (minCost && notional.lessThan(minCost)) {
      return reject(RejectCode.MIN_NOTIONAL, `notional ${s(notional)} ${market.quote} (${s(baseQuantity)} ${at}) is below the minimum ${s(minCost)} ${market.quote} of ${market.symbol}`);
    }
    if (maxCost && notional.greaterThan(maxCost)) {
      return reject(RejectCode.MAX_NOTIONAL, `notional ${s(notional)} ${market.quote} (${s(baseQuantity)} ${at}) is above the maximum ${s(maxCost)} ${market.quote} of ${market.symbol}`);
    }
  }

  return {
    ok: true,
    amount: s(amount),
    quantity: s(baseQuantity),
    ...(price ? { price: s(price) } : {}),
    adjustments,
  };
}

/**
 * ccxt's createOrder takes JS numbers. A decimal string of at most 15 significant digits maps to
 * the double whose shortest representation is that same decimal, and ccxt turns it back into that
 * string (`numberToString`) before sending: no precision is lost. Longer strings are refused.
 */
export function toCcxtNumber(value: string): number | undefined {
  const d = parseDec(value);
  if (!d || d.precision(true) > 15) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) return undefined;
  const back = parseDec(n);
  return back && back.equals(d) ? n : undefined;
}
