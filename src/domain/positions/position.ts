import { Dec, ZERO } from '../shared/decimal.js';

/**
 * A linear (quote-margined) position: signed quantity (long > 0, short < 0),
 * average entry price, realised PnL (before fees) and fees paid, all in the quote asset.
 */
export interface Position {
  readonly quantity: Dec;
  readonly averageEntryPrice: Dec;
  readonly realizedPnl: Dec;
  readonly feesPaid: Dec;
}

export const FLAT: Position = { quantity: ZERO, averageEntryPrice: ZERO, realizedPnl: ZERO, feesPaid: ZERO };

export interface PositionFill {
  readonly side: 'buy' | 'sell';
  readonly quantity: Dec;
  readonly price: Dec;
  /** fee in the quote asset */
  readonly fee: Dec;
}

export interface FillEffect {
  readonly position: Position;
  /** realised PnL of this fill alone (before fees) */
  readonly realizedPnl: Dec;
}

/** Applies one fill with average-cost accounting; crossing through zero opens the remainder at the fill price. */
export function applyFill(position: Position, fill: PositionFill): FillEffect {
  const signedQty = fill.side === 'buy' ? fill.quantity : fill.quantity.negated();
  const current = position.quantity;
  const feesPaid = position.feesPaid.plus(fill.fee);

  if (current.isZero() || current.isNegative() === signedQty.isNegative()) {
    const quantity = current.plus(signedQty);
    const averageEntryPrice = current.abs().times(position.averageEntryPrice).plus(fill.quantity.times(fill.price)).dividedBy(quantity.abs());
    return { position: { quantity, averageEntryPrice, realizedPnl: position.realizedPnl, feesPaid }, realizedPnl: ZERO };
  }

  const closing = Dec.min(current.abs(), fill.quantity);
  const direction = current.isNegative() ? -1 : 1;
  const realized = fill.price.minus(position.averageEntryPrice).times(closing).times(direction);
  const quantity = current.plus(signedQty);
  const averageEntryPrice = quantity.isZero()
    ? ZERO
    : quantity.isNegative() === current.isNegative()
      ? position.averageEntryPrice
      : fill.price;
  return {
    position: { quantity, averageEntryPrice, realizedPnl: position.realizedPnl.plus(realized), feesPaid },
    realizedPnl: realized,
  };
}

/** Unrealised PnL at a mark price. */
export function unrealizedPnl(position: Position, markPrice: Dec): Dec {
  if (position.quantity.isZero()) return ZERO;
  return markPrice.minus(position.averageEntryPrice).times(position.quantity);
}

/** Absolute notional at a mark price. */
export function positionNotional(position: Position, markPrice: Dec): Dec {
  return position.quantity.abs().times(markPrice);
}
