import type { ConditionalOrderType, OrderSide } from '../events.js';
import type { NormalizedSignal } from '../signals/signal.js';
import { Dec, parseDec } from '../shared/decimal.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';
import { roundToTick } from './limit-price.js';
import { checkTriggerSide, hasLimitPrice, isConditional } from './order-types.js';

export interface ConditionalPrices {
  readonly type: ConditionalOrderType;
  readonly stopPrice: Dec;
  /** for stop_limit and take_profit_limit */
  readonly limitPrice?: Dec;
  /** a trailing stop's distance in percent (its first trigger is `stopPrice`, that far from the market) */
  readonly trailingPercent?: Dec;
  /** a trailing stop's distance in price (its first trigger is `stopPrice`, that far from the market) */
  readonly trailingDistance?: Dec;
}

/**
 * The prices of a stop / take-profit order an alert asks for (issue 17), rounded to the market's
 * tick (toward the passive side, like limit prices), or why not: a trigger on the wrong side of
 * the market (STOP_WRONG_SIDE, TAKE_PROFIT_WRONG_SIDE). `undefined`: the alert asks for no such order.
 */
export function conditionalPrices(signal: NormalizedSignal, side: OrderSide, market: Dec, tickSize: string): Result<ConditionalPrices, DomainError> | undefined {
  const type = signal.orderType;
  if (type === undefined || !isConditional(type)) return undefined;
  const tick = parseDec(tickSize);
  const trail = signal.trailingPercent !== undefined ? parseDec(signal.trailingPercent) : undefined;
  const distance = signal.trailingDistance !== undefined ? parseDec(signal.trailingDistance) : undefined;
  const stopAsked = trail
    ? (side === 'sell' ? market.times(new Dec(100).minus(trail)) : market.times(new Dec(100).plus(trail))).dividedBy(100)
    : distance
      ? (side === 'sell' ? market.minus(distance) : market.plus(distance))
      : parseDec(signal.stopPrice ?? '');
  if (!tick || !tick.greaterThan(0)) return err({ code: 'MARKET_RULES_INVALID', message: `the market's tick size ${tickSize} is not usable` });
  if (distance && tick && !distance.dividedBy(tick).isInteger()) {
    return err({ code: 'INVALID_TRAILING', message: `a trailing distance of ${distance.toString()} is not a whole number of ticks (${tickSize})` });
  }
  if (!stopAsked || !stopAsked.greaterThan(0)) return err({ code: 'STOP_PRICE_REQUIRED', message: `a ${type} order needs a positive stop price` });
  const stopPrice = roundToTick(stopAsked, side, tick);
  if (!stopPrice.greaterThan(0)) return err({ code: 'STOP_PRICE_REQUIRED', message: `stop price ${stopAsked.toString()} rounds to zero at tick ${tickSize}` });
  const wrongSide = checkTriggerSide(type, side, stopPrice, market);
  if (wrongSide) return err(wrongSide);
  if (!hasLimitPrice(type)) return ok({ type, stopPrice, ...(trail ? { trailingPercent: trail } : {}), ...(distance ? { trailingDistance: distance } : {}) });
  const limitAsked = parseDec(signal.limitPrice ?? '');
  if (!limitAsked || !limitAsked.greaterThan(0)) return err({ code: 'LIMIT_PRICE_REQUIRED', message: `a ${type} order needs a limit price` });
  return ok({ type, stopPrice, limitPrice: roundToTick(limitAsked, side, tick) });
}

