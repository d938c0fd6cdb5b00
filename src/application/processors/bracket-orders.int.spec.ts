import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import type { EventStore } from '../ports/event-store.js';
import type { OrderIntent } from '../../domain/events.js';
import { ProcessorRunner } from './processor-runner.js';
import { bracketOrders, OrdersOutsideBrackets } from './bracket-orders.js';

const meta = { tenantId: 't1', time: '2026-01-01T00:00:00.000Z' };

const intent = (clientOrderId: string, extra: Partial<OrderIntent> = {}): OrderIntent => ({
  clientOrderId, accountId: 'a1', strategyId: 's1', signalId: `sig-${clientOrderId}`, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1',
  referencePrice: '100', reduceOnly: false, ...extra,
});

const bracket = { entrySide: 'buy' as const, takeProfits: [{ price: '110', fraction: '1' }], stopLoss: '90', stepSize: '0.001', tickSize: '0.01' };

async function approve(store: EventStore, order: OrderIntent): Promise<void> {
  await store.append({ streamId: `order-${order.clientOrderId}`, expectedVersion: 0, metadata: meta, events: [{ type: 'OrderApproved', data: order }] });
}

async function acceptAndFill(store: EventStore, clientOrderId: string): Promise<void> {
  await store.append({
    streamId: `order-${clientOrderId}`, expectedVersion: 'any', metadata: meta,
    events: [
      { type: 'OrderAccepted', data: { clientOrderId, accountId: 'a1', exchangeOrderId: `x-${clientOrderId}` } },
      {
        type: 'OrderFilled',
        data: {
          clientOrderId, accountId: 'a1', strategyId: 's1', tradeId: `t-${clientOrderId}`, symbol: 'BTC/USDT', side: 'buy', quantity: '1', price: '100',
          fee: '0', feeCurrency: 'USDT', liquidity: 'taker', filledAt: meta.time, cumulativeQuantity: '1', complete: true,
        },
      },
    ],
  });
}

/** The store, counting the order streams read through it. */
function counting(store: EventStore): { store: EventStore; reads: string[] } {
  const reads: string[] = [];
  const wrapped = Object.create(store) as EventStore;
  wrapped.readStream = (streamId, fromVersion) => {
    reads.push(streamId);
    return store.readStream(streamId, fromVersion);
  };
  return { store: wrapped, reads };
}

const childrenOf = async (store: EventStore, entryId: string): Promise<OrderIntent[]> =>
  (await store.readAll(0, 1000)).filter((e) => e.type === 'OrderApproved' && (e.data as unknown as OrderIntent).parent?.clientOrderId === entryId).map((e) => e.data as unknown as OrderIntent);

describe('bracket orders processor: orders outside brackets', () => {
  it('given orders approved while it follows the log, when a plain order fills, then its outcomes are not read from the log, and a bracket entry still gets its children', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const { store, reads } = counting(events);
    const runner = new ProcessorRunner(store, bracketOrders(store), { accountId: 'a1' });
    await runner.start();
    await approve(events, intent('plain'));
    await approve(events, intent('entry', { bracket }));
    await acceptAndFill(events, 'plain');
    await acceptAndFill(events, 'entry');
    await runner.catchUp();

    expect(reads.filter((s) => s === 'order-plain')).toEqual([]);
    expect(reads).toContain('order-entry');
    const children = await childrenOf(events, 'entry');
    expect(children.map((c) => c.parent?.role).sort()).toEqual(['stop', 'take_profit']);
    await runner.stop();
    await events.close();
  });

  it('given orders approved before its checkpoint (not seen approved), when they fill, then they are read from the log as before: the entry gets its children, the plain order none', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    await approve(events, intent('plain'));
    await approve(events, intent('entry', { bracket }));
    await events.saveCheckpoint('bracket-orders@a1', await events.headPosition()); // a node that followed the log up to here
    await acceptAndFill(events, 'plain');
    await acceptAndFill(events, 'entry');
    const { store, reads } = counting(events);
    const runner = new ProcessorRunner(store, bracketOrders(store), { accountId: 'a1' });
    await runner.start();

    expect(reads).toContain('order-plain');
    expect((await childrenOf(events, 'entry')).map((c) => c.parent?.role).sort()).toEqual(['stop', 'take_profit']);
    expect(await childrenOf(events, 'plain')).toEqual([]);
    await runner.stop();
    await events.close();
  });

  it('remembers at most its bound, the oldest out first, and never a bracket entry or child', () => {
    const outside = new OrdersOutsideBrackets(2);
    outside.approved(intent('o1'));
    outside.approved(intent('o2'));
    outside.approved(intent('o3'));
    outside.approved(intent('entry', { bracket }));
    outside.approved(intent('child', { parent: { clientOrderId: 'entry', role: 'stop', index: 0 } }));
    expect(['o1', 'o2', 'o3', 'entry', 'child'].filter((id) => outside.has(id))).toEqual(['o2', 'o3']);
    expect(outside.size).toBe(2);
  });
});
