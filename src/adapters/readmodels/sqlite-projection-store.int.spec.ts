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

  it('reads reuse a parse only while the stored text is the same, whichever connection rewrote it; what they return is frozen', async () => {
    const path = fresh();
    const reader = new SqliteProjectionStore(path);
    const writer = new SqliteProjectionStore(path); // another connection (another node on the same data directory)
    await writer.commit([{ ...doc('a', 1), data: { id: 'a', status: 'new', fills: [{ qty: '1' }] } }], 1);
    const first = (await reader.list({ collection: 'orders', tenantId: 't1', limit: 10 }))[0]!;
    expect((await reader.get('orders', 't1', 'a'))?.data).toBe(first.data); // the same text: the same parse
    expect(Object.isFrozen(first.data) && Object.isFrozen(first.data.fills) && Object.isFrozen((first.data.fills as object[])[0])).toBe(true);
    expect(() => {
      (first.data as { status: string }).status = 'changed';
    }).toThrow(TypeError);

    await writer.commit([{ ...doc('a', 1), data: { id: 'a', status: 'filled', fills: [{ qty: '1' }, { qty: '2' }] } }], 2);
    expect((await reader.get('orders', 't1', 'a'))?.data).toEqual({ id: 'a', status: 'filled', fills: [{ qty: '1' }, { qty: '2' }] });
    expect((await reader.list({ collection: 'orders', tenantId: 't1', limit: 10 }))[0]?.data).toEqual({ id: 'a', status: 'filled', fills: [{ qty: '1' }, { qty: '2' }] });
    expect((await reader.getMany([{ collection: 'orders', tenantId: 't1', id: 'a' }]))[0]?.data.status).toBe('filled');

    // same id in another tenant or collection is another document
    await writer.commit([{ ...doc('a', 2, { tenantId: 't2' }), data: { owner: 't2' } }, { ...doc('a', 3, { collection: 'fills' }), data: { kind: 'fill' } }], 3);
    expect((await reader.get('orders', 't2', 'a'))?.data).toEqual({ owner: 't2' });
    expect((await reader.get('fills', 't1', 'a'))?.data).toEqual({ kind: 'fill' });
    expect((await reader.get('orders', 't1', 'a'))?.data.status).toBe('filled');
    await writer.close();
    await reader.close();
  });

  it("a list's first page is answered again only while no connection committed: this one's commits, another's and a reset all show at once", async () => {
    const path = fresh();
    const reader = new SqliteProjectionStore(path);
    const other = new SqliteProjectionStore(path); // another node on the same data directory
    const first = () => reader.list({ collection: 'orders', tenantId: 't1', limit: 10 });
    const ids = async () => (await first()).map((d) => d.id);
    await reader.commit([doc('a', 1), doc('b', 2)], 2);
    expect(await ids()).toEqual(['b', 'a']);
    const again = await first();
    again.reverse(); // callers get their own array
    expect(await ids()).toEqual(['b', 'a']);
    expect(Object.isFrozen((await first())[0])).toBe(true);

    await other.commit([doc('c', 3)], 3);
    expect(await ids()).toEqual(['c', 'b', 'a']);
    await other.commitProcessor('p', [{ ...doc('b', 2), data: { id: 'b', v: 2 } }], 1, 0);
    expect((await first()).find((d) => d.id === 'b')?.data).toEqual({ id: 'b', v: 2 });
    await reader.commit([doc('d', 4)], 4);
    expect(await ids()).toEqual(['d', 'c', 'b', 'a']);
    await reader.commitProcessor('q', [doc('e', 5)], 1, 0);
    expect(await ids()).toEqual(['e', 'd', 'c', 'b', 'a']);
    await other.reset({ processors: true });
    expect(await ids()).toEqual([]);
    await reader.commit([doc('f', 6)], 6);
    expect(await ids()).toEqual(['f']);
    await reader.reset({ processors: true });
    expect(await ids()).toEqual([]);
    // pages after the first are read each time
    await other.commit([doc('g', 7), doc('h', 8)], 8);
    expect((await reader.list({ collection: 'orders', tenantId: 't1', limit: 10, before: 8 })).map((d) => d.id)).toEqual(['g']);
    await other.commit([doc('i', 5)], 9);
    expect((await reader.list({ collection: 'orders', tenantId: 't1', limit: 10, before: 8 })).map((d) => d.id)).toEqual(['g', 'i']);
    await other.close();
    await reader.close();
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
