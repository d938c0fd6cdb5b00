import type { OrderSide } from '../events.js';
import type { BracketLevel, BracketRequest } from '../signals/signal.js';
import { Dec, decToString, parseDec } from '../shared/decimal.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';
import type { BracketPlan } from './bracket.js';
import { roundToTick } from './limit-price.js';

/**
 * The bracket plan of an entry (issue 17) from what the alert asked: levels in percent become
 * prices from the entry's reference price, everything is rounded to the market's tick, and a
 * level on the wrong side of the entry is refused — a take-profit below the entry of a long
 * (TAKE_PROFIT_WRONG_SIDE), a stop-loss above it (STOP_WRONG_SIDE); mirrored for a short. A
 * stop-limit's limit (`stop_loss_limit`) must be at or beyond its stop in the direction the stop
 * exits (below a long's stop, above a short's; STOP_LIMIT_WRONG_SIDE); it is kept as its distance
 * from the stop, so a stop moved to break-even keeps the same room.
 */
export function bracketPlanFor(request: BracketRequest, entrySide: OrderSide, entry: Dec, market: { readonly tickSize: string; readonly stepSize: string }): Result<BracketPlan, DomainError> {
  const tick = parseDec(market.tickSize);
  if (!tick || !tick.greaterThan(0)) return err({ code: 'MARKET_RULES_INVALID', message: `the market's tick size ${market.tickSize} is not usable` });
  const long = entrySide === 'buy';
  const exitSide: OrderSide = long ? 'sell' : 'buy';
  const priceOf = (level: BracketLevel, profit: boolean): Dec => {
    if ('price' in level) return roundToTick(new Dec(level.price), exitSide, tick);
    const distance = entry.times(new Dec(level.percent)).dividedBy(100);
    const up = profit === long;
    return roundToTick(up ? entry.plus(distance) : entry.minus(distance), exitSide, tick);
  };
  const takeProfits: { price: string; fraction: string }[] = [];
  const n = request.takeProfits.length;
  for (const [i, level] of request.takeProfits.entries()) {
    const price = priceOf(level, true);
    if (long ? !price.greaterThan(entry) : !price.lessThan(entry)) {
      return err({ code: 'TAKE_PROFIT_WRONG_SIDE', message: `a take-profit of a ${long ? 'long' : 'short'} must be ${long ? 'above' : 'below'} the entry (${decToString(entry)}); got ${decToString(price)}` });
    }
    const fraction = request.split ? new Dec(request.split[i]!).dividedBy(100) : new Dec(1).dividedBy(n);
    takeProfits.push({ price: decToString(price), fraction: decToString(fraction.toDecimalPlaces(12)) });
  }
  let stopLoss: string | undefined;
  if (request.stopLoss) {
    const price = priceOf(request.stopLoss, false);
    if (!price.greaterThan(0) || (long ? !price.lessThan(entry) : !price.greaterThan(entry))) {
      return err({ code: 'STOP_WRONG_SIDE', message: `a stop-loss of a ${long ? 'long' : 'short'} must be ${long ? 'below' : 'above'} the entry (${decToString(entry)}); got ${decToString(price)}` });
    }
    stopLoss = decToString(price);
  }
  let stopLimitOffset: string | undefined;
  if (request.stopLossLimit && stopLoss !== undefined) {
    const stop = new Dec(stopLoss);
    const level = request.stopLossLimit;
    const offset = 'price' in level ? (long ? stop.minus(level.price) : new Dec(level.price).minus(stop)) : stop.times(level.percent).dividedBy(100);
    if (offset.isNegative() || (long && !stop.minus(offset).greaterThan(0))) {
      return err({ code: 'STOP_LIMIT_WRONG_SIDE', message: `the stop-limit's limit of a ${long ? 'long' : 'short'} must be at or ${long ? 'below' : 'above'} its stop (${stopLoss})${long ? ' and above 0' : ''}; got ${'price' in level ? level.price : `${level.percent}%`}` });
    }
    stopLimitOffset = decToString(offset);
  }
  return ok({
    entrySide, takeProfits, ...(stopLoss !== undefined ? { stopLoss } : {}), ...(stopLimitOffset !== undefined ? { stopLimitOffset } : {}),
    breakEven: request.breakEven, stepSize: market.stepSize, tickSize: market.tickSize,
  });
}
