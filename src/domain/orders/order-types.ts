import type { ConditionalOrderType, OrderSide, OrderType } from '../events.js';
import type { Dec } from '../shared/decimal.js';
import type { DomainError } from '../shared/result.js';

/**
 * Order types beyond market and limit (issue 17): stop and take-profit orders wait for their
 * trigger (`stopPrice`) on the exchange, then execute as a market order or rest as a limit order.
 *   stop:        a sell triggers at or below the stop, a buy at or above (the price moved against it)
 *   take-profit: a sell triggers at or above the stop, a buy at or below
 */
export const CONDITIONAL_TYPES: readonly ConditionalOrderType[] = ['stop_market', 'stop_limit', 'take_profit', 'take_profit_limit'];

export function isConditional(type: OrderType): type is ConditionalOrderType {
  return (CONDITIONAL_TYPES as readonly OrderType[]).includes(type);
}

/** The order carries a limit price (rests at it, once triggered for the conditional ones). */
export function hasLimitPrice(type: OrderType): boolean {
  return type === 'limit' || type === 'stop_limit' || type === 'take_profit_limit';
}

/** What the order becomes once triggered (or is from the start). */
export function executesAs(type: OrderType): 'market' | 'limit' {
  return hasLimitPrice(type) ? 'limit' : 'market';
}

const isStop = (type: ConditionalOrderType): boolean => type === 'stop_market' || type === 'stop_limit';

/** Whether a conditional order triggers at this price. */
export function triggers(type: ConditionalOrderType, side: OrderSide, stopPrice: Dec, price: Dec): boolean {
  const priceFell = price.lessThanOrEqualTo(stopPrice);
  const priceRose = price.greaterThanOrEqualTo(stopPrice);
  if (isStop(type)) return side === 'sell' ? priceFell : priceRose;
  return side === 'sell' ? priceRose : priceFell;
}

/**
 * A conditional order whose trigger is on the wrong side of the market would trigger at once
 * (exchanges refuse it, Binance with -2021): STOP_WRONG_SIDE / TAKE_PROFIT_WRONG_SIDE.
 */
export function checkTriggerSide(type: ConditionalOrderType, side: OrderSide, stopPrice: Dec, market: Dec): DomainError | undefined {
  if (!triggers(type, side, stopPrice, market)) return undefined;
  const want = isStop(type) === (side === 'sell') ? 'below' : 'above';
  return isStop(type)
    ? { code: 'STOP_WRONG_SIDE', message: `a ${side} stop must be ${want} the market (${market.toString()}); ${stopPrice.toString()} would trigger at once` }
    : { code: 'TAKE_PROFIT_WRONG_SIDE', message: `a ${side} take-profit must be ${want} the market (${market.toString()}); ${stopPrice.toString()} would trigger at once` };
}
