import type { OrderIntent, OrderSide } from '../events.js';
import { Dec, parseDec } from '../shared/decimal.js';
import { isConditional, triggers } from './order-types.js';

/**
 * A PATRIOT-managed conditional order (issue 17), watched on the account's exchange price: where
 * its trigger is now, and the best price a trailing stop has followed.
 */
export interface TriggerWatch {
  /** the trigger now (the intent's stop, moved by the trail) */
  readonly trigger: Dec;
  /** a trailing stop: the best price seen since it was armed (highest for a sell, lowest for a buy) */
  readonly extreme?: Dec;
}

export type TriggerStep =
  | { readonly kind: 'none' }
  /** a trailing stop followed the price: its new best price, and trigger when that moved (not crossed) */
  | { readonly kind: 'trail'; readonly watch: TriggerWatch }
  /** the price crossed the trigger (as moved by this very price, for a trailing stop) */
  | { readonly kind: 'trigger'; readonly watch: TriggerWatch };

/** The watch of an armed order from its intent and what its log recorded (the last trail move). */
export function watchOf(intent: OrderIntent, recorded?: { readonly trigger: string; readonly extreme: string }): TriggerWatch | undefined {
  const stop = parseDec(recorded?.trigger ?? intent.stopPrice);
  if (!stop || !isConditional(intent.type)) return undefined;
  if (recorded) return { trigger: stop, extreme: new Dec(recorded.extreme) };
  const trail = trailOf(intent);
  return trail ? { trigger: stop, extreme: trail.extremeOf(stop) } : { trigger: stop };
}

/**
 * One price of the account's exchange against an armed order: a trailing stop first follows it
 * (its trigger never moves back), then the order triggers when the price is at or past the trigger
 * (a stop: a sell at or below, a buy at or above; a take-profit the other way). `tick` is the
 * market's price step: a moved trigger is rounded to it away from the market, so it never sits
 * closer than the distance asked for.
 */
export function stepTrigger(intent: OrderIntent, watch: TriggerWatch, price: Dec, tick: Dec): TriggerStep {
  if (!isConditional(intent.type) || !price.greaterThan(0)) return { kind: 'none' };
  let next = watch;
  const trail = trailOf(intent);
  if (trail && watch.extreme) {
    const extreme = better(intent.side, price, watch.extreme) ? price : watch.extreme;
    const moved = roundAway(intent.side, trail.triggerOf(extreme), tick);
    if (better(intent.side, moved, watch.trigger)) next = { trigger: moved, extreme };
    else if (!extreme.equals(watch.extreme)) next = { trigger: watch.trigger, extreme };
  }
  if (triggers(intent.type, intent.side, next.trigger, price)) return { kind: 'trigger', watch: next };
  return next === watch ? { kind: 'none' } : { kind: 'trail', watch: next };
}

/** `a` is a better price than `b` for the stop to follow: higher for a sell stop, lower for a buy stop. */
function better(side: OrderSide, a: Dec, b: Dec): boolean {
  return side === 'sell' ? a.greaterThan(b) : a.lessThan(b);
}

/** Whether trigger `a` is at least as far along as `b` for the order's side (a sell stop only rises, a buy stop only falls). */
export function atLeastAsFar(side: OrderSide, a: Dec, b: Dec): boolean {
  return side === 'sell' ? a.greaterThanOrEqualTo(b) : a.lessThanOrEqualTo(b);
}

function roundAway(side: OrderSide, trigger: Dec, tick: Dec): Dec {
  if (!tick.greaterThan(0)) return trigger;
  const ticks = trigger.dividedBy(tick);
  return (side === 'sell' ? ticks.floor() : ticks.ceil()).times(tick);
}

interface Trail {
  /** the trigger at this best price */
  triggerOf(extreme: Dec): Dec;
  /** the best price that puts the trigger at `stop` (where the trail starts from) */
  extremeOf(stop: Dec): Dec;
}

function trailOf(intent: OrderIntent): Trail | undefined {
  if (intent.type !== 'stop_market') return undefined;
  const sell = intent.side === 'sell';
  const percent = parseDec(intent.trailingPercent);
  if (percent && percent.greaterThan(0) && percent.lessThan(100)) {
    const factor = sell ? new Dec(1).minus(percent.dividedBy(100)) : new Dec(1).plus(percent.dividedBy(100));
    return { triggerOf: (extreme) => extreme.times(factor), extremeOf: (stop) => stop.dividedBy(factor) };
  }
  const distance = parseDec(intent.trailingDistance);
  if (distance && distance.greaterThan(0)) {
    return { triggerOf: (extreme) => (sell ? extreme.minus(distance) : extreme.plus(distance)), extremeOf: (stop) => (sell ? stop.plus(distance) : stop.minus(distance)) };
  }
  return undefined;
}
