import type { OrderSide } from '../events.js';
import { Dec, ZERO, decToString, parseDec } from '../shared/decimal.js';
import { NOT_PLACED } from './order-decider.js';
import {
  MAX_STOP_GENERATIONS, afterStop, allLegs, cancelsOnly, entryDone, floorStep, legSizes, live, roundTick, stopLimitPriceFor, stopTriggered, whileEntering,
  type BracketAction, type BracketFacts, type BracketPlan, type LegFacts, type ListPairFacts,
} from './bracket.js';

/** The list was refused because the market is already past one of its prices (Binance -2010). */
const PRICES_PASSED = 'OCO_PRICES_WRONG_SIDE';

/**
 * A bracket on an exchange with native one-cancels-other lists (issue 17; Binance spot order
 * lists; ADR-0018). Pure, like `planBracket`, whose entry and standalone-stop rules it shares:
 *
 * - While the entry works, partly filled, a standalone stop protects what it bought (as without
 *   lists). Once the entry ends, that stop is cancelled, and only once it is final (a venue that
 *   locks the base for a resting stop would refuse the lists meanwhile) each take-profit leg is
 *   placed as one list: its limit price and its share of the stop, for its share of the entry.
 * - The exchange ends the sibling: a take-profit fill expires its stop, a triggered stop expires
 *   its take-profit. PATRIOT only follows: a leg's share is done when its legs filled it.
 * - A take-profit that filled in part leaves the rest of its share unprotected (the exchange
 *   expired its stop): the rest is cancelled and paired again in a new list.
 * - Break-even: once a take-profit filled completely, every list whose stop is not at the entry's
 *   price is cancelled (both legs) and placed again with the stop there.
 * - A list refused because the market is already past one of its prices (`OCO_PRICES_WRONG_SIDE`:
 *   beyond the stop, or beyond the take-profit) means both of its orders would have executed: its
 *   share leaves at market. A list never placed (NOT_PLACED) is placed again; any other refusal
 *   ends that leg's management (visible on its orders with the reason). At most
 *   MAX_STOP_GENERATIONS lists and exits per leg.
 * - A child cancelled by anyone but the bracket ends the management, as without lists.
 */
export function planListBracket(plan: BracketPlan, facts: BracketFacts): BracketAction[] {
  const entered = facts.entry.filled;
  if (!entered.greaterThan(0) || plan.stopLoss === undefined) return [];
  const side: OrderSide = plan.entrySide === 'buy' ? 'sell' : 'buy';
  const step = parseDec(plan.stepSize) ?? new Dec('1e-8');
  const legs = allLegs(facts);
  const held = legs.reduce((sum, leg) => sum.minus(leg.filled), entered);
  if (!entryDone(facts.entry.status)) return whileEntering(plan, facts, held, side, step);
  if (legs.some((leg) => leg.cancelledByOthers === true)) return cancelsOnly(facts, held);
  if (facts.stops.some(stopTriggered)) return afterStop(plan, facts, held, side, step);
  // the standalone stop that protected a partly filled entry gives way to the lists (once it is final)
  const standalone = facts.stops.filter(live);
  if (standalone.length > 0) {
    return standalone.filter((leg) => !leg.cancelRequested).map((leg) => ({ kind: 'cancel' as const, clientOrderId: leg.clientOrderId, reason: 'bracket: the stop-loss moves into one-cancels-other lists' }));
  }
  // no standalone stop filled any part (that would have been the stop triggering, above): the legs share the entry
  const sizes = legSizes(entered, plan.takeProfits.map((t) => new Dec(t.fraction)), step);
  const firstDone = (facts.lists ?? []).some((gens) => (gens ?? []).some((pair) => pair.limit.status === 'filled'));
  const stopPrice = plan.breakEven && firstDone && facts.entry.averagePrice ? roundTick(facts.entry.averagePrice, plan) : new Dec(plan.stopLoss);
  const actions: BracketAction[] = [];
  plan.takeProfits.forEach((tp, leg) => {
    actions.push(...planLeg(leg, tp.price, sizes[leg] ?? ZERO, facts.lists?.[leg] ?? [], facts.legExits?.[leg] ?? [], { side, step, stopPrice, stopLimitPrice: stopLimitPriceFor(stopPrice, plan) }));
  });
  return actions;
}

interface LegContext {
  readonly side: OrderSide;
  readonly step: Dec;
  readonly stopPrice: Dec;
  /** the stop leg's limit when the stop is a stop-limit */
  readonly stopLimitPrice: string | undefined;
}

/** One take-profit leg's share: its lists (generations) and market exits. */
function planLeg(leg: number, limitPrice: string, size: Dec, lists: readonly ListPairFacts[], exits: readonly LegFacts[], ctx: LegContext): BracketAction[] {
  const done = [...lists.flatMap((pair) => [pair.limit, pair.stop]), ...exits].reduce((sum, order) => sum.plus(order.filled), ZERO);
  const remaining = floorStep(size.minus(done), ctx.step);
  const current = lists[lists.length - 1];
  if (current !== undefined && (live(current.limit) || live(current.stop))) return whileListWorks(current, ctx.stopPrice);
  if (exits.some(live)) return [];
  if (!remaining.greaterThan(0)) return [];
  const refusal = current === undefined ? undefined : refusalOf(current);
  // the market is past one of the list's prices (or its share already began to leave at market): the share leaves at market
  if (refusal === PRICES_PASSED || exits.length > 0) {
    const limit = ctx.stopLimitPrice !== undefined ? { limitPrice: ctx.stopLimitPrice } : {};
    return exits.length < MAX_STOP_GENERATIONS ? [{ kind: 'place_leg_exit', leg, generation: exits.length, side: ctx.side, quantity: decToString(remaining), ...limit }] : [];
  }
  if (refusal !== undefined && refusal !== NOT_PLACED) return []; // refused for another reason: not chased
  if (lists.length >= MAX_STOP_GENERATIONS) return [];
  const stopLimit = ctx.stopLimitPrice !== undefined ? { stopLimitPrice: ctx.stopLimitPrice } : {};
  return [{ kind: 'place_list', leg, generation: lists.length, side: ctx.side, quantity: decToString(remaining), limitPrice, stopPrice: decToString(ctx.stopPrice), ...stopLimit }];
}

/** A list still works: its take-profit filled in part (its stop is gone) or its stop must move to break-even → cancel, then pair again. */
function whileListWorks(pair: ListPairFacts, stopPrice: Dec): BracketAction[] {
  const working = [pair.limit, pair.stop].filter((order) => live(order) && !order.cancelRequested);
  const unprotected = live(pair.limit) && pair.limit.filled.greaterThan(0) && !live(pair.stop);
  const moved = live(pair.stop) && !pair.stop.filled.greaterThan(0) && !pair.limit.filled.greaterThan(0) && pair.stop.stopPrice !== undefined && !pair.stop.stopPrice.equals(stopPrice);
  if (!unprotected && !moved) return [];
  const reason = unprotected ? 'bracket: the rest of a take-profit filled in part is paired with a stop again' : 'bracket: the stop-loss moves to break-even';
  return working.map((order) => ({ kind: 'cancel' as const, clientOrderId: order.clientOrderId, reason }));
}

/** The code a list was refused with (both legs carry it), if it was. */
function refusalOf(pair: ListPairFacts): string | undefined {
  for (const order of [pair.limit, pair.stop]) {
    if (order.status === 'exchange_rejected' && !order.filled.greaterThan(0)) return order.rejection ?? 'EXCHANGE_REJECTED';
  }
  return undefined;
}
