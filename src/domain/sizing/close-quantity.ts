import type { OrderSide } from '../events.js';
import { Dec, ZERO, decToString } from '../shared/decimal.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

export interface CloseInput {
  readonly symbol: string;
  /** the side the close names (close_long / exit_short ...); absent: whatever is open */
  readonly closeSide?: 'long' | 'short';
  /** the signed position the close is about: the strategy's own in the account */
  readonly position: Dec;
  /** the account's signed position in the symbol: a close never takes more than the account holds on that side */
  readonly accountPosition: Dec;
}

export interface CloseQuantity {
  readonly side: OrderSide;
  /** before rounding to the market's step */
  readonly quantity: Dec;
}

/** Stable codes of a close that has nothing to do. */
export const CloseCode = {
  NOTHING_TO_CLOSE: 'NOTHING_TO_CLOSE',
  NO_LONG_TO_CLOSE: 'NO_LONG_TO_CLOSE',
  NO_SHORT_TO_CLOSE: 'NO_SHORT_TO_CLOSE',
} as const;

const describe = (p: Dec): string => (p.isZero() ? 'flat' : p.isNegative() ? `short ${decToString(p.abs())}` : `long ${decToString(p)}`);

/**
 * What closing the position means, side-aware:
 * - close_long / exit_long: sells the long; while flat or short it does nothing (NO_LONG_TO_CLOSE);
 * - close_short / exit_short: buys back the short; while flat or long, NO_SHORT_TO_CLOSE;
 * - close / exit / flat: whatever is open; flat is NOTHING_TO_CLOSE.
 * The quantity is the strategy's position, capped at the account's on the same side (someone closed
 * part of it elsewhere); when the account holds nothing on that side, there is nothing to close.
 */
export function closeQuantity(input: CloseInput): Result<CloseQuantity, DomainError> {
  const { symbol, closeSide, position, accountPosition } = input;
  if (closeSide === 'long' && !position.greaterThan(0)) {
    return err({ code: CloseCode.NO_LONG_TO_CLOSE, message: `exit of a long in ${symbol}, but the strategy's position is ${describe(position)}: nothing was sent` });
  }
  if (closeSide === 'short' && !position.lessThan(0)) {
    return err({ code: CloseCode.NO_SHORT_TO_CLOSE, message: `exit of a short in ${symbol}, but the strategy's position is ${describe(position)}: nothing was sent` });
  }
  if (position.isZero()) return err({ code: CloseCode.NOTHING_TO_CLOSE, message: `no open position in ${symbol} to close` });
  const sameSide = !accountPosition.isZero() && accountPosition.isNegative() === position.isNegative();
  const held = sameSide ? accountPosition.abs() : ZERO;
  const quantity = Dec.min(position.abs(), held);
  if (quantity.isZero()) {
    return err({ code: CloseCode.NOTHING_TO_CLOSE, message: `the strategy's position in ${symbol} is ${describe(position)}, but the account's is ${describe(accountPosition)}: nothing to close` });
  }
  return ok({ side: position.isNegative() ? 'buy' : 'sell', quantity });
}
