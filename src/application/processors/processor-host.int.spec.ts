import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteProjectionStore } from '../../adapters/readmodels/sqlite-projection-store.js';
import type { EventStore } from '../ports/event-store.js';
import { ProcessorHost } from './processor-host.js';
import { registeredProcessors } from './registry.js';
import { reactor } from './reactor.js';
import { STRATEGY_FILLS, type StrategyFillsView } from './strategy-fill-counts.js';
import type { RecordedOf } from './processor.js';

const meta = { tenantId: 't1', time: '2026-01-01T00:00:00.000Z' };

async function fills(store: EventStore, count: number, accountOf: (i: number) => string, strategyOf: (i: number) => string, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const accountId = accountOf(i);
    await store.append({
      streamId: `order-c${i}`, expectedVersion: 'any', metadata: meta,
      events: [{
        type: 'OrderFilled',
        data: {
          clientOrderId: `c${i}`, accountId, strategyId: strategyOf(i), tradeId: `t${i}`, symbol: 'BTC/USDT', side: i % 3 === 0 ? 'sell' : 'buy', quantity: '1', price: '100',
          fee: '0', feeCurrency: 'USDT', liquidity: 'taker', filledAt: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`, cumulativeQuantity: '1', complete: true,
        },
      }],
    });
    // something the fill counter does not handle, in between: it only moves the checkpoint
    await store.append({ streamId: `account-${accountId}`, expectedVersion: 'any', metadata: meta, events: [{ type: 'KillSwitchReleased', data: { accountId } }] });
  }
}

describe('processors', () => {
  it('given fills of two strategies, when the leader runs the fill counter, then each count is exact, and a new leader resumes from the stored checkpoint', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const readModels = new SqliteProjectionStore(':memory:');
    await fills(events, 30, () => 'a1', (i) => (i % 2 === 0 ? 's1' : 's2'));
    const first = new ProcessorHost(events, registeredProcessors({ events, readModels }));
    await first.start();
    expect(await readModels.processorCheckpoint('strategy-fill-counts')).toBe(0); // not the leader: not run here
    await first.setLeader(true);
    const counts = async (id: string) => (await readModels.get(STRATEGY_FILLS, 't1', id))?.data as StrategyFillsView | undefined;
    expect(await counts('s1')).toMatchObject({ fills: 15, sells: 5, buys: 10, ordersFilled: 15 });
    expect(await counts('s2')).toMatchObject({ fills: 15 });
    await first.setLeader(false);

    await fills(events, 10, () => 'a1', () => 's1', 30); // appended while nobody leads
    const second = new ProcessorHost(events, registeredProcessors({ events, readModels }));
    await second.setLeader(true);
    expect(await counts('s1')).toMatchObject({ fills: 25 });
    expect(await readModels.processorCheckpoint('strategy-fill-counts')).toBe(await events.headPosition());

    // two leaders at once (the old one has not noticed yet): both follow the appends, the fenced commit counts each batch once
    await first.setLeader(true);
    await fills(events, 40, () => 'a1', () => 's2', 40);
    await Promise.all([first.catchUp(), second.catchUp()]);
    await first.catchUp();
    await second.catchUp();
    expect(await counts('s2')).toMatchObject({ fills: 55 });
    expect(await counts('s1')).toMatchObject({ fills: 25 });
    await first.stop();
    await second.stop();
  });

  it('given an account-owner processor, when accounts are taken and handed over, then each account resumes from its own checkpoint and no event is handled twice', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const readModels = new SqliteProjectionStore(':memory:');
    const handled: string[] = [];
    const tellOwner = (node: string) =>
      reactor(events, {
        id: 'tell-owner', handles: ['OrderFilled'], runsOn: 'account-owner', batchSize: 7,
        react: async (e: RecordedOf<'OrderFilled'>) => void handled.push(`${node}:${e.data.accountId}:${e.data.tradeId}`),
      });
    await fills(events, 20, (i) => (i % 2 === 0 ? 'a1' : 'a2'), () => 's1');
    const nodeA = new ProcessorHost(events, [tellOwner('A')]);
    const nodeB = new ProcessorHost(events, [tellOwner('B')]);
    await nodeA.accountTaken('a1');
    await nodeB.accountTaken('a2');
    expect(handled.filter((h) => h.startsWith('A:')).every((h) => h.includes(':a1:'))).toBe(true);
    expect(handled.filter((h) => h.startsWith('B:')).every((h) => h.includes(':a2:'))).toBe(true);
    expect(handled).toHaveLength(20);

    await nodeA.accountDropped('a1'); // node A hands a1 over to B
    await fills(events, 6, (i) => (i % 2 === 0 ? 'a1' : 'a2'), () => 's1', 20);
    await nodeB.accountTaken('a1');
    await nodeB.catchUp();
    const trades = handled.map((h) => h.split(':')[2]);
    expect(new Set(trades).size).toBe(trades.length); // none twice
    expect(trades).toHaveLength(26); // none lost
    expect(handled.slice(20).every((h) => h.startsWith('B:'))).toBe(true);
    expect(nodeA.accountRunner('tell-owner', 'a1')).toBeUndefined();
    await nodeB.stop();
  });

  it('given a processor whose batch fails, then it is tried again with back-off, the failure reported, and nothing is skipped', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const seen: string[] = [];
    const failures: string[] = [];
    let failOnce = true;
    const host = new ProcessorHost(events, [
      reactor(events, {
        id: 'flaky', handles: ['OrderFilled'], runsOn: 'every-node',
        react: async (e: RecordedOf<'OrderFilled'>) => {
          if (failOnce && e.data.tradeId === 't3') {
            failOnce = false;
            throw new Error('the far side is away');
          }
          seen.push(e.data.tradeId);
        },
      }),
    ], { observer: { failed: (id, error) => void failures.push(`${id}: ${String(error)}`), lag: () => undefined }, intervalMs: 1 });
    await host.start();
    await fills(events, 6, () => 'a1', () => 's1');
    const runner = host.runner('flaky')!;
    await runner.waitFor(await events.headPosition());
    expect(failures).toEqual(['flaky: Error: the far side is away']);
    // at least once: the batch with the failure is done again from its start; the effect must be idempotent
    expect([...new Set(seen)].sort()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
    await host.stop();
  });
});
