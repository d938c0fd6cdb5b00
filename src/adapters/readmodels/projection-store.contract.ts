import { afterEach, describe, expect, it } from 'vitest';
import { StaleCheckpointError, type ProjectionStore, type ReadDoc } from '../../application/ports/projection-store.js';

export interface ProjectionStoreUnderTest {
  readonly store: ProjectionStore;
  /** Removes whatever the factory made (files, databases); called after the store is closed. */
  cleanup(): Promise<void>;
}

const doc = (id: string, seq: number, extra: Partial<ReadDoc> = {}): ReadDoc => ({
  collection: 'orders',
  id,
  tenantId: 't1',
  seq,
  data: { id },
  ...extra,
});
const ids = (docs: readonly ReadDoc[]): string[] => docs.map((d) => d.id);
const sortedIds = (docs: readonly ReadDoc[]): string[] => ids(docs).sort();

/**
 * The ProjectionStore contract: every backend must pass it unchanged.
 * `factory` opens a fresh, empty store for each test.
 */
export function describeProjectionStoreContract(name: string, factory: () => Promise<ProjectionStoreUnderTest>): void {
  describe(`ProjectionStore contract: ${name}`, () => {
    let opened: ProjectionStoreUnderTest[] = [];
    const fresh = async (): Promise<ProjectionStore> => {
      const s = await factory();
      opened.push(s);
      return s.store;
    };
    afterEach(async () => {
      for (const s of opened) {
        await s.store.close();
        await s.cleanup();
      }
      opened = [];
    });

    it('an empty store has checkpoint 0, no documents, and empty answers', async () => {
      const store = await fresh();
      expect(await store.checkpoint()).toBe(0);
      expect(await store.loadAll()).toEqual([]);
      expect(await store.get('orders', 't1', 'a')).toBeUndefined();
      expect(await store.getMany([])).toEqual([]);
      expect(await store.getMany([{ collection: 'orders', tenantId: 't1', id: 'a' }])).toEqual([]);
      expect(await store.list({ collection: 'orders', tenantId: 't1', limit: 10 })).toEqual([]);
    });

    it('commit writes the documents and the checkpoint together; a later commit moves the checkpoint', async () => {
      const store = await fresh();
      const a = doc('a', 1, { accountId: 'acc1', strategyId: 'st1', signalId: 'sig1' });
      await store.commit([a, doc('b', 2)], 7);
      expect(await store.checkpoint()).toBe(7);
      expect(await store.get('orders', 't1', 'a')).toEqual(a);
      expect(sortedIds(await store.loadAll())).toEqual(['a', 'b']);
      await store.commit([], 9); // a batch that changed nothing still advances the checkpoint
      expect(await store.checkpoint()).toBe(9);
      expect(sortedIds(await store.loadAll())).toEqual(['a', 'b']);
    });

    it('a commit that fails part-way leaves neither its documents nor its checkpoint', async () => {
      const store = await fresh();
      await store.commit([doc('keep', 1, { data: { v: 1 } })], 1);
      const circular: Record<string, unknown> = { id: 'bad' };
      circular.self = circular; // cannot be serialised: the commit fails after the documents before it
      const many = Array.from({ length: 3000 }, (_, i) => doc(`n${i}`, 2 + i));
      await expect(store.commit([doc('keep', 1, { data: { v: 2 } }), ...many, doc('bad', 9999, { data: circular })], 9999)).rejects.toThrow();
      expect(await store.checkpoint()).toBe(1);
      expect(ids(await store.loadAll())).toEqual(['keep']);
      expect((await store.get('orders', 't1', 'keep'))?.data).toEqual({ v: 1 });
      expect(await store.getMany([{ collection: 'orders', tenantId: 't1', id: 'n0' }])).toEqual([]);
    });

    it("a processor's documents commit with its own checkpoint, fenced on the one it continues from; a read-model reset keeps them, a full one drops them", async () => {
      const store = await fresh();
      expect(await store.processorCheckpoint('fills')).toBe(0);
      await store.commitProcessor('fills', [doc('f1', 1, { collection: 'strategy_fills' })], 5, 0);
      expect(await store.processorCheckpoint('fills')).toBe(5);
      expect(await store.checkpoint()).toBe(0); // the read models' own checkpoint is apart
      expect(await store.processorCheckpoint('other')).toBe(0);
      await expect(store.commitProcessor('fills', [doc('f2', 2, { collection: 'strategy_fills' })], 9, 0)).rejects.toBeInstanceOf(StaleCheckpointError);
      expect(await store.get('strategy_fills', 't1', 'f2')).toBeUndefined();
      expect(await store.processorCheckpoint('fills')).toBe(5);
      await store.commitProcessor('fills', [doc('f2', 2, { collection: 'strategy_fills' })], 9, 5);
      await store.commit([doc('o1', 3)], 9);
      expect(sortedIds(await store.loadAll())).toEqual(['f1', 'f2', 'o1']);
      await store.reset(); // the read models are rebuilt: the processor's documents and checkpoint stay
      expect(sortedIds(await store.loadAll())).toEqual(['f1', 'f2']);
      expect(await store.checkpoint()).toBe(0);
      expect(await store.processorCheckpoint('fills')).toBe(9);
      await store.reset({ processors: true }); // the log was replaced: everything derived from it goes
      expect(await store.processorCheckpoint('fills')).toBe(0);
      expect(await store.loadAll()).toEqual([]);
    });

    it('an upsert replaces the whole document, indexed fields included', async () => {
      const store = await fresh();
      await store.commit([doc('a', 1, { accountId: 'x', strategyId: 's', data: { id: 'a', status: 'new', extra: true } })], 1);
      await store.commit([doc('a', 5, { accountId: 'y', data: { id: 'a', status: 'filled' } })], 2);
      const a = await store.get('orders', 't1', 'a');
      expect(a).toEqual(doc('a', 5, { accountId: 'y', data: { id: 'a', status: 'filled' } }));
      expect(a?.strategyId).toBeUndefined();
      expect(await store.list({ collection: 'orders', tenantId: 't1', accountId: 'x', limit: 10 })).toEqual([]);
      expect(await store.list({ collection: 'orders', tenantId: 't1', strategyId: 's', limit: 10 })).toEqual([]);
      expect(ids(await store.list({ collection: 'orders', tenantId: 't1', accountId: 'y', limit: 10 }))).toEqual(['a']);
      expect(await store.loadAll()).toHaveLength(1);
    });

    it('the same key twice in one commit: the later one wins', async () => {
      const store = await fresh();
      await store.commit([doc('a', 1, { data: { n: 1 } }), doc('b', 2), doc('a', 3, { data: { n: 2 } })], 3);
      expect(await store.get('orders', 't1', 'a')).toEqual(doc('a', 3, { data: { n: 2 } }));
      expect(await store.loadAll()).toHaveLength(2);
    });

    it('get and getMany find documents by collection, tenant and id; absent keys are simply missing', async () => {
      const store = await fresh();
      await store.commit([doc('a', 1), doc('b', 2), doc('a', 3, { collection: 'fills' }), doc('a', 4, { tenantId: 't2' })], 4);
      expect((await store.get('fills', 't1', 'a'))?.seq).toBe(3);
      expect((await store.get('orders', 't2', 'a'))?.seq).toBe(4);
      expect(await store.get('positions', 't1', 'a')).toBeUndefined();
      const found = await store.getMany([
        { collection: 'orders', tenantId: 't1', id: 'b' },
        { collection: 'orders', tenantId: 't1', id: 'zz' },
        { collection: 'fills', tenantId: 't1', id: 'a' },
        { collection: 'fills', tenantId: 't1', id: 'b' },
        { collection: 'orders', tenantId: 't3', id: 'a' },
      ]);
      expect(found.map((d) => `${d.collection}/${d.tenantId}/${d.id}`).sort()).toEqual(['fills/t1/a', 'orders/t1/b']);
      expect(found.find((d) => d.collection === 'fills')).toEqual(doc('a', 3, { collection: 'fills' }));
    });

    it('getMany answers a large set of keys', async () => {
      const store = await fresh();
      await store.commit(Array.from({ length: 2000 }, (_, i) => doc(`d${i}`, i + 1)), 2000);
      const keys = Array.from({ length: 3000 }, (_, i) => ({ collection: 'orders', tenantId: 't1', id: `d${i}` }));
      const found = await store.getMany(keys);
      expect(found).toHaveLength(2000);
      expect(new Set(ids(found)).size).toBe(2000);
    });

    it('lists newest first by seq, within one collection and tenant', async () => {
      const store = await fresh();
      await store.commit([doc('b', 2), doc('c', 30), doc('a', 1), doc('x', 5, { collection: 'fills' }), doc('y', 4, { tenantId: 't2' })], 30);
      expect(ids(await store.list({ collection: 'orders', tenantId: 't1', limit: 10 }))).toEqual(['c', 'b', 'a']);
      expect(ids(await store.list({ collection: 'fills', tenantId: 't1', limit: 10 }))).toEqual(['x']);
      expect(ids(await store.list({ collection: 'orders', tenantId: 't2', limit: 10 }))).toEqual(['y']);
    });

    it('filters lists by accountId, strategyId and signalId, alone and combined', async () => {
      const store = await fresh();
      await store.commit(
        [
          doc('a', 1, { accountId: 'x', strategyId: 's1', signalId: 'g1' }),
          doc('b', 2, { accountId: 'y', strategyId: 's1' }),
          doc('c', 3, { accountId: 'x', strategyId: 's2', signalId: 'g2' }),
          doc('d', 4, { signalId: 'g1' }),
          doc('e', 5),
        ],
        5,
      );
      const list = (q: { accountId?: string; strategyId?: string; signalId?: string }) =>
        store.list({ collection: 'orders', tenantId: 't1', limit: 10, ...q }).then(ids);
      expect(await list({ accountId: 'x' })).toEqual(['c', 'a']);
      expect(await list({ accountId: 'y' })).toEqual(['b']);
      expect(await list({ strategyId: 's1' })).toEqual(['b', 'a']);
      expect(await list({ signalId: 'g1' })).toEqual(['d', 'a']);
      expect(await list({ accountId: 'x', strategyId: 's1' })).toEqual(['a']);
      expect(await list({ accountId: 'x', strategyId: 's2', signalId: 'g2' })).toEqual(['c']);
      expect(await list({ accountId: 'y', signalId: 'g1' })).toEqual([]);
      expect(await list({ accountId: 'nobody' })).toEqual([]);
    });

    it('pages with before + limit without gaps or repeats', async () => {
      const store = await fresh();
      await store.commit(
        Array.from({ length: 25 }, (_, i) => doc(`d${String(i + 1).padStart(2, '0')}`, i + 1, { accountId: i % 2 === 0 ? 'even' : 'odd' })),
        25,
      );
      expect(ids(await store.list({ collection: 'orders', tenantId: 't1', limit: 2 }))).toEqual(['d25', 'd24']);
      expect(ids(await store.list({ collection: 'orders', tenantId: 't1', limit: 3, before: 24 }))).toEqual(['d23', 'd22', 'd21']);
      expect(ids(await store.list({ collection: 'orders', tenantId: 't1', limit: 10, before: 3 }))).toEqual(['d02', 'd01']);
      expect(await store.list({ collection: 'orders', tenantId: 't1', limit: 10, before: 1 })).toEqual([]);
      expect(ids(await store.list({ collection: 'orders', tenantId: 't1', accountId: 'odd', limit: 2, before: 10 }))).toEqual(['d08', 'd06']);
      const seen: string[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await store.list({ collection: 'orders', tenantId: 't1', limit: 7, ...(before !== undefined ? { before } : {}) });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(7);
        seen.push(...ids(page));
        before = page[page.length - 1]!.seq;
      }
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `d${String(25 - i).padStart(2, '0')}`));
    });

    it("never returns a document of another tenant, whatever the id or filter", async () => {
      const store = await fresh();
      const shared = { accountId: 'acc', strategyId: 'st', signalId: 'sig' };
      await store.commit([doc('same', 1, { tenantId: 'A', ...shared, data: { owner: 'A' } }), doc('same', 2, { tenantId: 'B', ...shared, data: { owner: 'B' } }), doc('onlyB', 3, { tenantId: 'B', ...shared })], 3);
      expect((await store.get('orders', 'A', 'same'))?.data).toEqual({ owner: 'A' });
      expect(await store.get('orders', 'A', 'onlyB')).toBeUndefined();
      const many = await store.getMany([
        { collection: 'orders', tenantId: 'A', id: 'same' },
        { collection: 'orders', tenantId: 'A', id: 'onlyB' },
      ]);
      expect(many.map((d) => [d.tenantId, d.id])).toEqual([['A', 'same']]);
      for (const filter of [{}, { accountId: 'acc' }, { strategyId: 'st' }, { signalId: 'sig' }, shared]) {
        const listed = await store.list({ collection: 'orders', tenantId: 'A', limit: 100, ...filter });
        expect(listed.map((d) => [d.tenantId, d.id, d.data])).toEqual([['A', 'same', { owner: 'A' }]]);
        const paged = await store.list({ collection: 'orders', tenantId: 'A', limit: 100, before: 10, ...filter });
        expect(paged.every((d) => d.tenantId === 'A')).toBe(true);
      }
      expect(await store.list({ collection: 'orders', tenantId: 'C', limit: 100 })).toEqual([]);
    });

    it('decimal strings, nested objects, arrays, nulls and unicode round-trip exactly', async () => {
      const store = await fresh();
      const data = {
        price: '0.00000001',
        qty: '123456789012345678901234567890.123456789012345678',
        negative: '-0.10',
        trailingZeros: '1.2300000000',
        exponentLooking: '1e-8',
        int: 42,
        float: 0.30000000000000004,
        big: 9007199254740991,
        flag: false,
        nothing: null,
        empty: {},
        list: [1, '2.50', { deep: { deeper: ['x', null, true] } }, []],
        text: 'ünïcødé ✓ 你好 "quoted" \\ back\nslash\ttab',
        nested: { pnl: { realised: '-12.345000', fees: [{ asset: 'USDT', amount: '0.0001' }] } },
      };
      const d = doc('dec', 1, { data });
      await store.commit([d], 1);
      const back = await store.get('orders', 't1', 'dec');
      expect(back).toStrictEqual(d);
      expect(JSON.stringify(sortKeys(back!.data))).toBe(JSON.stringify(sortKeys(data)));
      expect((await store.getMany([{ collection: 'orders', tenantId: 't1', id: 'dec' }]))[0]).toStrictEqual(d);
      expect((await store.list({ collection: 'orders', tenantId: 't1', limit: 1 }))[0]).toStrictEqual(d);
      expect((await store.loadAll())[0]).toStrictEqual(d);
    });

    it('ids, tenants and filter values are opaque strings (quotes, unicode, SQL-looking text)', async () => {
      const store = await fresh();
      const weird = ["o'brien", 'a"b', 'x; DROP TABLE docs; --', 'ключ', '%_*', 'UPPER', 'lower'];
      await store.commit(weird.map((w, i) => doc(w, i + 1, { tenantId: w, accountId: w })), weird.length);
      for (const w of weird) {
        expect((await store.get('orders', w, w))?.id).toBe(w);
        expect(ids(await store.list({ collection: 'orders', tenantId: w, accountId: w, limit: 5 }))).toEqual([w]);
      }
      expect(await store.get('orders', 'upper', 'upper')).toBeUndefined();
      expect(await store.get('orders', '%', '%_*')).toBeUndefined();
    });

    it('reset drops every document and the checkpoint; the store is usable afterwards', async () => {
      const store = await fresh();
      await store.commit([doc('a', 1), doc('b', 2, { tenantId: 't2' })], 2);
      await store.reset();
      expect(await store.checkpoint()).toBe(0);
      expect(await store.loadAll()).toEqual([]);
      expect(await store.get('orders', 't1', 'a')).toBeUndefined();
      expect(await store.list({ collection: 'orders', tenantId: 't2', limit: 10 })).toEqual([]);
      await store.commit([doc('c', 3)], 3);
      expect(await store.checkpoint()).toBe(3);
      expect(ids(await store.loadAll())).toEqual(['c']);
    });

    it('loadAll returns every document of every collection and tenant', async () => {
      const store = await fresh();
      const docs = [doc('a', 1), doc('a', 2, { collection: 'fills' }), doc('a', 3, { tenantId: 't2', signalId: 's' }), doc('b', 4, { strategyId: 'st' })];
      await store.commit(docs, 4);
      const key = (d: ReadDoc) => `${d.collection}/${d.tenantId}/${d.id}`;
      const all = await store.loadAll();
      expect([...all].sort((x, y) => key(x).localeCompare(key(y)))).toEqual([...docs].sort((x, y) => key(x).localeCompare(key(y))));
    });

    it('a commit of 5,000 documents is stored whole', async () => {
      const store = await fresh();
      const docs = Array.from({ length: 5000 }, (_, i) =>
        doc(`o${i}`, i + 1, { accountId: `acc${i % 7}`, data: { id: `o${i}`, price: `${i}.${i % 100}`, fills: [{ qty: '0.5' }] } }),
      );
      await store.commit(docs, 5000);
      expect(await store.checkpoint()).toBe(5000);
      expect(await store.loadAll()).toHaveLength(5000);
      expect(await store.get('orders', 't1', 'o4321')).toEqual(docs[4321]);
      const acc3 = await store.list({ collection: 'orders', tenantId: 't1', accountId: 'acc3', limit: 1000 });
      const expected = docs.filter((d) => d.accountId === 'acc3').reverse();
      expect(acc3).toHaveLength(expected.length);
      expect(acc3).toEqual(expected);
      // and replaced whole
      await store.commit(docs.map((d) => ({ ...d, data: { ...d.data, status: 'closed' } })), 5001);
      expect((await store.get('orders', 't1', 'o0'))?.data.status).toBe('closed');
      expect(await store.loadAll()).toHaveLength(5000);
    });

    it('a conditional commit happens only from the expected checkpoint; a stale one writes nothing', async () => {
      const store = await fresh();
      await store.commit([doc('a', 1, { data: { v: 1 } })], 5, 0); // from an empty store
      expect(await store.checkpoint()).toBe(5);
      await expect(store.commit([doc('a', 1, { data: { v: 'stale' } }), doc('z', 2)], 4, 0)).rejects.toBeInstanceOf(StaleCheckpointError);
      await expect(store.commit([doc('a', 1, { data: { v: 'stale' } })], 9, 3)).rejects.toBeInstanceOf(StaleCheckpointError);
      const many = Array.from({ length: 250 }, (_, i) => doc(`m${i}`, i + 10));
      await expect(store.commit(many, 9, 3)).rejects.toBeInstanceOf(StaleCheckpointError); // several statements too
      expect(await store.checkpoint()).toBe(5);
      expect((await store.get('orders', 't1', 'a'))?.data).toEqual({ v: 1 });
      expect(await store.get('orders', 't1', 'z')).toBeUndefined();
      expect(await store.loadAll()).toHaveLength(1);
      await store.commit([doc('a', 1, { data: { v: 2 } })], 8, 5);
      await store.commit(many, 12, 8);
      expect(await store.checkpoint()).toBe(12);
      expect((await store.get('orders', 't1', 'a'))?.data).toEqual({ v: 2 });
      expect(await store.loadAll()).toHaveLength(251);
    });

    it('of two conditional commits from the same checkpoint, exactly one wins', async () => {
      const store = await fresh();
      await store.commit([], 3);
      const results = await Promise.allSettled([
        store.commit([doc('a', 1, { data: { by: 'one' } })], 6, 3),
        store.commit([doc('a', 1, { data: { by: 'two' } })], 7, 3),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const winner = results[0]!.status === 'fulfilled' ? 'one' : 'two';
      expect(await store.checkpoint()).toBe(winner === 'one' ? 6 : 7);
      expect((await store.get('orders', 't1', 'a'))?.data).toEqual({ by: winner });
    });

    it('close resolves, may be called twice, and the store refuses work afterwards', async () => {
      const store = await fresh();
      await store.commit([doc('a', 1)], 1);
      await store.close();
      await store.close();
      await expect(store.checkpoint()).rejects.toThrow();
      await expect(store.get('orders', 't1', 'a')).rejects.toThrow();
      await expect(store.commit([doc('b', 2)], 2)).rejects.toThrow();
    });
  });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
