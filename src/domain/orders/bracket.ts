import type { OrderSide } from '../events.js';
import { Dec, ZERO, decToString, parseDec } from '../shared/decimal.js';
import { NOT_PLACED, isTerminal, type OrderStatus } from './order-decider.js';
import { planListBracket } from './bracket-lists.js';

/**
 * A bracket (issue 17): an entry with take-profit legs and a stop-loss, managed by PATRIOT where
 * the exchange has no one-cancels-other. Pure: `planBracket` looks at the facts of the entry and
 * its children (as the order decider folds them) and says what to place and what to cancel; the
 * bracket reactor carries it out (each action idempotent) after every fact of the group.
 *
 * - The children cover what the entry filled, placed once the entry is done (filled, or final
 *   with a partial fill). Take-profit legs are limit orders splitting that quantity (the last leg
 *   takes what rounding left); the stop-loss is a stop-market order for whatever is still held.
 * - One-cancels-other: once the stop triggered (filled any part, or expired: on spot the
 *   take-profits hold the base it would sell), the take-profits still working are cancelled and,
 *   once none works, whatever is still held is sold at market (an exit leg); once the
 *   take-profits filled everything, the stop is cancelled. A partial fill of
 *   a take-profit resizes the stop (cancel, then a new stop for what is left: exchanges cannot
 *   amend a waiting stop), and so does the optional move of the stop to the entry price after the
 *   first take-profit filled completely (break-even).
 * - Exits never exceed the entry: a stop is only placed for what the entry filled minus what the
 *   exits filled, and only while no earlier stop is still working.
 * - While the entry still works, partly filled, a stop protects what it filled (growing in
 *   doubling steps); take-profits wait for the entry to end.
 * - A stop the exchange refused counts as triggered only when it would have triggered at once (the
 *   market already past it); one never placed (NOT_PLACED) is placed again; any other refusal ends
 *   the stop (no market exit, no new generation refused again). Stops are placed before
 *   take-profits.
 * - A child cancelled by anyone but the bracket (the trader, a cancel alert, the kill switch) ends
 *   the bracket's management: nothing is placed again (a cancelled stop is not put back), and what
 *   still works is cancelled only once nothing is held.
 */
export interface BracketPlan {
  /** the entry's side (the children sell a long, buy back a short) */
  readonly entrySide: OrderSide;
  /** take-profit legs: limit price and the fraction of the filled entry (fractions sum to 1) */
  readonly takeProfits: readonly { readonly price: string; readonly fraction: string }[];
  /** stop-loss trigger price */
  readonly stopLoss?: string;
  /**
   * The stop-loss is a stop-limit order (`stop_loss_limit`): its limit this far beyond the trigger
   * (in price; 0 = at the trigger), kept when the stop moves (break-even). Once it triggered it is
   * left to fill at its limit: it is neither cancelled nor chased with a market exit while it
   * works, so the trader's worst price holds. Absent: stop-market.
   */
  readonly stopLimitOffset?: string;
  /** move the stop to the entry's average price once the first take-profit filled completely */
  readonly breakEven?: boolean;
  /** the market's quantity step and price tick (legs are rounded down to the step) */
  readonly stepSize: string;
  readonly tickSize: string;
  /**
   * The account's exchange holds one-cancels-other lists natively (Binance spot): each take-profit
   * leg is paired with its share of the stop in a list (`planListBracket`); otherwise PATRIOT
   * cancels the sibling itself.
   */
  readonly orderLists?: boolean;
  /**
   * The account's exchange cannot hold a stop-market order on this market: the stop legs are held
   * by PATRIOT (armed on the exchange's price, sent as market orders once crossed; issue 17), and
   * so are the take-profits (take-profit orders sent at market once their price is reached): a
   * take-profit resting on a spot exchange would lock the base the triggered stop must sell.
   */
  readonly managedStop?: boolean;
}

/** An order of the group as the decider folds it (absent: not placed yet). */
export interface LegFacts {
  readonly clientOrderId: string;
  readonly status: OrderStatus;
  readonly quantity: Dec;
  readonly filled: Dec;
  readonly cancelRequested: boolean;
  /** someone other than the bracket asked to cancel it (the trader, a cancel alert, the kill switch) */
  readonly cancelledByOthers?: boolean;
  /** the exchange's refusal code, when it refused it (exchange_rejected) */
  readonly rejection?: string;
  readonly stopPrice?: Dec;
  /** a stop-limit order (once triggered it rests at its limit price) */
  readonly stopLimit?: boolean;
  /** PATRIOT held it and it triggered (OrderTriggered): it is on its way to the exchange */
  readonly triggered?: boolean;
}

export interface BracketFacts {
  readonly entry: { readonly status: OrderStatus; readonly filled: Dec; readonly averagePrice?: Dec; readonly clientOrderId?: string; readonly cancelRequested?: boolean };
  /** by take-profit leg index */
  readonly takeProfits: readonly (LegFacts | undefined)[];
  /** stop-loss generations, oldest first (a resize or a move to break-even makes a new one) */
  readonly stops: readonly LegFacts[];
  /** market exits after the stop triggered, oldest first */
  readonly exits: readonly LegFacts[];
  /** one-cancels-other lists (`orderLists`), by take-profit leg: its generations, oldest first */
  readonly lists?: readonly (readonly ListPairFacts[] | undefined)[];
  /** market exits of one take-profit leg's share (`orderLists`: its list was refused, the market being past one of its prices), by leg */
  readonly legExits?: readonly (readonly LegFacts[] | undefined)[];
}

/** The two legs of one one-cancels-other list. */
export interface ListPairFacts {
  readonly limit: LegFacts;
  readonly stop: LegFacts;
}

/** Every child of the bracket placed so far. */
export function allLegs(facts: BracketFacts): LegFacts[] {
  const lists = (facts.lists ?? []).flatMap((gens) => (gens ?? []).flatMap((pair) => [pair.limit, pair.stop]));
  const legExits = (facts.legExits ?? []).flatMap((gens) => gens ?? []);
  return [...facts.takeProfits.filter((leg): leg is LegFacts => leg !== undefined), ...facts.stops, ...facts.exits, ...lists, ...legExits];
}

export type BracketAction =
  | { readonly kind: 'place_take_profit'; readonly leg: number; readonly side: OrderSide; readonly quantity: string; readonly limitPrice: string }
  | { readonly kind: 'place_stop'; readonly generation: number; readonly side: OrderSide; readonly quantity: string; readonly stopPrice: string; readonly stopLimitPrice?: string }
  /** an exit after the stop triggered: at market, or at the stop-limit's limit price when the stop is a stop-limit */
  | { readonly kind: 'place_exit'; readonly generation: number; readonly side: OrderSide; readonly quantity: string; readonly limitPrice?: string }
  | { readonly kind: 'cancel'; readonly clientOrderId: string; readonly reason: string }
  /** a one-cancels-other list: the take-profit leg's limit and its share of the stop */
  | { readonly kind: 'place_list'; readonly leg: number; readonly generation: number; readonly side: OrderSide; readonly quantity: string; readonly limitPrice: string; readonly stopPrice: string; readonly stopLimitPrice?: string }
  /** a market exit of one take-profit leg's share */
  | { readonly kind: 'place_leg_exit'; readonly leg: number; readonly generation: number; readonly side: OrderSide; readonly quantity: string; readonly limitPrice?: string };

/** At most this many stop generations per bracket (a stop refused again and again is not chased forever). */
export const MAX_STOP_GENERATIONS = 20;

export const live = (leg: LegFacts | undefined): boolean => leg !== undefined && !isTerminal(leg.status);
export const entryDone = (status: OrderStatus): boolean => status === 'filled' || status === 'cancelled' || status === 'expired';

/** A stop the exchange refused because the market was already past it: it counts as triggered. */
const TRIGGERED_AT_ONCE: ReadonlySet<string> = new Set(['WOULD_TRIGGER_IMMEDIATELY', 'WOULD_MATCH']);
const triggeredAtOnce = (code: string | undefined): boolean => code === undefined || TRIGGERED_AT_ONCE.has(code);
/**
 * A standalone stop triggered: PATRIOT held it and it triggered, it filled any part, it expired (on
 * spot the take-profits hold the base it would sell), or it was refused as already past.
 */
export const stopTriggered = (leg: LegFacts): boolean =>
  leg.triggered === true || leg.filled.greaterThan(0) || leg.status === 'expired' || (leg.status === 'exchange_rejected' && triggeredAtOnce(leg.rejection));
/** A triggered stop that is finishing on its own: PATRIOT sent it on its trigger, or it is a stop-limit resting at its limit. */
const finishing = (leg: LegFacts): boolean => leg.triggered === true || (leg.stopLimit === true && leg.filled.greaterThan(0));

/**
 * The stop-limit's limit for a stop at `stopPrice` (`plan.stopLimitOffset` beyond it, rounded to
 * the tick away from the trigger so the offset is never narrower than asked; a sell's limit at
 * least one tick); undefined for a stop-market.
 */
export function stopLimitPriceFor(stopPrice: Dec, plan: BracketPlan): string | undefined {
  if (plan.stopLimitOffset === undefined) return undefined;
  const offset = new Dec(plan.stopLimitOffset);
  const tick = parseDec(plan.tickSize);
  const sells = plan.entrySide === 'buy';
  const raw = sells ? stopPrice.minus(offset) : stopPrice.plus(offset);
  if (!tick || !tick.greaterThan(0)) return decToString(raw.greaterThan(0) ? raw : stopPrice);
  const ticks = raw.dividedBy(tick);
  const price = (sells ? ticks.floor() : ticks.ceil()).times(tick);
  return decToString(price.greaterThan(0) ? price : tick);
}

/** What to do now, the protective stop placed first (where the exchange locks the base, protection wins over a take-profit). */
export function planBracket(plan: BracketPlan, facts: BracketFacts): BracketAction[] {
  const actions = plan.orderLists === true && plan.stopLoss !== undefined && plan.takeProfits.length > 0 ? planListBracket(plan, facts) : planActions(plan, facts);
  return [...actions.filter((a) => a.kind === 'place_stop'), ...actions.filter((a) => a.kind !== 'place_stop')];
}

function planActions(plan: BracketPlan, facts: BracketFacts): BracketAction[] {
  const entered = facts.entry.filled;
  if (!entered.greaterThan(0)) return [];
  const side: OrderSide = plan.entrySide === 'buy' ? 'sell' : 'buy';
  const step = parseDec(plan.stepSize) ?? new Dec('1e-8');
  const actions: BracketAction[] = [];
  const tpFilled = facts.takeProfits.reduce((sum, leg) => sum.plus(leg?.filled ?? ZERO), ZERO);
  const stopFilled = facts.stops.reduce((sum, leg) => sum.plus(leg.filled), ZERO);
  const exitFilled = facts.exits.reduce((sum, leg) => sum.plus(leg.filled), ZERO);
  const held = entered.minus(tpFilled).minus(stopFilled).minus(exitFilled);
  if (!entryDone(facts.entry.status)) return whileEntering(plan, facts, held, side, step);
  const stopHit = facts.stops.some(stopTriggered);
  // refused for another reason (e.g. the balance: on Binance spot a resting sell locks the base, so a
  // take-profit and a stop cannot both hold it): no exit at market, and no new stop refused again
  const stopRefused = facts.stops.some((leg) => leg.status === 'exchange_rejected' && !triggeredAtOnce(leg.rejection) && leg.rejection !== NOT_PLACED);
  // a child cancelled by anyone but the bracket ends its management: it only cancels from then on (never places again)
  const withdrawn = allLegs(facts).some((leg) => leg.cancelledByOthers === true);
  if (withdrawn) return cancelsOnly(facts, held);

  // take-profits: placed once (unless the stop was hit); cancelled once the stop was hit or nothing is held
  const sizes = legSizes(entered, plan.takeProfits.map((t) => new Dec(t.fraction)), step);
  plan.takeProfits.forEach((tp, leg) => {
    const facts_ = facts.takeProfits[leg];
    if (facts_ === undefined) {
      if (!stopHit && sizes[leg]!.greaterThan(0) && held.greaterThan(0)) actions.push({ kind: 'place_take_profit', leg, side, quantity: decToString(sizes[leg]!), limitPrice: tp.price });
      return;
    }
    if (live(facts_) && !facts_.cancelRequested && (stopHit || !held.greaterThan(0))) {
      actions.push({ kind: 'cancel', clientOrderId: facts_.clientOrderId, reason: stopHit ? 'bracket: the stop-loss triggered' : 'bracket: nothing left to take profit on' });
    }
  });

  if (plan.stopLoss === undefined) return actions;
  if (stopHit) return [...actions, ...afterStop(plan, facts, held, side, step)];
  const firstTpDone = facts.takeProfits.some((leg) => leg !== undefined && leg.status === 'filled');
  const stopPrice = plan.breakEven && firstTpDone && facts.entry.averagePrice ? roundTick(facts.entry.averagePrice, plan) : new Dec(plan.stopLoss);
  const current = facts.stops[facts.stops.length - 1];
  if (current !== undefined && live(current)) {
    const open = current.quantity.minus(current.filled);
    const wrong = !open.equals(held) || (current.stopPrice !== undefined && !current.stopPrice.equals(stopPrice));
    if ((wrong || !held.greaterThan(0)) && !current.cancelRequested) {
      actions.push({ kind: 'cancel', clientOrderId: current.clientOrderId, reason: held.greaterThan(0) ? 'bracket: the stop-loss is resized' : 'bracket: the take-profits filled' });
    }
    return actions;
  }
  // no stop working: one for what is held (never while an earlier one may still fill)
  if (held.greaterThan(0) && !stopRefused && facts.stops.length < MAX_STOP_GENERATIONS) {
    const quantity = floorStep(held, step);
    if (quantity.greaterThan(0)) actions.push(placeStop(plan, facts.stops.length, side, quantity, stopPrice));
  }
  return actions;
}

/**
 * The entry is still working and partly filled: what it bought is protected at once by a stop
 * (take-profits wait for the entry to end, as their sizes are shares of what it filled). The stop
 * grows with the entry in doubling steps (resized only when it covers less than half of what is
 * held), so a limit entry filling in many pieces costs a few stop generations, not one per fill;
 * once the entry ends it is resized to exactly what is held. A stop that triggers meanwhile
 * cancels the rest of the entry, then exits what is held.
 */
export function whileEntering(plan: BracketPlan, facts: BracketFacts, held: Dec, side: OrderSide, step: Dec): BracketAction[] {
  if (plan.stopLoss === undefined || facts.entry.clientOrderId === undefined) return [];
  if (allLegs(facts).some((leg) => leg.cancelledByOthers === true)) return [];
  const stopHit = facts.stops.some(stopTriggered);
  if (stopHit) {
    const cancelEntry: BracketAction[] = facts.entry.cancelRequested ? [] : [{ kind: 'cancel', clientOrderId: facts.entry.clientOrderId, reason: 'bracket: the stop-loss triggered before the entry filled completely' }];
    return [...cancelEntry, ...afterStop(plan, facts, held, side, step)];
  }
  if (!held.greaterThan(0)) return [];
  if (facts.stops.some((leg) => leg.status === 'exchange_rejected' && !triggeredAtOnce(leg.rejection) && leg.rejection !== NOT_PLACED)) return [];
  const current = facts.stops[facts.stops.length - 1];
  if (current !== undefined && live(current)) {
    const open = current.quantity.minus(current.filled);
    return held.greaterThan(open.times(2)) && !current.cancelRequested ? [{ kind: 'cancel', clientOrderId: current.clientOrderId, reason: 'bracket: the stop-loss grows with the entry' }] : [];
  }
  const quantity = floorStep(held, step);
  if (!quantity.greaterThan(0) || facts.stops.length >= MAX_STOP_GENERATIONS) return [];
  return [placeStop(plan, facts.stops.length, side, quantity, new Dec(plan.stopLoss))];
}

function placeStop(plan: BracketPlan, generation: number, side: OrderSide, quantity: Dec, stopPrice: Dec): BracketAction {
  const stopLimitPrice = stopLimitPriceFor(stopPrice, plan);
  return { kind: 'place_stop', generation, side, quantity: decToString(quantity), stopPrice: decToString(stopPrice), ...(stopLimitPrice !== undefined ? { stopLimitPrice } : {}) };
}

/** A bracket the trader took over: what still works is left alone unless nothing is held any more (then it is cancelled). */
export function cancelsOnly(facts: BracketFacts, held: Dec): BracketAction[] {
  if (held.greaterThan(0)) return [];
  return allLegs(facts)
    .filter((leg) => live(leg) && !leg.cancelRequested)
    .map((leg) => ({ kind: 'cancel' as const, clientOrderId: leg.clientOrderId, reason: 'bracket: nothing left to protect' }));
}

/**
 * The stop triggered: no other stop works any more, and what is held leaves once no other order of
 * the bracket works. A triggered stop finishing on its own (sent by PATRIOT, or a stop-limit
 * resting at its limit) is left to finish, and only what it does not cover leaves beside it. The
 * exit is a market order; when the stop is a stop-limit, it is a limit order at the stop's limit
 * price, so nothing leaves worse than the trader allowed.
 */
export function afterStop(plan: BracketPlan, facts: BracketFacts, held: Dec, side: OrderSide, step: Dec): BracketAction[] {
  const actions: BracketAction[] = [];
  for (const leg of facts.stops) {
    if (live(leg) && !leg.cancelRequested && !finishing(leg)) actions.push({ kind: 'cancel', clientOrderId: leg.clientOrderId, reason: 'bracket: the stop-loss triggered' });
  }
  // what is already on its way out: stops finishing on their own and exits still working (a limit exit may rest)
  const leaving = (leg: LegFacts): boolean => !leg.cancelRequested && (finishing(leg) || facts.exits.includes(leg));
  const stillLive = allLegs(facts).filter((leg) => live(leg));
  const covered = stillLive.filter(leaving).reduce((sum, leg) => sum.plus(leg.quantity.minus(leg.filled)), ZERO);
  const busy = stillLive.some((leg) => !leaving(leg));
  const quantity = floorStep(held.minus(covered), step);
  if (!busy && quantity.greaterThan(0) && facts.exits.length < MAX_STOP_GENERATIONS) {
    const trigger = facts.stops.find(stopTriggered)?.stopPrice ?? (plan.stopLoss !== undefined ? new Dec(plan.stopLoss) : undefined);
    const limitPrice = trigger !== undefined ? stopLimitPriceFor(trigger, plan) : undefined;
    actions.push({ kind: 'place_exit', generation: facts.exits.length, side, quantity: decToString(quantity), ...(limitPrice !== undefined ? { limitPrice } : {}) });
  }
  return actions;
}

/** Each leg's share of `total`, rounded down to the step; the last leg takes what rounding left. */
export function legSizes(total: Dec, fractions: readonly Dec[], step: Dec): Dec[] {
  const sizes = fractions.map((f) => floorStep(total.times(f), step));
  if (sizes.length > 0) sizes[sizes.length - 1] = total.minus(sizes.slice(0, -1).reduce((a, b) => a.plus(b), ZERO));
  return sizes;
}

export function floorStep(value: Dec, step: Dec): Dec {
  return step.greaterThan(0) ? value.dividedToIntegerBy(step).times(step) : value;
}

export function roundTick(price: Dec, plan: BracketPlan): Dec {
  const tick = parseDec(plan.tickSize);
  if (!tick || !tick.greaterThan(0)) return price;
  // the break-even stop of a long sells at or above entry; of a short buys at or below it
  const ticks = price.dividedBy(tick);
  return (plan.entrySide === 'buy' ? ticks.ceil() : ticks.floor()).times(tick);
}
