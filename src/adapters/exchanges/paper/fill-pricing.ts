import type { OrderSide } from '../../../application/ports/exchange.js';
import { Dec } from '../../../domain/shared/decimal.js';
import { ceilToStep, floorToStep } from './filters.js';

const BPS = new Dec(10_000);

/** bps (integer or decimal) as a rate: 10 -> 0.001. */
export function bpsRate(bps: number | string): Dec {
  const value = new Dec(String(bps));
  if (!value.isFinite() || value.isNegative()) throw new RangeError(`bps must be >= 0, got ${bps}`);
  return value.dividedBy(BPS);
}

/**
 * Market-order execution price: the reference price moved against the taker by the
 * slippage rate, then rounded to the tick against the taker (buy up, sell down).
 * A sell never goes below one tick.
 */
export function slippedPrice(side: OrderSide, reference: Dec, slippageRate: Dec, tick: Dec): Dec {
  if (side === 'buy') return ceilToStep(reference.times(new Dec(1).plus(slippageRate)), tick);
  const down = floorToStep(reference.times(new Dec(1).minus(slippageRate)), tick);
  return down.lessThan(tick) ? tick : down;
}

/** Fee in the quote asset, exact (no rounding): quantity * price * rate. */
export function feeFor(quantity: Dec, price: Dec, rate: Dec): Dec {
  return quantity.times(price).times(rate);
}

/** Quote needed to buy `quantity` at `price` paying `rate`: notional + fee. */
export function buyCost(quantity: Dec, price: Dec, rate: Dec): Dec {
  const notional = quantity.times(price);
  return notional.plus(notional.times(rate));
}
