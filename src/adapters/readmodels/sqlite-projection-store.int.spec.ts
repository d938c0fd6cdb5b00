import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteProjectionStore } from './sqlite-projection-store.js';
import type { ReadDoc } from '../../application/ports/projection-store.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'patriot-rm-'));
  dirs.push(dir);
  return join(dir, 'readmodels.db');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const doc = (id: string, seq: number, extra: Partial<ReadDoc> = {}): ReadDoc => ({ collection: 'orders', id, tenantId: 't1', seq, data: { id }, ...extra });

describe('SqliteProjectionStore', () => {
  it('given committed documents, when reopened, then documents and checkpoint are there', async () => {
    const path = fresh();
    const store = new SqliteProjectionStore(path);
    await store.commit([doc('a', 1, { accountId: 'acc1' }), doc('b', 2)], 7);
    await store.close();
    const again = new SqliteProjectionStore(path);
    expect(await again.checkpoint()).toBe(7);
    expect((await again.get('orders', 't1', 'a'))?.accountId).toBe('acc1');
    expect((await again.loadAll()).map((d) => d.id).sort()).toEqual(['a', 'b']);
    await again.close();
  });

  it('lists newest first, filters by indexed fields and tenant, and pages with before', async () => {
    const store = new SqliteProjectionStore(fresh());
    await store.commit(
      [doc('a', 1, { accountId: 'x' }), doc('b', 2, { accountId: 'y' }), doc('c', 3, { accountId: 'x' }), doc('d', 4, { tenantId: 't2', accountId: 'x' })],
      4,
    );
    expect((await store.list({ collection: 'orders', tenantId: 't1', limit: 10 })).map((d) => d.id)).toEqual(['c', 'b', 'a']);
    expect((await store.list({ collection: 'orders', tenantId: 't1', accountId: 'x', limit: 10 })).map((d) => d.id)).toEqual(['c', 'a']);
    expect((await store.list({ collection: 'orders', tenantId: 't1', limit: 2 })).map((d) => d.id)).toEqual(['c', 'b']);
    expect((await store.list({ collection: 'orders', tenantId: 't1', limit: 2, before: 2 })).map((d) => d.id)).toEqual(['a']);
    expect(await store.get('orders', 't2', 'a')).toBeUndefined();
    await store.close();
  });

  it('list() answers every filter shape the same when its prepared statements are reused, writes in between included', async () => {
    const store = new SqliteProjectionStore(fresh());
    const shapes = [{}, { accountId: 'x' }, { strategyId: 's' }, { signalId: 'g' }, { accountId: 'x', before: 4 }, { accountId: 'x', strategyId: 's', signalId: 'g', before: 9 }];
    const ids = async () => Promise.all(shapes.map(async (f) => (await store.list({ collection: 'orders', tenantId: 't1', limit: 10, ...f })).map((d) => d.id)));
    await store.commit([doc('a', 1, { accountId: 'x', strategyId: 's', signalId: 'g' }), doc('b', 2, { accountId: 'y' }), doc('c', 3, { accountId: 'x', strategyId: 's' })], 3);
    const first = await ids();
    expect(first).toEqual([['c', 'b', 'a'], ['c', 'a'], ['c', 'a'], ['a'], ['c', 'a'], ['a']]);
    expect(await ids()).toEqual(first);
    await store.commit([doc('e', 5, { accountId: 'x', strategyId: 's', signalId: 'g' }), { ...doc('b', 6, { accountId: 'x' }), data: { id: 'b', status: 'filled' } }], 6);
    expect(await ids()).toEqual([['b', 'e', 'c', 'a'], ['b', 'e', 'c', 'a'], ['e', 'c', 'a'], ['e', 'a'], ['c', 'a'], ['e', 'a']]);
    expect((await store.list({ collection: 'orders', tenantId: 't1', limit: 1 }))[0]?.data).toEqual({ id: 'b', status: 'filled' });
    await store.close();
  });

  it('an upsert replaces the document; reset empties everything', async () => {
    const store = new SqliteProjectionStore(fresh());
    await store.commit([doc('a', 1)], 1);
    await store.commit([{ ...doc('a', 1), data: { id: 'a', status: 'filled' } }], 2);
    expect((await store.get('orders', 't1', 'a'))?.data).toEqual({ id: 'a', status: 'filled' });
    await store.reset();
    expect(await store.checkpoint()).toBe(0);
    expect(await store.loadAll()).toEqual([]);
    await store.close();
  });
});
