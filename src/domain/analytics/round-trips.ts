import { Dec, ZERO } from '../shared/decimal.js';
import { splitSymbol } from '../portfolio/balances.js';

/** A fill as analytics reads it (the read model's fill, decimals parsed). */
export interface AnalyticsFill {
  readonly tradeId: string;
  readonly accountId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: Dec;
  readonly price: Dec;
  readonly fee: Dec;
  readonly feeCurrency: string;
  readonly filledAt: string;
}

/** A fee paid in another asset than the market's quote: kept apart, never converted. */
export interface OtherFee {
  readonly currency: string;
  readonly amount: Dec;
}

/**
 * A round trip of one strategy's position in one symbol on one account (ADR-0022): it opens when
 * the position leaves flat and closes when it is flat again; a fill that crosses zero closes it
 * and opens the next at the fill's price with the rest of the fill's quantity.
 */
export interface RoundTrip {
  readonly accountId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  /** everything that entered the position (the largest it could have been) */
  readonly quantity: Dec;
  readonly averageEntryPrice: Dec;
  /** what left it so far (= quantity once closed) */
  readonly exitedQuantity: Dec;
  readonly averageExitPrice?: Dec;
  /** realised PnL before fees: exits matched to entries first in, first out */
  readonly realizedPnl: Dec;
  /** fees paid in the quote asset (a flip's whole fee stays with the trip it closes) */
  readonly fees: Dec;
  readonly otherFees: readonly OtherFee[];
  /** realisedPnl - fees */
  readonly pnl: Dec;
  readonly openedAt: string;
  readonly closedAt?: string;
  readonly fills: number;
  /** the entries not matched by an exit yet (empty once closed) */
  readonly openLots: readonly Lot[];
}

export interface Lot {
  readonly quantity: Dec;
  readonly price: Dec;
}

/** What one fill did: its realised PnL (FIFO, before fees) and its fee in the quote asset. */
export interface FillPnl {
  readonly fill: AnalyticsFill;
  readonly realizedPnl: Dec;
  readonly feeInQuote: Dec;
  /** realisedPnl - feeInQuote */
  readonly pnl: Dec;
}

export interface RoundTripResult {
  /** closed and open trips, in the order they opened */
  readonly trips: readonly RoundTrip[];
  /** one per fill, in the fills' order */
  readonly fillPnls: readonly FillPnl[];
}

interface OpenTrip {
  readonly accountId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly openedAt: string;
  readonly index: number;
  lots: { quantity: Dec; price: Dec }[];
  entered: Dec;
  enteredNotional: Dec;
  exited: Dec;
  exitedNotional: Dec;
  realized: Dec;
  fees: Dec;
  otherFees: Map<string, Dec>;
  fills: number;
}

function quoteOf(symbol: string): string | undefined {
  try {
    return splitSymbol(symbol).quote;
  } catch {
    return undefined;
  }
}

function toTrip(open: OpenTrip, closedAt?: string): RoundTrip {
  return {
    accountId: open.accountId, strategyId: open.strategyId, symbol: open.symbol, side: open.side,
    quantity: open.entered, averageEntryPrice: open.enteredNotional.dividedBy(open.entered),
    exitedQuantity: open.exited,
    ...(open.exited.isZero() ? {} : { averageExitPrice: open.exitedNotional.dividedBy(open.exited) }),
    realizedPnl: open.realized, fees: open.fees,
    otherFees: [...open.otherFees].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, amount]) => ({ currency, amount })),
    pnl: open.realized.minus(open.fees), openedAt: open.openedAt, ...(closedAt !== undefined ? { closedAt } : {}), fills: open.fills,
    openLots: open.lots.map((l) => ({ quantity: l.quantity, price: l.price })),
  };
}

function opened(fill: AnalyticsFill, quantity: Dec, index: number): OpenTrip {
  return {
    accountId: fill.accountId, strategyId: fill.strategyId, symbol: fill.symbol, side: fill.side === 'buy' ? 'long' : 'short', openedAt: fill.filledAt, index,
    lots: [{ quantity, price: fill.price }], entered: quantity, enteredNotional: quantity.times(fill.price),
    exited: ZERO, exitedNotional: ZERO, realized: ZERO, fees: ZERO, otherFees: new Map(), fills: 1,
  };
}

function chargeFee(trip: OpenTrip, fill: AnalyticsFill, feeInQuote: Dec): void {
  trip.fees = trip.fees.plus(feeInQuote);
  if (feeInQuote.isZero() && !fill.fee.isZero()) trip.otherFees.set(fill.feeCurrency, (trip.otherFees.get(fill.feeCurrency) ?? ZERO).plus(fill.fee));
}

/**
 * Folds fills (in log order) into round trips per account, strategy and symbol, and each fill's
 * realised PnL after its quote fee. Pure: the same fills give the same trips, to the last digit
 * (no division but the two average prices shown on a trip).
 */
export function roundTrips(fills: readonly AnalyticsFill[]): RoundTripResult {
  const open = new Map<string, OpenTrip>();
  const done: { index: number; trip: RoundTrip }[] = [];
  const fillPnls: FillPnl[] = [];
  let next = 0;
  for (const fill of fills) {
    const key = `${fill.accountId}\n${fill.strategyId}\n${fill.symbol}`;
    const feeInQuote = fill.feeCurrency === quoteOf(fill.symbol) ? fill.fee : ZERO;
    const trip = open.get(key);
    if (trip === undefined || (trip.side === 'long') === (fill.side === 'buy')) {
      if (trip === undefined) {
        const fresh = opened(fill, fill.quantity, next++);
        chargeFee(fresh, fill, feeInQuote);
        open.set(key, fresh);
      } else {
        trip.lots.push({ quantity: fill.quantity, price: fill.price });
        trip.entered = trip.entered.plus(fill.quantity);
        trip.enteredNotional = trip.enteredNotional.plus(fill.quantity.times(fill.price));
        trip.fills += 1;
        chargeFee(trip, fill, feeInQuote);
      }
      fillPnls.push({ fill, realizedPnl: ZERO, feeInQuote, pnl: ZERO.minus(feeInQuote) }); // never a negative zero
      continue;
    }
    const direction = trip.side === 'long' ? 1 : -1;
    let remaining = fill.quantity;
    let realized = ZERO;
    while (remaining.greaterThan(0) && trip.lots.length > 0) {
      const lot = trip.lots[0]!;
      const matched = Dec.min(lot.quantity, remaining);
      realized = realized.plus(fill.price.minus(lot.price).times(matched).times(direction));
      lot.quantity = lot.quantity.minus(matched);
      remaining = remaining.minus(matched);
      if (lot.quantity.isZero()) trip.lots.shift();
    }
    const closing = fill.quantity.minus(remaining);
    trip.exited = trip.exited.plus(closing);
    trip.exitedNotional = trip.exitedNotional.plus(closing.times(fill.price));
    trip.realized = trip.realized.plus(realized);
    trip.fills += 1;
    chargeFee(trip, fill, feeInQuote);
    fillPnls.push({ fill, realizedPnl: realized, feeInQuote, pnl: realized.minus(feeInQuote) });
    if (trip.lots.length === 0) {
      open.delete(key);
      done.push({ index: trip.index, trip: toTrip(trip, fill.filledAt) });
      if (remaining.greaterThan(0)) open.set(key, opened(fill, remaining, next++));
    }
  }
  for (const trip of open.values()) done.push({ index: trip.index, trip: toTrip(trip) });
  done.sort((a, b) => a.index - b.index);
  return { trips: done.map((d) => d.trip), fillPnls };
}

/** Unrealised PnL of a trip's open lots at a mark (before the fees of closing). */
export function unrealizedOf(trip: RoundTrip, mark: Dec): Dec {
  const direction = trip.side === 'long' ? 1 : -1;
  return trip.openLots.reduce((sum, lot) => sum.plus(mark.minus(lot.price).times(lot.quantity).times(direction)), ZERO);
}
