import type { OrderSide } from '../events.js';
import type { OrderTemplate } from '../strategies/strategy.js';
import type { MarketRules } from '../sizing/size-order.js';
import { type Dec, parseDec } from '../shared/decimal.js';
import { assertNever } from '../shared/decider.js';

const BPS = 10_000;

/**
 * Rounds a price to the tick in the passive direction: buys down, sells up, so rounding never
 * makes the price worse for the trader. A tick of 0 leaves the price as it is.
 */
export function roundToTick(price: Dec, side: OrderSide, tickSize: Dec): Dec {
  if (tickSize.lessThanOrEqualTo(0)) return price;
  const ticks = price.dividedBy(tickSize);
  return (side === 'buy' ? ticks.floor() : ticks.ceil()).times(tickSize);
}

/**
 * The limit price for an order, or `undefined` for a market order.
 *
 * - template market: `undefined` (the template decides the order type).
 * - template limit: the signal's own limit price when it carries one, else the reference price
 *   shifted by `offsetBps` in the passive direction (buy below, sell above; a negative offset
 *   crosses the spread). Either way the result is rounded to the market's tick, buy down / sell up.
 *
 * Throws on an `offsetBps` or `tickSize` that is not a decimal: both are validated configuration /
 * exchange data, so reaching here with garbage is a programming error, not an expected outcome.
 */
export function limitPriceFor(
  template: OrderTemplate,
  side: OrderSide,
  referencePrice: Dec,
  market: Pick<MarketRules, 'symbol' | 'tickSize'>,
  signalLimit?: Dec,
): Dec | undefined {
  return limitPriceWithRequest(template, side, referencePrice, market, signalLimit)?.price;
}

/** The limit price, and the price asked for before it was rounded to the market's tick (to record the rounding). */
export function limitPriceWithRequest(
  template: OrderTemplate,
  side: OrderSide,
  referencePrice: Dec,
  market: Pick<MarketRules, 'symbol' | 'tickSize'>,
  signalLimit?: Dec,
): { readonly price: Dec; readonly requested: Dec } | undefined {
  switch (template.type) {
    case 'market':
      return undefined;
    case 'limit': {
      const tick = parseDec(market.tickSize);
      if (!tick || tick.isNegative()) throw new Error(`market ${market.symbol} has an invalid tick size: ${market.tickSize}`);
      if (signalLimit !== undefined) return { price: roundToTick(signalLimit, side, tick), requested: signalLimit };
      const offsetBps = parseDec(template.offsetBps);
      if (!offsetBps) throw new Error(`limit template has an invalid offsetBps: ${template.offsetBps}`);
      const shift = offsetBps.dividedBy(BPS);
      const factor = side === 'buy' ? shift.negated().plus(1) : shift.plus(1);
      const requested = referencePrice.times(factor);
      return { price: roundToTick(requested, side, tick), requested };
    }
    default:
      return assertNever(template);
  }
}
