/**
 * A node taking the lead while requests on it wait for the read models (issue 21): on the real
 * PostgreSQL projection store, the runner must never project an event onto documents that
 * already include it, whatever the order in which start(), waitFor() and the database answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionRunner } from './projection-runner.js';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { PostgresProjectionStore } from '../../adapters/readmodels/postgres/postgres-projection-store.js';
import { createPool, type PgPool } from '../../adapters/postgres/pool.js';
import { digestReadModels } from '../../bootstrap/maintenance.js';
import { freshDatabase, testPgUrl } from '../../../test/support/postgres.js';
import type { EventStore, RecordedEvent } from '../ports/event-store.js';
import type { ProjectionStore } from '../ports/projection-store.js';

const meta = (signalId?: string) => ({ tenantId: 't1', time: '2026-01-01T00:00:00.000Z', ...(signalId ? { correlationId: signalId } : {}) });

/** An account and `orders` buy orders of 0.1 BTC, each filled in one part. */
async function seed(store: EventStore, orders: number, from = 0): Promise<void> {
  if (from === 0) {
    await store.append({
      streamId: 'account-a1', expectedVersion: 0, metadata: meta(),
      events: [{ type: 'AccountOpened', data: { accountId: 'a1', tenantId: 't1', name: 'p', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '100000' }], risk: {} } }],
    });
  }
  for (let i = from; i < from + orders; i++) {
    const signalId = `sig${i}`;
    const coid = `c${i}`.padStart(32, '0');
    const intent = { clientOrderId: coid, accountId: 'a1', strategyId: 's1', signalId, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.1', referencePrice: '100', reduceOnly: false };
    await store.append({ streamId: `order-${coid}`, expectedVersion: 0, events: [{ type: 'OrderApproved', data: intent }], metadata: meta(signalId) });
    await store.append({
      streamId: `order-${coid}`, expectedVersion: 1, metadata: meta(signalId),
      events: [
        { type: 'OrderAccepted', data: { clientOrderId: coid, accountId: 'a1', exchangeOrderId: `e${i}` } },
        {
          type: 'OrderFilled',
          data: { clientOrderId: coid, accountId: 'a1', strategyId: 's1', tradeId: `t${i}`, symbol: 'BTC/USDT', side: 'buy', quantity: '0.1', price: '100', fee: '0.01', feeCurrency: 'USDT', liquidity: 'taker', filledAt: 'x', cumulativeQuantity: '0.1', complete: true },
        },
      ],
    });
  }
}

/** Resolves once `ready()` holds (polled on the event loop, no fixed wait). */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setImmediate(resolve));
}

/** The event store as one node sees it, with reads that can be held back and appends listeners counted. */
function heldEvents(events: EventStore) {
  let held: Promise<void> | undefined;
  let release = () => {};
  const pending: number[] = [];
  let listeners = 0;
  const view: EventStore = Object.create(events, {
    readAll: {
      value: async (after: number, limit: number): Promise<RecordedEvent[]> => {
        pending.push(after);
        try {
          if (held) await held;
          return await events.readAll(after, limit);
        } finally {
          pending.splice(pending.indexOf(after), 1);
        }
      },
    },
    onAppended: {
      value: (listener: (head: number) => void) => {
        listeners++;
        const off = events.onAppended(listener);
        let on = true;
        return () => {
          if (on) listeners--;
          on = false;
          off();
        };
      },
    },
  });
  return {
    view,
    hold() {
      held = new Promise<void>((resolve) => (release = resolve));
    },
    release() {
      held = undefined;
      release();
    },
    /** positions that reads are waiting at */
    pending: () => [...pending],
    listeners: () => listeners,
  };
}

/** The projection store as one node sees it, with checkpoint reads that can be held back. */
function heldCheckpoint(store: ProjectionStore) {
  let held: Promise<void> | undefined;
  let release = () => {};
  let pending = 0;
  const view: ProjectionStore = Object.create(store, {
    checkpoint: {
      value: async (): Promise<number> => {
        pending++;
        try {
          if (held) await held;
          return await store.checkpoint();
        } finally {
          pending--;
        }
      },
    },
  });
  return {
    view,
    hold() {
      held = new Promise<void>((resolve) => (release = resolve));
    },
    release() {
      held = undefined;
      release();
    },
    pending: () => pending,
  };
}

describe.skipIf(!testPgUrl)('ProjectionRunner taking the lead on PostgreSQL', () => {
  let url: string;
  let drop: () => Promise<void>;
  const pools: PgPool[] = [];
  const open = async (): Promise<ProjectionStore> => {
    const pool = createPool(url, { max: 4 });
    pools.push(pool);
    const store = await PostgresProjectionStore.open({ pool });
    await store.reset();
    return store;
  };
  beforeAll(async () => {
    ({ url, drop } = await freshDatabase('rmtake'));
  });
  afterAll(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    await drop?.();
  });

  it('given a request waiting for the read models when the node takes the lead, when the pass it starts reads from the position the node had, then no event is projected twice', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const store = await open();
    await seed(events, 10);
    // the first leader projects everything so far, then dies
    const first = new ProjectionRunner(events, store);
    await first.start();
    await first.stop();
    const stored = await store.checkpoint();
    expect(stored).toBe(await events.headPosition());
    await seed(events, 2, 10); // appended while no node leads
    const head = await events.headPosition();

    // the survivor never projected (its position is 0)
    const node = heldEvents(events);
    const db = heldCheckpoint(store);
    const survivor = new ProjectionRunner(node.view, db.view);
    node.hold();
    db.hold();
    const starting = survivor.start(); // the lease keeper hands it the lead; it reads the stored checkpoint
    await until(() => survivor.running && db.pending() > 0);
    const waiting = survivor.waitFor(head); // a request on it waits for the read models
    db.release();
    // a pass is waiting to read, and the runner has taken up the stored checkpoint
    await until(() => node.pending().length > 0 && survivor.checkpoint === stored);
    node.release();
    await Promise.all([starting, waiting]);
    await survivor.stop();

    expect(await store.checkpoint()).toBe(head);
    expect((await store.get('positions', 't1', 'a1:BTC/USDT'))?.data).toMatchObject({ quantity: '1.2' });
    const live = await digestReadModels(store);
    await new ProjectionRunner(events, store).rebuild();
    expect(live).toEqual(await digestReadModels(store));
    await events.close();
  });

  it('given a runner that regains the lead with its documents cached, when a waiting request starts a pass during start(), then the read models equal a rebuild', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const store = await open();
    const node = heldEvents(events);
    const db = heldCheckpoint(store);
    const flapping = new ProjectionRunner(node.view, db.view);
    await seed(events, 5);
    await flapping.start(); // leads, projects, caches the documents
    await flapping.stop(); // loses the lead
    const other = new ProjectionRunner(events, store); // another node leads meanwhile
    await seed(events, 5, 5);
    await other.start();
    await other.stop();
    const stored = await store.checkpoint();
    await seed(events, 1, 10);
    const head = await events.headPosition();

    node.hold();
    db.hold();
    const starting = flapping.start(); // regains the lead; it reads the stored checkpoint
    await until(() => flapping.running && db.pending() > 0);
    const waiting = flapping.waitFor(head); // a request on it waits for the read models
    db.release();
    await until(() => node.pending().length > 0 && flapping.checkpoint === stored);
    node.release();
    await Promise.all([starting, waiting]);
    await flapping.stop();

    expect(await store.checkpoint()).toBe(head);
    expect((await store.get('positions', 't1', 'a1:BTC/USDT'))?.data).toMatchObject({ quantity: '1.1' });
    const live = await digestReadModels(store);
    await new ProjectionRunner(events, store).rebuild();
    expect(live).toEqual(await digestReadModels(store));
    await events.close();
  });

  it('given a request waiting for a position that another node projected, when this node takes the lead, then the request is answered without a new event', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const store = await open();
    await seed(events, 2);
    const db = heldCheckpoint(store);
    const node = new ProjectionRunner(events, db.view);
    await node.start();
    await node.stop();
    await seed(events, 2, 2);
    const other = new ProjectionRunner(events, store);
    await other.start();
    await other.stop();
    const head = await events.headPosition();
    db.hold();
    const starting = node.start();
    await until(() => node.running && db.pending() > 0);
    const waiting = node.waitFor(head); // the log's head, projected by the other node: nothing left to commit here
    db.release();
    await Promise.all([starting, waiting]);
    expect(node.checkpoint).toBe(head);
    await node.stop();
    await events.close();
  });

  it('given the lead lost while start() is still catching up, when both have returned, then the runner is stopped and no longer follows the log', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    const store = await open();
    await seed(events, 3);
    const node = heldEvents(events);
    const runner = new ProjectionRunner(node.view, store);
    node.hold();
    const starting = runner.start();
    await until(() => node.pending().length > 0);
    const stopping = runner.stop(); // the lease is lost before start() returned
    node.release();
    await Promise.all([starting, stopping]);
    expect(runner.running).toBe(false);
    expect(node.listeners()).toBe(0);
    // and it can lead again later
    await runner.start();
    expect(runner.running).toBe(true);
    expect(node.listeners()).toBe(1);
    await runner.stop();
    expect(node.listeners()).toBe(0);
    expect(await store.checkpoint()).toBe(await events.headPosition());
    await events.close();
  });
});
