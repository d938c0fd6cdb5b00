import { FLAT, applyFill, type Position } from './position.js';
import { Dec, ZERO } from '../shared/decimal.js';

/**
 * A strategy's consecutive losing trades (ADR-0019). A trade is a round trip of the strategy's
 * position in one symbol on one account: it ends when the position returns to flat or flips; it
 * lost when its realised PnL minus the fees paid in the quote asset is below zero. A trade that did
 * not lose ends the streak. Pure and immutable.
 */
export interface LossStreak {
  readonly losses: number;
  /** when the last losing trade ended (its closing fill's time) */
  readonly lastLossAt?: string;
  /** per `${accountId}\n${symbol}`: the open round trip */
  readonly open: ReadonlyMap<string, { readonly position: Position; readonly pnl: Dec }>;
  /** realised PnL minus quote fees per UTC day of the fills (the last two days kept) */
  readonly realizedByDay?: ReadonlyMap<string, Dec>;
}

export const NO_STREAK: LossStreak = { losses: 0, open: new Map() };

function withDay(streak: LossStreak, day: string, pnl: Dec): ReadonlyMap<string, Dec> {
  const days = new Map(streak.realizedByDay ?? []);
  days.set(day, (days.get(day) ?? ZERO).plus(pnl));
  const kept = [...days.keys()].sort().slice(-2);
  for (const d of days.keys()) if (!kept.includes(d)) days.delete(d);
  return days;
}

/**
 * The strategy's loss on a UTC day (positive = lost): minus (that day's realised PnL after fees +
 * the unrealised PnL of its open positions at `mark`); a position without a mark counts 0.
 */
export function dayLoss(streak: LossStreak, day: string, mark: (accountId: string, symbol: string) => Dec | undefined): Dec {
  let pnl = streak.realizedByDay?.get(day) ?? ZERO;
  for (const [key, trip] of streak.open) {
    const [accountId = '', symbol = ''] = key.split('\n');
    const price = mark(accountId, symbol);
    if (price !== undefined && !trip.position.quantity.isZero()) pnl = pnl.plus(price.minus(trip.position.averageEntryPrice).times(trip.position.quantity));
  }
  return pnl.negated();
}

export interface StreakFill {
  readonly accountId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: Dec;
  readonly price: Dec;
  /** the fee in the quote asset (0 when paid in another asset) */
  readonly feeInQuote: Dec;
  readonly filledAt: string;
}

export function applyStreakFill(streak: LossStreak, fill: StreakFill): LossStreak {
  const key = `${fill.accountId}\n${fill.symbol}`;
  const before = streak.open.get(key) ?? { position: FLAT, pnl: ZERO };
  const effect = applyFill(before.position, { side: fill.side, quantity: fill.quantity, price: fill.price, fee: fill.feeInQuote });
  const pnl = before.pnl.plus(effect.realizedPnl).minus(fill.feeInQuote);
  const day = Number.isNaN(Date.parse(fill.filledAt)) ? undefined : new Date(Date.parse(fill.filledAt)).toISOString().slice(0, 10);
  const realizedByDay = day === undefined ? streak.realizedByDay : withDay(streak, day, effect.realizedPnl.minus(fill.feeInQuote));
  streak = realizedByDay === undefined ? streak : { ...streak, realizedByDay };
  const after = effect.position.quantity;
  const ended = !before.position.quantity.isZero() && (after.isZero() || after.isNegative() !== before.position.quantity.isNegative());
  const open = new Map(streak.open);
  if (!ended) {
    open.set(key, { position: effect.position, pnl });
    return { ...streak, open };
  }
  if (after.isZero()) open.delete(key);
  else open.set(key, { position: effect.position, pnl: ZERO }); // a flip opens the next trade at the fill price
  const days = streak.realizedByDay !== undefined ? { realizedByDay: streak.realizedByDay } : {};
  return pnl.isNegative() ? { losses: streak.losses + 1, lastLossAt: fill.filledAt, open, ...days } : { losses: 0, open, ...days };
}
