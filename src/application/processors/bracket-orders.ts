import type { EventStore, RecordedEvent } from '../ports/event-store.js';
import type { OrderIntent } from '../../domain/events.js';
import { streams } from '../../domain/events.js';
import { orderDecider, type OrderState } from '../../domain/orders/order-decider.js';
import { accountDecider } from '../../domain/accounts/account-decider.js';
import { planBracket, type BracketAction, type BracketFacts, type LegFacts, type ListPairFacts } from '../../domain/orders/bracket.js';
import { Dec, ZERO, decToString } from '../../domain/shared/decimal.js';
import { aggregateStream } from '../shared/aggregate-stream.js';
import { clientOrderIdFor } from '../shared/client-order-id.js';
import { KeyedMutex } from '../shared/keyed-mutex.js';
import { handleCommand } from '../commands/command-handler.js';
import { reactor } from './reactor.js';
import type { Processor, RecordedOf } from './processor.js';

type Outcome = 'OrderAccepted' | 'OrderFilled' | 'OrderCancelled' | 'OrderExpired' | 'OrderExchangeRejected';
type Handled = 'OrderApproved' | Outcome;

/** The entry of the bracket an order belongs to (itself when it carries the bracket; its parent when it is a child), or undefined for an order outside any bracket. */
const bracketEntryOf = (intent: OrderIntent): string | undefined => (intent.bracket ? intent.clientOrderId : intent.parent?.clientOrderId);

/**
 * Orders known to be outside any bracket, learnt from their OrderApproved (an order's intent is
 * its stream's first event and never changes): their outcomes then need no read of the log,
 * which every outcome of every order cost before (issue 18). Bounded, the oldest first out; an
 * order not known here (approved before this node followed the log, or forgotten) is read from
 * the log as before, so what is decided never depends on what is remembered.
 */
export class OrdersOutsideBrackets {
  private readonly ids = new Set<string>();

  constructor(private readonly max = 10_000) {}

  approved(intent: OrderIntent): void {
    if (bracketEntryOf(intent) !== undefined || this.ids.has(intent.clientOrderId)) return;
    this.ids.add(intent.clientOrderId);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
  }

  has(clientOrderId: string): boolean {
    return this.ids.has(clientOrderId);
  }

  get size(): number {
    return this.ids.size;
  }
}

/**
 * Brackets managed by PATRIOT (issue 17; ADR-0018): after every outcome of an entry with a
 * bracket or of one of its children, the group's facts are read from the log and `planBracket`
 * says what to place and what to cancel. Placing is an OrderApproved on the child's own stream
 * (expected version 0: done once, whoever repeats it); cancelling is a recorded cancel request.
 * The owner of the account sends both, like any order. Children are protective exits of an entry
 * that passed risk: they are approved without a second risk check.
 */
export function bracketOrders(events: EventStore, outside = new OrdersOutsideBrackets()): Processor<Handled> {
  const mutex = new KeyedMutex();
  return reactor(events, {
    id: 'bracket-orders',
    handles: ['OrderApproved', 'OrderAccepted', 'OrderFilled', 'OrderCancelled', 'OrderExpired', 'OrderExchangeRejected'],
    runsOn: 'account-owner',
    react: async (e) => {
      if (e.type === 'OrderApproved') return outside.approved((e as RecordedOf<'OrderApproved'>).data);
      const outcome = e as RecordedOf<Outcome>;
      if (outside.has(outcome.data.clientOrderId)) return;
      await onOrderEvent(events, mutex, outcome);
    },
  });
}

/** The child's clientOrderId: deterministic from the entry's signal and account, one leg number per role and index. */
export function bracketChildId(entry: OrderIntent, tenantId: string, role: 'take_profit' | 'stop' | 'exit', index: number): string {
  const base = role === 'take_profit' ? 100 : role === 'stop' ? 200 : 300;
  return clientOrderIdFor(tenantId, entry.signalId, entry.accountId, base + index);
}

/** Ids of a one-cancels-other list's legs, of the list itself, and of a leg's market exits: one leg number per role, take-profit leg and generation. */
export function bracketListId(entry: OrderIntent, tenantId: string, role: 'list_limit' | 'list_stop' | 'list' | 'leg_exit', leg: number, generation: number): string {
  const base = role === 'list_limit' ? 1000 : role === 'list_stop' ? 2000 : role === 'list' ? 3000 : 4000;
  return clientOrderIdFor(tenantId, entry.signalId, entry.accountId, base + leg * 100 + generation);
}

async function onOrderEvent(events: EventStore, mutex: KeyedMutex, e: RecordedOf<Outcome>): Promise<void> {
  const order = await aggregateStream(events, streams.order(e.data.clientOrderId), orderDecider);
  const intent = order.state.intent;
  const entryId = intent ? bracketEntryOf(intent) : undefined;
  if (!intent || entryId === undefined) return;
  const entry = entryId === intent.clientOrderId ? order : await aggregateStream(events, streams.order(entryId), orderDecider);
  const entryIntent = entry.state.intent;
  const plan = entryIntent?.bracket;
  const tenantId = entry.history[0]?.metadata.tenantId;
  if (!entryIntent || !plan || tenantId === undefined) return;
  const leg = (role: 'take_profit' | 'stop' | 'exit', index: number): Promise<LegFacts | undefined> => legById(bracketChildId(entryIntent, tenantId, role, index));
  const legById = async (id: string): Promise<LegFacts | undefined> => {
    const { state, history } = await aggregateStream(events, streams.order(id), orderDecider);
    if (state.status === 'none') return undefined;
    const byOthers = history.some((h) => h.type === 'OrderCancelRequested' && !String((h.data as { by?: unknown }).by ?? '').startsWith('bracket:'));
    return { ...legFacts(id, state), ...(byOthers ? { cancelledByOthers: true } : {}) };
  };
  const takeProfits = await Promise.all(plan.takeProfits.map((_, i) => leg('take_profit', i)));
  const generations = async (read: (g: number) => Promise<LegFacts | undefined>): Promise<LegFacts[]> => {
    const found: LegFacts[] = [];
    for (let g = 0; ; g++) {
      const facts = await read(g);
      if (!facts) return found;
      found.push(facts);
    }
  };
  const listed = plan.orderLists === true ? await listFacts(plan.takeProfits.length, (role, i, g) => legById(bracketListId(entryIntent, tenantId, role, i, g))) : {};
  const facts: BracketFacts = {
    entry: { status: entry.state.status, filled: entry.state.filledQuantity, ...averagePrice(entry.history), clientOrderId: entryId, cancelRequested: entry.state.cancelRequest !== undefined },
    takeProfits, stops: await generations((g) => leg('stop', g)), exits: await generations((g) => leg('exit', g)), ...listed,
  };
  const metadata = { tenantId, time: e.metadata.time, ...(entry.history[0]?.metadata.correlationId !== undefined ? { correlationId: entry.history[0].metadata.correlationId } : {}), causationId: `bracket:${entryId}` };
  const actions = planBracket(plan, facts);
  // the kill switch's flatten closes the position itself: no new child is placed from then on (its cancels end the working ones)
  const flattening = actions.some((a) => a.kind !== 'cancel') && (await aggregateStream(events, streams.account(entryIntent.accountId), accountDecider)).state.flattening === true;
  for (const action of actions) if (action.kind === 'cancel' || !flattening) await carryOut(events, mutex, entryIntent, tenantId, action, metadata);
}

/** The lists of each take-profit leg (generations: both legs), and each leg's market exits. */
async function listFacts(legs: number, read: (role: 'list_limit' | 'list_stop' | 'leg_exit', leg: number, generation: number) => Promise<LegFacts | undefined>): Promise<Pick<BracketFacts, 'lists' | 'legExits'>> {
  const lists: ListPairFacts[][] = [];
  const legExits: LegFacts[][] = [];
  for (let i = 0; i < legs; i++) {
    const pairs: ListPairFacts[] = [];
    for (let g = 0; ; g++) {
      const [limit, stop] = await Promise.all([read('list_limit', i, g), read('list_stop', i, g)]);
      if (!limit || !stop) break; // both legs are approved in one append
      pairs.push({ limit, stop });
    }
    const exits: LegFacts[] = [];
    for (let g = 0; ; g++) {
      const exit = await read('leg_exit', i, g);
      if (!exit) break;
      exits.push(exit);
    }
    lists.push(pairs);
    legExits.push(exits);
  }
  return { lists, legExits };
}

type Metadata = { tenantId: string; time: string; correlationId?: string; causationId: string };

/** Both legs of a list approved in one append (expected version 0 on each: done once, whoever repeats it). */
async function approveList(events: EventStore, entry: OrderIntent, tenantId: string, action: Extract<BracketAction, { kind: 'place_list' }>, metadata: Metadata): Promise<void> {
  const limitId = bracketListId(entry, tenantId, 'list_limit', action.leg, action.generation);
  const stopId = bracketListId(entry, tenantId, 'list_stop', action.leg, action.generation);
  const listClientOrderId = bracketListId(entry, tenantId, 'list', action.leg, action.generation);
  const common = {
    accountId: entry.accountId, strategyId: entry.strategyId, signalId: entry.signalId, symbol: entry.symbol, side: action.side, quantity: action.quantity,
    referencePrice: entry.referencePrice, reduceOnly: true,
  };
  const limit: OrderIntent = {
    ...common, clientOrderId: limitId, type: 'limit', limitPrice: action.limitPrice,
    parent: { clientOrderId: entry.clientOrderId, role: 'take_profit', index: action.leg, generation: action.generation },
    orderList: { listClientOrderId, leg: 'limit', siblingClientOrderId: stopId },
  };
  const stop: OrderIntent = {
    ...common, clientOrderId: stopId, ...stopLegType(action), stopPrice: action.stopPrice,
    parent: { clientOrderId: entry.clientOrderId, role: 'stop', index: action.leg, generation: action.generation },
    orderList: { listClientOrderId, leg: 'stop', siblingClientOrderId: limitId },
  };
  const requests = [];
  for (const intent of [limit, stop]) {
    const decided = orderDecider.decide({ type: 'Approve', intent }, orderDecider.initialState());
    if (!decided.ok) return;
    requests.push({ streamId: streams.order(intent.clientOrderId), expectedVersion: 0, events: decided.value, metadata });
  }
  // a conflict means the list is there already
  await events.appendAtomic(requests);
}

async function carryOut(events: EventStore, mutex: KeyedMutex, entry: OrderIntent, tenantId: string, action: BracketAction, metadata: Metadata): Promise<void> {
  if (action.kind === 'cancel') {
    await handleCommand(events, mutex, orderDecider, streams.order(action.clientOrderId), { type: 'RequestCancel', by: `bracket:${entry.clientOrderId}`, reason: action.reason }, () => metadata);
    return; // refused (already final): nothing to do
  }
  if (action.kind === 'place_list') {
    await approveList(events, entry, tenantId, action, metadata);
    return;
  }
  if (action.kind === 'place_leg_exit') {
    const exit: OrderIntent = {
      clientOrderId: bracketListId(entry, tenantId, 'leg_exit', action.leg, action.generation), accountId: entry.accountId, strategyId: entry.strategyId, signalId: entry.signalId,
      symbol: entry.symbol, side: action.side, ...exitType(action), quantity: action.quantity, referencePrice: entry.referencePrice, reduceOnly: true,
      parent: { clientOrderId: entry.clientOrderId, role: 'exit', index: action.leg, generation: action.generation },
    };
    const decided = orderDecider.decide({ type: 'Approve', intent: exit }, orderDecider.initialState());
    if (decided.ok) await events.append({ streamId: streams.order(exit.clientOrderId), expectedVersion: 0, events: decided.value, metadata });
    return;
  }
  const role = action.kind === 'place_take_profit' ? 'take_profit' : action.kind === 'place_stop' ? 'stop' : 'exit';
  const index = action.kind === 'place_take_profit' ? action.leg : action.generation;
  // a stop PATRIOT holds must find the base free when it fires (a resting take-profit would lock it on a spot exchange):
  // PATRIOT then holds the take-profits too, as take-profit orders sent at market once their price is reached
  const held = entry.bracket?.managedStop === true && action.kind !== 'place_exit';
  const typed = action.kind === 'place_take_profit' ? (held ? { type: 'take_profit' as const, stopPrice: action.limitPrice } : { type: 'limit' as const, limitPrice: action.limitPrice })
    : action.kind === 'place_stop' ? { ...stopLegType(action), stopPrice: action.stopPrice } : exitType(action);
  const child: OrderIntent = {
    clientOrderId: bracketChildId(entry, tenantId, role, index), accountId: entry.accountId, strategyId: entry.strategyId, signalId: entry.signalId, symbol: entry.symbol,
    side: action.side, ...typed, quantity: action.quantity,
    ...(held ? { managed: true as const } : {}),
    referencePrice: entry.referencePrice, reduceOnly: true, parent: { clientOrderId: entry.clientOrderId, role, index },
  };
  const decided = orderDecider.decide({ type: 'Approve', intent: child }, orderDecider.initialState());
  if (!decided.ok) return;
  // expected version 0: placed once, however often this reaction runs (a conflict means it is there)
  await events.append({ streamId: streams.order(child.clientOrderId), expectedVersion: 0, events: decided.value, metadata });
}

/** An exit after a stop-limit triggered is a limit order at its limit price (never worse than the trader allowed); else a market order. */
function exitType(action: { readonly limitPrice?: string }): { type: 'limit'; limitPrice: string } | { type: 'market' } {
  return action.limitPrice !== undefined ? { type: 'limit', limitPrice: action.limitPrice } : { type: 'market' };
}

/** A stop leg is a stop-limit (resting at its limit once triggered) when the bracket asked for one, else a stop-market. */
function stopLegType(action: { readonly stopLimitPrice?: string }): { type: 'stop_limit'; limitPrice: string } | { type: 'stop_market' } {
  return action.stopLimitPrice !== undefined ? { type: 'stop_limit', limitPrice: action.stopLimitPrice } : { type: 'stop_market' };
}

function legFacts(clientOrderId: string, state: OrderState): LegFacts {
  const stop = state.intent?.stopPrice;
  return {
    clientOrderId, status: state.status, quantity: state.quantity, filled: state.filledQuantity, cancelRequested: state.cancelRequest !== undefined,
    ...(stop !== undefined ? { stopPrice: new Dec(stop) } : {}), ...(state.exchangeRejection ? { rejection: state.exchangeRejection.code } : {}),
    ...(state.intent?.type === 'stop_limit' ? { stopLimit: true } : {}), ...(state.triggered !== undefined ? { triggered: true } : {}),
  };
}

function averagePrice(history: readonly RecordedEvent[]): { averagePrice?: Dec } {
  let quantity = ZERO;
  let cost = ZERO;
  for (const e of history) {
    if (e.type !== 'OrderFilled') continue;
    const q = new Dec(String(e.data.quantity));
    quantity = quantity.plus(q);
    cost = cost.plus(q.times(String(e.data.price)));
  }
  return quantity.greaterThan(0) ? { averagePrice: new Dec(decToString(cost.dividedBy(quantity))) } : {};
}
