import type { OrderSide } from '../events.js';
import type { NormalizedSignal } from '../signals/signal.js';
import type { SizingRule } from '../strategies/strategy.js';
import { type Dec, decToString, parseDec } from '../shared/decimal.js';
import { assertNever } from '../shared/decider.js';
import { closeQuantity } from './close-quantity.js';
import { targetOrder } from './target-position.js';
import { accountModeQuantity, positionShare, scaledByAlertPercent, type SizingBasis } from './sizing-modes.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

/**
 * The exchange's trading rules for one market, as the domain needs them. Structurally the same
 * fields as the application port's `Market` (which is assignable to it), declared here so the
 * domain never imports from the application layer. Decimals are strings; a `maxQty` of 0 means
 * "no maximum", a `stepSize`/`tickSize` of 0 means "no increment".
 */
export interface MarketRules {
  readonly symbol: string;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minNotional: string;
}

export interface SizeOrderInput {
  readonly signal: NormalizedSignal;
  readonly sizing: SizingRule;
  /** price used to convert quote amounts and to check the minimum notional */
  readonly referencePrice: Dec;
  readonly market: MarketRules;
  /** signed current base position (long > 0, short < 0): the strategy's own in the account */
  readonly position: Dec;
  /** the account's signed position (all strategies); default `position` (one strategy on the account) */
  readonly accountPosition?: Dec;
  /** equity and quote balance, for the percent and risk modes (ADR-0019) */
  readonly basis?: SizingBasis;
}

export interface SizedOrder {
  readonly side: OrderSide;
  readonly quantity: Dec;
  readonly reduceOnly: boolean;
  /** the quantity asked for (a fixed or alert quantity, or a position to close) when rounding to the step changed it */
  readonly requested?: Dec;
}

const fail = (code: string, message: string) => err<DomainError>({ code, message });
const s = decToString;

/** Rounds a non-negative quantity down to a multiple of `step` (no-op when step <= 0). */
export function roundDownToStep(quantity: Dec, step: Dec): Dec {
  if (step.lessThanOrEqualTo(0)) return quantity;
  return quantity.dividedToIntegerBy(step).times(step);
}

interface ParsedRules {
  readonly step: Dec;
  readonly minQty: Dec;
  readonly maxQty: Dec;
  readonly minNotional: Dec;
}

function parseRules(market: MarketRules): Result<ParsedRules, DomainError> {
  const step = parseDec(market.stepSize);
  const minQty = parseDec(market.minQty);
  const maxQty = parseDec(market.maxQty);
  const minNotional = parseDec(market.minNotional);
  if (!step || !minQty || !maxQty || !minNotional || step.isNegative() || minQty.isNegative() || maxQty.isNegative() || minNotional.isNegative()) {
    return fail(
      'INVALID_MARKET',
      `market ${market.symbol} has invalid trading rules (stepSize ${market.stepSize}, minQty ${market.minQty}, maxQty ${market.maxQty}, minNotional ${market.minNotional})`,
    );
  }
  return ok({ step, minQty, maxQty, minNotional });
}

/** The raw (unrounded) base quantity a buy/sell signal asks for under the sizing rule. */
function ruleQuantity(signal: NormalizedSignal, sizing: SizingRule, referencePrice: Dec, side: OrderSide, basis: SizingBasis | undefined): Result<Dec, DomainError> {
  switch (sizing.kind) {
    case 'fixed_quantity': {
      const quantity = parseDec(sizing.quantity);
      if (!quantity || !quantity.greaterThan(0)) {
        return fail('INVALID_SIZING', `fixed quantity ${sizing.quantity} is not a positive decimal`);
      }
      return ok(scaledByAlertPercent(signal, quantity));
    }
    case 'quote_amount': {
      const amount = parseDec(sizing.amount);
      if (!amount || !amount.greaterThan(0)) {
        return fail('INVALID_SIZING', `quote amount ${sizing.amount} is not a positive decimal`);
      }
      if (!referencePrice.greaterThan(0)) {
        return fail('INVALID_REFERENCE_PRICE', `reference price ${s(referencePrice)} must be positive to size a quote amount`);
      }
      return ok(scaledByAlertPercent(signal, amount).dividedBy(referencePrice));
    }
    case 'signal_quantity': {
      const multiplier = parseDec(sizing.multiplier);
      if (!multiplier || !multiplier.greaterThan(0)) {
        return fail('INVALID_SIZING', `signal quantity multiplier ${sizing.multiplier} is not a positive decimal`);
      }
      if (signal.quantityPercent !== undefined) {
        return fail('PERCENT_NOT_APPLICABLE', `the alert's ${signal.quantityPercent} % has no base under signal_quantity sizing: send a quantity, or size the strategy by percent of equity or balance`);
      }
      if (signal.quantity === undefined || signal.quantity.trim() === '') {
        return fail('MISSING_SIGNAL_QUANTITY', `the alert carries no quantity, but sizing is signal_quantity (multiplier ${sizing.multiplier})`);
      }
      const quantity = parseDec(signal.quantity);
      if (!quantity || !quantity.greaterThan(0)) {
        return fail('INVALID_SIGNAL_QUANTITY', `the alert quantity ${signal.quantity} is not a positive decimal`);
      }
      return ok(quantity.times(multiplier));
    }
    case 'percent_of_equity':
    case 'percent_of_balance':
    case 'risk':
      return accountModeQuantity(signal, side, sizing, referencePrice, basis);
    case 'target_position':
    case 'percent_of_position':
      return fail('INVALID_SIZING', `${sizing.kind} sizing decides the side and the quantity together`);
    default:
      return assertNever(sizing);
  }
}

/**
 * Turns a normalised signal into an order side and base quantity for one account.
 *
 * - buy / sell: quantity from the sizing rule, rounded DOWN to the market's step size.
 * - close: the side opposite to the strategy's position, quantity |position| capped at the account's
 *   (rounded down to the step, so a sub-step dust remainder stays), reduceOnly; side-aware
 *   (close_long / close_short): see close-quantity.ts for NOTHING_TO_CLOSE, NO_LONG_TO_CLOSE, NO_SHORT_TO_CLOSE.
 *
 * Then the market's limits: BELOW_MIN_QUANTITY (also when the quantity rounds down to 0),
 * ABOVE_MAX_QUANTITY, BELOW_MIN_NOTIONAL (quantity × referencePrice < minNotional). Reduce-only
 * closes are exempt from the min-notional check (exchanges exempt reduce-only orders, and a small
 * leftover position must remain closable).
 */
export function sizeOrder(input: SizeOrderInput): Result<SizedOrder, DomainError> {
  const { signal, sizing, referencePrice, market, position } = input;
  const rules = parseRules(market);
  if (!rules.ok) return rules;
  const { step, minQty, maxQty, minNotional } = rules.value;

  let side: OrderSide;
  let raw: Dec;
  let reduceOnly: boolean;
  switch (signal.action) {
    case 'buy':
    case 'sell': {
      if (sizing.kind === 'target_position' && signal.quantityPercent !== undefined) {
        return fail('PERCENT_NOT_APPLICABLE', `the alert's ${signal.quantityPercent} % has no base under target_position sizing: the target is position_size`);
      }
      if (sizing.kind === 'percent_of_position') {
        const share = positionShare(signal, sizing.percent, position, market.symbol);
        if (!share.ok) return share;
        side = share.value.side;
        raw = share.value.quantity;
        reduceOnly = true;
        break;
      }
      if (sizing.kind === 'target_position') {
        const target = targetOrder({ signal, multiplier: sizing.multiplier, position, step, symbol: market.symbol, derivative: market.symbol.includes(':') });
        if (!target.ok) return target;
        side = target.value.side;
        raw = target.value.quantity;
        reduceOnly = target.value.reduceOnly;
        break;
      }
      const quantity = ruleQuantity(signal, sizing, referencePrice, signal.action, input.basis);
      if (!quantity.ok) return quantity;
      side = signal.action;
      raw = quantity.value;
      reduceOnly = false;
      break;
    }
    case 'close': {
      const close = closeQuantity({ symbol: market.symbol, position, accountPosition: input.accountPosition ?? position, ...(signal.closeSide !== undefined ? { closeSide: signal.closeSide } : {}) });
      if (!close.ok) return close;
      side = close.value.side;
      raw = close.value.quantity;
      reduceOnly = true;
      // a percent close ("qty": "50%", or percent_of_position sizing): that share of what is closable
      const percent = signal.quantityPercent ?? (sizing.kind === 'percent_of_position' ? sizing.percent : undefined);
      if (percent !== undefined) {
        const share = positionShare({ ...signal, quantityPercent: percent }, percent, close.value.side === 'sell' ? raw : raw.negated(), market.symbol);
        if (!share.ok) return share;
        raw = share.value.quantity;
      }
      break;
    }
    case 'cancel':
      return fail('NOT_AN_ORDER', 'a cancel alert places no order');
    default:
      return assertNever(signal.action);
  }

  const quantity = roundDownToStep(raw, step);
  const stepNote = raw.equals(quantity) ? '' : ` (${s(raw)} rounded down to step ${s(step)})`;
  if (quantity.isZero()) {
    return fail('BELOW_MIN_QUANTITY', `order quantity ${s(raw)} rounds down to 0 at step ${s(step)} for ${market.symbol}`);
  }
  if (quantity.lessThan(minQty)) {
    return fail('BELOW_MIN_QUANTITY', `order quantity ${s(quantity)}${stepNote} is below the minimum quantity ${s(minQty)} for ${market.symbol}`);
  }
  if (!maxQty.isZero() && quantity.greaterThan(maxQty)) {
    return fail('ABOVE_MAX_QUANTITY', `order quantity ${s(quantity)}${stepNote} is above the maximum quantity ${s(maxQty)} for ${market.symbol}`);
  }
  if (!reduceOnly) {
    const notional = quantity.times(referencePrice);
    if (notional.lessThan(minNotional)) {
      return fail(
        'BELOW_MIN_NOTIONAL',
        `order notional ${s(notional)} (${s(quantity)} × ${s(referencePrice)}) is below the minimum notional ${s(minNotional)} for ${market.symbol}`,
      );
    }
  }
  const asked = sizing.kind === 'fixed_quantity' || sizing.kind === 'signal_quantity' || sizing.kind === 'percent_of_position' || sizing.kind === 'target_position' || signal.action === 'close';
  return ok({ side, quantity, reduceOnly, ...(asked && !raw.equals(quantity) ? { requested: raw } : {}) });
}
