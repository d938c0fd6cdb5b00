import type { OrderSide } from '../events.js';
import type { NormalizedSignal } from '../signals/signal.js';
import { Dec, ZERO, decToString, parseDec } from '../shared/decimal.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

/** Stable codes of target-position sizing. */
export const TargetCode = {
  MISSING_TARGET_POSITION: 'MISSING_TARGET_POSITION',
  ALREADY_AT_TARGET: 'ALREADY_AT_TARGET',
  SPOT_CANNOT_SHORT: 'SPOT_CANNOT_SHORT',
  INVALID_SIZING: 'INVALID_SIZING',
} as const;

/**
 * The signed position the alert asks for, from `{{strategy.position_size}}` (targetPosition) and
 * `{{strategy.market_position}}` (marketPosition):
 * - market_position flat: 0, whatever the size says;
 * - a size with market_position long / short: its absolute value with that sign (some templates
 *   send the size unsigned);
 * - a size alone: as signed (TradingView's position_size is negative when short);
 * - market_position long / short without a size: not enough to know the size (undefined).
 */
export function alertTarget(signal: Pick<NormalizedSignal, 'targetPosition' | 'marketPosition'>): Dec | undefined {
  if (signal.marketPosition === 'flat') return ZERO;
  const size = signal.targetPosition !== undefined ? parseDec(signal.targetPosition) : undefined;
  if (size === undefined) return undefined;
  if (signal.marketPosition === 'long') return size.abs();
  if (signal.marketPosition === 'short') return size.abs().negated();
  return size;
}

/** Rounds toward zero to a multiple of `step` (no-op when step <= 0). */
export function towardZero(value: Dec, step: Dec): Dec {
  if (step.lessThanOrEqualTo(0)) return value;
  return value.dividedBy(step).truncated().times(step);
}

export interface TargetInput {
  readonly signal: NormalizedSignal;
  /** the target is the alert's times this (scales TradingView's contracts to this account) */
  readonly multiplier: string;
  /** the strategy's own signed position now */
  readonly position: Dec;
  readonly step: Dec;
  readonly symbol: string;
  /** a derivative market (BTC/USDT:USDT) can be short; a spot one cannot */
  readonly derivative: boolean;
}

export interface TargetOrder {
  readonly side: OrderSide;
  /** |target - position|, on the step when the position is */
  readonly quantity: Dec;
  /** the order only moves the position toward zero (never across it) */
  readonly reduceOnly: boolean;
  /** the target at the step, for messages */
  readonly target: Dec;
}

const show = (p: Dec): string => (p.isZero() ? 'flat' : p.isNegative() ? `short ${decToString(p.abs())}` : `long ${decToString(p)}`);

/**
 * The one order that brings the strategy's position to the alert's target: target (times the
 * multiplier) rounded toward zero to the market's step, minus the position now; the difference
 * rounded toward zero to the step, so the order never overshoots the target. One order even when it
 * crosses zero on a derivative market (from short 0.01 to long 0.02 = buy 0.03, not reduce-only);
 * a spot market cannot be short, so a negative target is refused (SPOT_CANNOT_SHORT) and nothing is
 * sent. Already at the target (after rounding): ALREADY_AT_TARGET.
 */
export function targetOrder(input: TargetInput): Result<TargetOrder, DomainError> {
  const { signal, position, step, symbol } = input;
  const multiplier = parseDec(input.multiplier);
  if (!multiplier || !multiplier.greaterThan(0)) return err({ code: TargetCode.INVALID_SIZING, message: `target position multiplier ${input.multiplier} is not a positive decimal` });
  const asked = alertTarget(signal);
  if (asked === undefined) {
    return err({
      code: TargetCode.MISSING_TARGET_POSITION,
      message: 'the strategy sizes by target position, but the alert carries none: add "position_size": "{{strategy.position_size}}" (and "market_position": "{{strategy.market_position}}")',
    });
  }
  const target = towardZero(asked.times(multiplier), step);
  if (target.isNegative() && !input.derivative) {
    return err({
      code: TargetCode.SPOT_CANNOT_SHORT,
      message: `the alert's target is ${show(target)} in ${symbol}, but a spot market cannot be short: nothing was sent (make the strategy long-only, or trade a futures market)`,
    });
  }
  const delta = towardZero(target.minus(position), step);
  if (delta.isZero()) {
    return err({ code: TargetCode.ALREADY_AT_TARGET, message: `the strategy's position in ${symbol} is already ${show(position)}, at the target ${show(target)} (step ${decToString(step)}): nothing was sent` });
  }
  const reduces = !position.isZero() && delta.isNegative() !== position.isNegative() && delta.abs().lessThanOrEqualTo(position.abs());
  return ok({ side: delta.isNegative() ? 'sell' : 'buy', quantity: delta.abs(), reduceOnly: reduces, target });
}
