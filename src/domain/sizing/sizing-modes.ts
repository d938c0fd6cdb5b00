import type { OrderSide } from '../events.js';
import type { NormalizedSignal } from '../signals/signal.js';
import type { SizingRule } from '../strategies/strategy.js';
import { Dec, decToString, parseDec } from '../shared/decimal.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

/** What the account-relative sizing modes are a percent of, in the account's quote asset. */
export interface SizingBasis {
  /** quote balance + other holdings at their price + unrealised PnL of derivative positions (unpriced holdings left out) */
  readonly equity: Dec;
  /** the quote asset's balance as PATRIOT records it */
  readonly availableQuote: Dec;
}

type AccountMode = Extract<SizingRule, { kind: 'percent_of_equity' | 'percent_of_balance' | 'risk' }>;

const fail = (code: string, message: string) => err<DomainError>({ code, message });
const s = decToString;
const HUNDRED = new Dec(100);

/** The alert's percent ("qty": "25%") where given, else the configured one, as a fraction. */
function fraction(signal: NormalizedSignal, configured: string): Result<Dec, DomainError> {
  const text = signal.quantityPercent ?? configured;
  const value = parseDec(text);
  if (!value || !value.greaterThan(0) || value.greaterThan(100)) return fail('INVALID_PERCENT', `percent ${text} must be above 0 and at most 100`);
  return ok(value.dividedBy(HUNDRED));
}

/**
 * The unrounded base quantity of an account-relative mode:
 * - percent_of_equity: equity × percent / price;
 * - percent_of_balance: quote balance × percent / price;
 * - risk: equity × risk percent / |price − stop|, the stop being the alert's stop_loss (on the
 *   losing side of the price: below for a buy, above for a sell) or stopPercent of the price.
 * The alert's percent quantity replaces the configured percent (the risk percent for risk).
 */
export function accountModeQuantity(signal: NormalizedSignal, side: OrderSide, sizing: AccountMode, price: Dec, basis: SizingBasis | undefined): Result<Dec, DomainError> {
  if (!basis) return fail('NO_BALANCES', "the account's balances are not known yet: a percent size cannot be taken");
  if (!price.greaterThan(0)) return fail('INVALID_REFERENCE_PRICE', `reference price ${s(price)} must be positive`);
  switch (sizing.kind) {
    case 'percent_of_equity': {
      const f = fraction(signal, sizing.percent);
      if (!f.ok) return f;
      if (!basis.equity.greaterThan(0)) return fail('NO_EQUITY', `the account's equity is ${s(basis.equity)}: nothing to take a percent of`);
      return ok(basis.equity.times(f.value).dividedBy(price));
    }
    case 'percent_of_balance': {
      const f = fraction(signal, sizing.percent);
      if (!f.ok) return f;
      if (!basis.availableQuote.greaterThan(0)) return fail('NO_BALANCE', `the account's quote balance is ${s(basis.availableQuote)}: nothing to take a percent of`);
      return ok(basis.availableQuote.times(f.value).dividedBy(price));
    }
    case 'risk': {
      const f = fraction(signal, sizing.riskPercent);
      if (!f.ok) return f;
      if (!basis.equity.greaterThan(0)) return fail('NO_EQUITY', `the account's equity is ${s(basis.equity)}: nothing to risk`);
      const distance = stopDistance(signal, side, sizing, price);
      if (!distance.ok) return distance;
      return ok(basis.equity.times(f.value).dividedBy(distance.value));
    }
  }
}

function stopDistance(signal: NormalizedSignal, side: OrderSide, sizing: Extract<SizingRule, { kind: 'risk' }>, price: Dec): Result<Dec, DomainError> {
  if (signal.stopLossPrice !== undefined) {
    const stop = parseDec(signal.stopLossPrice);
    if (!stop || !stop.greaterThan(0)) return fail('INVALID_STOP', `stop-loss ${signal.stopLossPrice} is not a positive price`);
    const wrongSide = side === 'buy' ? !stop.lessThan(price) : !stop.greaterThan(price);
    if (wrongSide) {
      return fail('STOP_WRONG_SIDE', `the stop-loss ${s(stop)} must be ${side === 'buy' ? 'below' : 'above'} the price ${s(price)} for a ${side}`);
    }
    return ok(price.minus(stop).abs());
  }
  // the alert's bracket stop as a distance from the entry ("stop_loss": "1.5%") comes before the strategy's default
  const stopPercent = signal.bracket?.stopLoss !== undefined && 'percent' in signal.bracket.stopLoss ? signal.bracket.stopLoss.percent : sizing.stopPercent;
  if (stopPercent !== undefined) {
    const p = parseDec(stopPercent);
    if (!p || !p.greaterThan(0) || !p.lessThan(100)) return fail('INVALID_PERCENT', `stop percent ${stopPercent} must be above 0 and below 100`);
    return ok(price.times(p).dividedBy(HUNDRED));
  }
  return fail('MISSING_STOP', 'risk sizing needs a stop: send "stop_loss" in the alert, or set stopPercent on the strategy');
}

/**
 * An exit by percent of the strategy's position (sizing percent_of_position, or a close with a
 * percent quantity): that share of |position|, on the side that reduces it. A buy/sell under
 * percent_of_position that would not reduce the position is NOT_AN_EXIT.
 */
export function positionShare(signal: NormalizedSignal, percent: string, position: Dec, symbol: string): Result<{ side: OrderSide; quantity: Dec }, DomainError> {
  const f = fraction(signal, percent);
  if (!f.ok) return f;
  if (position.isZero()) return fail('NOTHING_TO_CLOSE', `no open position in ${symbol} to take a percent of`);
  const side: OrderSide = position.isNegative() ? 'buy' : 'sell';
  if (signal.action !== 'close' && signal.action !== side) {
    return fail('NOT_AN_EXIT', `percent_of_position sizes exits only: a ${signal.action} would add to the ${position.isNegative() ? 'short' : 'long'} position in ${symbol}`);
  }
  return ok({ side, quantity: position.abs().times(f.value) });
}

/** A percent quantity applied to a fixed size (fixed quantity, quote amount): that share of it. */
export function scaledByAlertPercent(signal: NormalizedSignal, quantity: Dec): Dec {
  if (signal.quantityPercent === undefined) return quantity;
  return quantity.times(new Dec(signal.quantityPercent)).dividedBy(HUNDRED);
}
