import type { EventStore, RecordedEvent } from '../ports/event-store.js';
import type { OrderIntent } from '../../domain/events.js';
import { streams } from '../../domain/events.js';
import { orderDecider, type OrderState } from '../../domain/orders/order-decider.js';
import { accountDecider } from '../../domain/accounts/account-decider.js';
import { planBracket, type BracketAction, type BracketFacts, type LegFacts } from '../../domain/orders/bracket.js';
import { Dec, ZERO, decToString } from '../../domain/shared/decimal.js';
import { aggregateStream } from '../shared/aggregate-stream.js';
import { clientOrderIdFor } from '../shared/client-order-id.js';
import { KeyedMutex } from '../shared/keyed-mutex.js';
import { handleCommand } from '../commands/command-handler.js';
import { reactor } from './reactor.js';
import type { Processor, RecordedOf } from './processor.js';

type Handled = 'OrderAccepted' | 'OrderFilled' | 'OrderCancelled' | 'OrderExpired' | 'OrderExchangeRejected';

/**
 * Brackets managed by PATRIOT (issue 17; ADR-0018): after every outcome of an entry with a
 * bracket or of one of its children, the group's facts are read from the log and `planBracket`
 * says what to place and what to cancel. Placing is an OrderApproved on the child's own stream
 * (expected version 0: done once, whoever repeats it); cancelling is a recorded cancel request.
 * The owner of the account sends both, like any order. Children are protective exits of an entry
 * that passed risk: they are approved without a second risk check.
 */
export function bracketOrders(events: EventStore): Processor<Handled> {
  const mutex = new KeyedMutex();
  return reactor(events, {
    id: 'bracket-orders',
    handles: ['OrderAccepted', 'OrderFilled', 'OrderCancelled', 'OrderExpired', 'OrderExchangeRejected'],
    runsOn: 'account-owner',
    react: (e) => onOrderEvent(events, mutex, e),
  });
}

/** The child's clientOrderId: deterministic from the entry's signal and account, one leg number per role and index. */
export function bracketChildId(entry: OrderIntent, tenantId: string, role: 'take_profit' | 'stop' | 'exit', index: number): string {
  const base = role === 'take_profit' ? 100 : role === 'stop' ? 200 : 300;
  return clientOrderIdFor(tenantId, entry.signalId, entry.accountId, base + index);
}

async function onOrderEvent(events: EventStore, mutex: KeyedMutex, e: RecordedOf<Handled>): Promise<void> {
  const order = await aggregateStream(events, streams.order(e.data.clientOrderId), orderDecider);
  const intent = order.state.intent;
  const entryId = intent?.bracket ? intent.clientOrderId : intent?.parent?.clientOrderId;
  if (!intent || entryId === undefined) return;
  const entry = entryId === intent.clientOrderId ? order : await aggregateStream(events, streams.order(entryId), orderDecider);
  const entryIntent = entry.state.intent;
  const plan = entryIntent?.bracket;
  const tenantId = entry.history[0]?.metadata.tenantId;
  if (!entryIntent || !plan || tenantId === undefined) return;
  const leg = async (role: 'take_profit' | 'stop' | 'exit', index: number): Promise<LegFacts | undefined> => {
    const id = bracketChildId(entryIntent, tenantId, role, index);
    const { state, history } = await aggregateStream(events, streams.order(id), orderDecider);
    if (state.status === 'none') return undefined;
    const byOthers = history.some((h) => h.type === 'OrderCancelRequested' && !String((h.data as { by?: unknown }).by ?? '').startsWith('bracket:'));
    return { ...legFacts(id, state), ...(byOthers ? { cancelledByOthers: true } : {}) };
  };
  const takeProfits = await Promise.all(plan.takeProfits.map((_, i) => leg('take_profit', i)));
  const generations = async (role: 'stop' | 'exit'): Promise<LegFacts[]> => {
    const found: LegFacts[] = [];
    for (let g = 0; ; g++) {
      const facts = await leg(role, g);
      if (!facts) return found;
      found.push(facts);
    }
  };
  const facts: BracketFacts = {
    entry: { status: entry.state.status, filled: entry.state.filledQuantity, ...averagePrice(entry.history), clientOrderId: entryId, cancelRequested: entry.state.cancelRequest !== undefined },
    takeProfits, stops: await generations('stop'), exits: await generations('exit'),
  };
  const metadata = { tenantId, time: e.metadata.time, ...(entry.history[0]?.metadata.correlationId !== undefined ? { correlationId: entry.history[0].metadata.correlationId } : {}), causationId: `bracket:${entryId}` };
  const actions = planBracket(plan, facts);
  // the kill switch's flatten closes the position itself: no new child is placed from then on (its cancels end the working ones)
  const flattening = actions.some((a) => a.kind !== 'cancel') && (await aggregateStream(events, streams.account(entryIntent.accountId), accountDecider)).state.flattening === true;
  for (const action of actions) if (action.kind === 'cancel' || !flattening) await carryOut(events, mutex, entryIntent, tenantId, action, metadata);
}

async function carryOut(events: EventStore, mutex: KeyedMutex, entry: OrderIntent, tenantId: string, action: BracketAction, metadata: { tenantId: string; time: string; correlationId?: string; causationId: string }): Promise<void> {
  if (action.kind === 'cancel') {
    await handleCommand(events, mutex, orderDecider, streams.order(action.clientOrderId), { type: 'RequestCancel', by: `bracket:${entry.clientOrderId}`, reason: action.reason }, () => metadata);
    return; // refused (already final): nothing to do
  }
  const role = action.kind === 'place_take_profit' ? 'take_profit' : action.kind === 'place_stop' ? 'stop' : 'exit';
  const index = action.kind === 'place_take_profit' ? action.leg : action.generation;
  const child: OrderIntent = {
    clientOrderId: bracketChildId(entry, tenantId, role, index), accountId: entry.accountId, strategyId: entry.strategyId, signalId: entry.signalId, symbol: entry.symbol,
    side: action.side, type: action.kind === 'place_take_profit' ? 'limit' : action.kind === 'place_stop' ? 'stop_market' : 'market', quantity: action.quantity,
    ...(action.kind === 'place_take_profit' ? { limitPrice: action.limitPrice } : {}), ...(action.kind === 'place_stop' ? { stopPrice: action.stopPrice } : {}),
    referencePrice: entry.referencePrice, reduceOnly: true, parent: { clientOrderId: entry.clientOrderId, role, index },
  };
  const decided = orderDecider.decide({ type: 'Approve', intent: child }, orderDecider.initialState());
  if (!decided.ok) return;
  // expected version 0: placed once, however often this reaction runs (a conflict means it is there)
  await events.append({ streamId: streams.order(child.clientOrderId), expectedVersion: 0, events: decided.value, metadata });
}

function legFacts(clientOrderId: string, state: OrderState): LegFacts {
  const stop = state.intent?.stopPrice;
  return {
    clientOrderId, status: state.status, quantity: state.quantity, filled: state.filledQuantity, cancelRequested: state.cancelRequest !== undefined,
    ...(stop !== undefined ? { stopPrice: new Dec(stop) } : {}), ...(state.exchangeRejection ? { rejection: state.exchangeRejection.code } : {}),
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
