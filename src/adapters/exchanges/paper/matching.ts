import type { OrderSide } from '../../../application/ports/exchange.js';
import { Dec } from '../../../domain/shared/decimal.js';
import { floorToStep } from './filters.js';

/** A limit order is marketable when it would trade immediately at `price`. */
export function isMarketable(side: OrderSide, limit: Dec, price: Dec): boolean {
  return side === 'buy' ? price.lessThanOrEqualTo(limit) : price.greaterThanOrEqualTo(limit);
}

/** A resting order is crossed by a tick at `price` (same rule as marketable). */
export const crosses = isMarketable;

/** Partial fills draw between 30% and 100% of the remaining quantity (in basis points). */
export const PARTIAL_MIN_BPS = 3_000;
export const PARTIAL_MAX_BPS = 10_000;

/**
 * Quantity of one maker fill: `remaining * fractionBps / 10000` floored to the step, at least
 * minQty; when what would be left is below minQty, the whole remaining fills.
 */
export function partialFillQuantity(remaining: Dec, fractionBps: number, step: Dec, minQty: Dec): Dec {
  if (!remaining.greaterThan(0)) return new Dec(0);
  if (!Number.isInteger(fractionBps) || fractionBps <= 0 || fractionBps > 10_000) throw new RangeError(`fractionBps out of range: ${fractionBps}`);
  let quantity = floorToStep(remaining.times(fractionBps).dividedBy(10_000), step);
  if (quantity.lessThan(minQty)) quantity = minQty;
  if (quantity.greaterThan(remaining) || remaining.minus(quantity).lessThan(minQty)) quantity = remaining;
  return quantity;
}
