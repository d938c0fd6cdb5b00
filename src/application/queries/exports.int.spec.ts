/**
 * Exports and analytics read the read models page by page, on SQLite and on PostgreSQL: 1,234
 * fills (three pages of 500) of one tenant beside another tenant's; every row comes out once,
 * newest first, within the range, only the tenant's; the first chunk is out after one page read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, testPgUrl } from '../../../test/support/postgres.js';
import type { ProjectionStore, ReadDoc } from '../ports/projection-store.js';
import { SqliteProjectionStore } from '../../adapters/readmodels/sqlite-projection-store.js';
import { PostgresProjectionStore } from '../../adapters/readmodels/postgres/postgres-projection-store.js';
import { createPool } from '../../adapters/postgres/pool.js';
import { AnalyticsQueries } from './analytics-queries.js';
import { C, type FillView } from '../projections/read-models.js';
import { roundTrips } from '../../domain/analytics/round-trips.js';

const N = 1234;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function fillDoc(tenantId: string, i: number): ReadDoc {
  const fill: FillView = {
    tradeId: `tr${i}`, clientOrderId: `o${i}`, accountId: 'acc1', strategyId: i % 3 === 0 ? 's2' : 's1', symbol: 'BTC/USDT', side: i % 2 === 0 ? 'buy' : 'sell',
    quantity: '0.01', price: String(90_000 + (i % 17) * 13.5), fee: '0.0971', feeCurrency: 'USDT', liquidity: 'taker', filledAt: new Date(T0 + i * 3_600_000).toISOString(),
  };
  return { collection: C.fills, tenantId, id: `acc1:tr${i}`, accountId: 'acc1', strategyId: fill.strategyId, seq: i + 1 + (tenantId === 'tB' ? 10_000 : 0), data: { ...fill } };
}

async function text(chunks: AsyncGenerator<string>): Promise<string> {
  let all = '';
  for await (const c of chunks) all += c;
  return all;
}

function suite(name: string, open: () => Promise<{ store: ProjectionStore; cleanup(): Promise<void> }>): void {
  describe(name, () => {
    let cleanup: (() => Promise<void>) | undefined;
    afterAll(async () => cleanup?.());

    it('exports every fill of the range once, newest first, only the tenant\'s, as CSV, JSON and NDJSON; analytics folds them in log order', async () => {
      const opened = await open();
      cleanup = opened.cleanup;
      const { store } = opened;
      await store.commit([...Array.from({ length: N }, (_, i) => fillDoc('tA', i)), ...Array.from({ length: 10 }, (_, i) => fillDoc('tB', i))], N + 20);
      let lists = 0;
      const counted: Pick<ProjectionStore, 'list'> = { list: (q) => { lists++; return store.list(q); } };
      const analytics = new AnalyticsQueries(counted);

      const csv = await text(analytics.export('fills', 'csv', 'tA', {}, {}));
      const lines = csv.split('\r\n').filter((l) => l.length > 0);
      expect(lines[0]).toBe('filledAt,accountId,strategyId,symbol,side,quantity,price,fee,feeCurrency,liquidity,tradeId,clientOrderId');
      expect(lines).toHaveLength(N + 1);
      expect(lines[1]!.split(',')[10]).toBe(`tr${N - 1}`);
      expect(new Set(lines.slice(1).map((l) => l.split(',')[10])).size).toBe(N);

      const from = new Date(T0 + 100 * 3_600_000).toISOString();
      const to = new Date(T0 + 1100 * 3_600_000).toISOString();
      const json = JSON.parse(await text(analytics.export('fills', 'json', 'tA', { strategyId: 's1' }, { from, to }))) as FillView[];
      const expected = Array.from({ length: 1001 }, (_, k) => 1100 - k).filter((i) => i % 3 !== 0).map((i) => `tr${i}`);
      expect(json.map((f) => f.tradeId)).toEqual(expected);
      const ndjson = (await text(analytics.export('fills', 'ndjson', 'tB', {}, {}))).trim().split('\n').map((l) => JSON.parse(l) as FillView);
      expect(ndjson).toHaveLength(10);
      expect(JSON.parse(await text(analytics.export('fills', 'json', 'tC', {}, {})))).toEqual([]);

      // streamed: the first chunk (the header) and the first page's rows come after one page read
      lists = 0;
      const stream = analytics.export('fills', 'csv', 'tA', {}, {});
      await stream.next();
      await stream.next();
      expect(lists).toBe(1);
      await stream.return(undefined);

      // analytics: the same fills, oldest first, fold to the same trips as the domain on them
      const fills = await analytics.fills('tA', {});
      expect(fills.map((f) => f.tradeId)).toEqual(Array.from({ length: N }, (_, i) => `tr${i}`));
      const trips = await analytics.roundTrips('tA', {}, undefined, new Date(T0 + N * 3_600_000).toISOString());
      expect(trips.map((t) => t.pnl.toFixed())).toEqual(roundTrips(fills).trips.map((t) => t.pnl.toFixed()));
      const tripsCsv = (await text(analytics.export('round-trips', 'csv', 'tA', {}, {}))).split('\r\n').filter((l) => l.length > 0);
      expect(tripsCsv).toHaveLength(trips.length + 1);
    }, 120_000);
  });
}

suite('exports on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'patriot-exports-'));
  const store = new SqliteProjectionStore(join(dir, 'read.db'));
  return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});

if (testPgUrl) {
  suite('exports on PostgreSQL', async () => {
    const db = await freshDatabase('exp');
    const pool = createPool(db.url, { max: 4 });
    const store = await PostgresProjectionStore.open({ pool });
    return { store, cleanup: async () => { await pool.end(); await db.drop(); } };
  });
}
