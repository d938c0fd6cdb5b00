import { afterEach, describe, expect, it } from 'vitest';
import { SqliteProjectionStore } from '../../adapters/readmodels/sqlite-projection-store.js';
import { C, type OrderView } from '../projections/read-models.js';
import type { ReadDoc } from '../ports/projection-store.js';
import { ReadQueries } from './read-queries.js';

/**
 * Open orders beyond what one answer lists (a grid of resting limit orders): the newest are
 * listed, newest first, and `total` counts every one, so neither the API nor the dashboard shows a
 * cut list as if it were whole.
 */
describe('open orders, more than one answer lists', () => {
  const stores: SqliteProjectionStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  async function world(count: number) {
    const store = new SqliteProjectionStore(':memory:');
    stores.push(store);
    const ids: { id: string; accountId: string }[] = [];
    const docs: ReadDoc[] = [];
    for (let i = 0; i < count; i++) {
      const id = `o${String(i).padStart(5, '0')}`;
      const accountId = i % 3 === 0 ? 'acc-b' : 'acc-a';
      ids.push({ id, accountId });
      const createdAt = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
      docs.push({ collection: C.orders, id, tenantId: 't1', accountId, seq: i + 1, data: { clientOrderId: id, accountId, createdAt, status: 'accepted' } as unknown as Record<string, unknown> });
    }
    // another tenant's open order is never listed
    docs.push({ collection: C.orders, id: 'x1', tenantId: 't2', accountId: 'acc-x', seq: count + 1, data: { clientOrderId: 'x1', accountId: 'acc-x', createdAt: '2027-01-01T00:00:00.000Z', status: 'accepted' } });
    await store.commit(docs, count + 1);
    // the write side lists live orders per account, each in log order (oldest first)
    const live = (tenantId: string, accountId?: string) =>
      tenantId !== 't1' ? [] : ['acc-a', 'acc-b'].filter((a) => accountId === undefined || a === accountId).flatMap((a) => ids.filter((o) => o.accountId === a).map((o) => o.id));
    const queries = new ReadQueries(store, { readByCorrelation: async () => [] }, () => undefined, undefined, live);
    return { queries };
  }

  it('given more open orders than the cap, then the newest are listed newest first and total counts them all', async () => {
    const { queries } = await world(1030);
    const page = await queries.openOrders('t1', {}, 1000);
    expect(page.total).toBe(1030);
    expect(page.items).toHaveLength(1000);
    const listed = page.items.map((o: OrderView) => o.clientOrderId);
    expect(listed[0]).toBe('o01029'); // the newest
    expect(listed[999]).toBe('o00030');
    expect(listed).not.toContain('o00029'); // the 30 oldest are the ones left out, whichever account they are on
    expect([...listed].sort().reverse()).toEqual(listed);
  });

  it('given fewer open orders than the cap, then all are listed; an account filter counts only its own', async () => {
    const { queries } = await world(30);
    const all = await queries.openOrders('t1', {});
    expect(all.total).toBe(30);
    expect(all.items).toHaveLength(30);
    const b = await queries.openOrders('t1', { accountId: 'acc-b' });
    expect(b.total).toBe(10);
    expect(b.items.every((o: OrderView) => o.accountId === 'acc-b')).toBe(true);
    expect((await queries.openOrders('t2', {})).total).toBe(0);
  });
});
