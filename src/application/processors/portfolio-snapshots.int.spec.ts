import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteProjectionStore } from '../../adapters/readmodels/sqlite-projection-store.js';
import type { EventStore } from '../ports/event-store.js';
import { ProcessorHost } from './processor-host.js';
import { registeredProcessors } from './registry.js';
import { PORTFOLIO_SNAPSHOTS, type AccountSnapshots } from './portfolio-snapshots.js';

const meta = { tenantId: 't1', time: '2026-01-01T00:00:00.000Z' };

async function fill(store: EventStore, i: number, accountId: string): Promise<void> {
  await store.append({
    streamId: `order-c${i}`, expectedVersion: 'any', metadata: meta,
    events: [{
      type: 'OrderFilled',
      data: {
        clientOrderId: `c${i}`, accountId, strategyId: 's1', tradeId: `t${i}`, symbol: 'BTC/USDT', side: 'buy', quantity: '1', price: '100',
        fee: '0', feeCurrency: 'USDT', liquidity: 'taker', filledAt: '2026-01-01T00:00:00.000Z', cumulativeQuantity: '1', complete: true,
      },
    }],
  });
}

/** Records what it is asked; `readModelsBehind` makes the read models not catch up (the pass fails and is tried again). */
function recordingSnapshots() {
  const taken: string[][] = [];
  const waitedFor: number[] = [];
  let readModelsBehind = false;
  const snapshots: AccountSnapshots = {
    readModelsAt: (position) => {
      waitedFor.push(position);
      return readModelsBehind ? Promise.reject(new Error('read models behind')) : Promise.resolve();
    },
    snapshotAccounts: (ids) => {
      taken.push([...ids].sort());
      return Promise.resolve(ids.size);
    },
  };
  return { snapshots, taken, waitedFor, behind: (on: boolean) => (readModelsBehind = on) };
}

describe('portfolio snapshots processor', () => {
  it('given fills of two accounts, when the leader processes them, then each account touched is valued once per batch, after the read models include the batch', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const readModels = new SqliteProjectionStore(':memory:');
    const rec = recordingSnapshots();
    for (let i = 0; i < 6; i++) await fill(events, i, i % 2 === 0 ? 'a1' : 'a2');
    await events.append({ streamId: 'account-a3', expectedVersion: 'any', metadata: meta, events: [{ type: 'KillSwitchReleased', data: { accountId: 'a3' } }] });
    const host = new ProcessorHost(events, registeredProcessors({ events, readModels, snapshots: rec.snapshots }));
    await host.start();
    expect(rec.taken).toEqual([]); // not the leader: nothing taken here
    await host.setLeader(true);
    expect(rec.taken).toEqual([['a1', 'a2']]); // a3 had no fill: not valued again
    expect(rec.waitedFor).toEqual([await events.headPosition()]);
    expect(await events.loadCheckpoint(PORTFOLIO_SNAPSHOTS)).toBe(await events.headPosition());

    // the next fill: only its account
    await fill(events, 6, 'a2');
    await host.catchUp();
    expect(rec.taken.at(-1)).toEqual(['a2']);
    await host.stop();
  });

  it('given read models that do not catch up, when a fill arrives, then nothing is taken and the checkpoint stays; once they catch up, the fill is valued (not lost)', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const readModels = new SqliteProjectionStore(':memory:');
    const rec = recordingSnapshots();
    const failures: unknown[] = [];
    const host = new ProcessorHost(events, registeredProcessors({ events, readModels, snapshots: rec.snapshots }), { observer: { failed: (_id, e) => failures.push(e) } });
    await host.setLeader(true);
    const before = await events.loadCheckpoint(PORTFOLIO_SNAPSHOTS);
    rec.behind(true);
    await fill(events, 1, 'a1');
    await expect(host.runner(PORTFOLIO_SNAPSHOTS)!.catchUp()).rejects.toThrow('read models behind');
    expect(rec.taken).toEqual([]);
    expect(await events.loadCheckpoint(PORTFOLIO_SNAPSHOTS)).toBe(before);
    rec.behind(false);
    await host.runner(PORTFOLIO_SNAPSHOTS)!.catchUp();
    expect(rec.taken).toEqual([['a1']]);
    expect(await events.loadCheckpoint(PORTFOLIO_SNAPSHOTS)).toBe(await events.headPosition());
    await host.stop();
  });

  it('given a new leader, when it takes over, then it resumes from the stored checkpoint: batches already valued are not valued again', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const readModels = new SqliteProjectionStore(':memory:');
    const first = recordingSnapshots();
    const old = new ProcessorHost(events, registeredProcessors({ events, readModels, snapshots: first.snapshots }));
    await fill(events, 1, 'a1');
    await old.setLeader(true);
    expect(first.taken).toEqual([['a1']]);
    await old.setLeader(false);
    await fill(events, 2, 'a2'); // while nobody leads
    const second = recordingSnapshots();
    const next = new ProcessorHost(events, registeredProcessors({ events, readModels, snapshots: second.snapshots }));
    await next.setLeader(true);
    expect(second.taken).toEqual([['a2']]);
    await old.stop();
    await next.stop();
  });
});
