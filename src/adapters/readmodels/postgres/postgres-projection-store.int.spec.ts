import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testPgUrl } from '../../../../test/support/postgres.js';
import type { ReadDoc } from '../../../application/ports/projection-store.js';
import { createPool, type PgPool } from '../../postgres/pool.js';
import { describeProjectionStoreContract } from '../projection-store.contract.js';
import { PostgresProjectionStore } from './postgres-projection-store.js';

/** A store on a fresh database of the test cluster (its own pool, dropped at cleanup). */
async function freshStore(maxDocsPerStatement?: number) {
  const db = await freshDatabase('rm');
  const pool = createPool(db.url, { max: 4 });
  const store = await PostgresProjectionStore.open({ pool, ...(maxDocsPerStatement ? { maxDocsPerStatement } : {}) });
  return {
    store,
    async cleanup() {
      await pool.end();
      await db.drop();
    },
  };
}

if (testPgUrl) {
  describeProjectionStoreContract('PostgresProjectionStore', () => freshStore());
  // the same contract when every commit spans several statements in one transaction
  describeProjectionStoreContract('PostgresProjectionStore (100 documents per statement)', () => freshStore(100));
}

describe.skipIf(!testPgUrl)('PostgresProjectionStore on PostgreSQL', () => {
  let url: string;
  let drop: () => Promise<void>;
  const pools: PgPool[] = [];
  const poolFor = () => {
    const p = createPool(url, { max: 4 });
    pools.push(p);
    return p;
  };
  beforeAll(async () => {
    const db = await freshDatabase('rmlead');
    url = db.url;
    drop = db.drop;
  });
  afterAll(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    await drop?.();
  });

  it('opening twice (two nodes starting) migrates once; documents and checkpoint are shared', async () => {
    const [a, b] = await Promise.all([PostgresProjectionStore.open({ pool: poolFor() }), PostgresProjectionStore.open({ pool: poolFor() })]);
    await a.commit([{ collection: 'orders', tenantId: 't', id: 'x', seq: 1, data: { v: '1.0' } }], 1);
    expect(await b.checkpoint()).toBe(1);
    expect((await b.get('orders', 't', 'x'))?.data).toEqual({ v: '1.0' });
    const named = await PostgresProjectionStore.open({ pool: poolFor(), name: 'other' });
    expect(await named.checkpoint()).toBe(0); // one checkpoint row per projection name
    await a.reset();
    await Promise.all([a.close(), b.close(), named.close()]);
  });

  it("a node reads another node's rewrite at once: a parse is reused only for the same stored text; what reads return is deep-frozen", async () => {
    const [writer, reader] = await Promise.all([PostgresProjectionStore.open({ pool: poolFor(), name: 'parse' }), PostgresProjectionStore.open({ pool: poolFor(), name: 'parse' })]);
    await writer.commit([{ collection: 'parsed', tenantId: 't', id: 'x', seq: 1, data: { status: 'new', fills: [{ qty: '1' }] } }], 1);
    const first = (await reader.list({ collection: 'parsed', tenantId: 't', limit: 5 }))[0]!;
    expect((await reader.get('parsed', 't', 'x'))?.data).toBe(first.data);
    expect(Object.isFrozen((first.data.fills as object[])[0])).toBe(true);
    await writer.commit([{ collection: 'parsed', tenantId: 't', id: 'x', seq: 1, data: { status: 'filled', fills: [{ qty: '1' }, { qty: '2' }] } }], 2);
    expect((await reader.get('parsed', 't', 'x'))?.data).toEqual({ status: 'filled', fills: [{ qty: '1' }, { qty: '2' }] });
    expect((await reader.getMany([{ collection: 'parsed', tenantId: 't', id: 'x' }]))[0]?.data.status).toBe('filled');
    expect((await reader.list({ collection: 'parsed', tenantId: 't', limit: 5 }))[0]?.data.status).toBe('filled');
    await Promise.all([writer.close(), reader.close()]);
  });

  it('measures a commit of 10,000 documents', async () => {
    const store = await PostgresProjectionStore.open({ pool: poolFor(), name: 'bench' });
    await store.reset();
    const make = (round: number): ReadDoc[] =>
      Array.from({ length: 10_000 }, (_, i) => ({
        collection: i % 3 === 0 ? 'fills' : 'orders',
        tenantId: `tenant${i % 4}`,
        id: `order-${i}`,
        accountId: `acc${i % 16}`,
        strategyId: `strat${i % 8}`,
        ...(i % 2 === 0 ? { signalId: `sig-${i}` } : {}),
        seq: i + 1, // a document keeps the seq of the event that created it
        data: {
          id: `order-${i}`,
          symbol: 'BTC/USDT',
          side: i % 2 === 0 ? 'buy' : 'sell',
          price: `6${i}.12345678`,
          qty: '0.00150000',
          filled: '0.00100000',
          status: round === 0 ? 'open' : 'partially_filled',
          fees: [{ asset: 'USDT', amount: '0.0123' }],
          time: '2024-05-01T00:00:00.000Z',
        },
      }));
    const figures: Record<string, number> = {};
    for (const [label, round] of [
      ['insert', 0],
      ['update', 1],
      ['update again', 2],
    ] as const) {
      const docs = make(round);
      const t0 = performance.now();
      await store.commit(docs, (round + 1) * 10_000);
      const ms = performance.now() - t0;
      figures[label] = Math.round((docs.length / ms) * 1000);
    }
    process.stdout.write(`PostgresProjectionStore commit of 10,000 documents, docs/s: ${JSON.stringify(figures)}\n`);
    expect(await store.checkpoint()).toBe(30_000);
    expect((await store.loadAll()).length).toBe(10_000);
    await store.reset();
    await store.close();
  });
});
