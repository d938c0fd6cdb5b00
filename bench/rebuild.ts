/**
 * Projection rebuild speed: a log of realistic trading history (per alert: SignalReceived,
 * OrderApproved, SignalProcessed, OrderAccepted, OrderFilled, on 20 accounts), then a full
 * ProjectionRunner.rebuild() into SQLite and into PostgreSQL read models, timed. The log itself
 * is on SQLite (reading it is part of the measured time); built code from dist/ only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const root = new URL('../', import.meta.url).pathname;
const dist = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, 'dist', path)).href)) as T;

export async function createDatabase(clusterUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return clusterUrl.replace(/\/[^/]*$/, `/${name}`);
}

interface Store {
  append(r: unknown): Promise<{ kind: string }>;
  appendAtomic(r: unknown[]): Promise<{ kind: string }>;
  close(): Promise<void>;
}

export async function seed(store: Store, alerts: number): Promise<void> {
  const meta = (signalId?: string) => ({ tenantId: 'tnt_bench', time: '2026-11-25T00:00:00.000Z', ...(signalId ? { correlationId: signalId } : {}) });
  for (let a = 0; a < 20; a++) {
    await store.append({
      streamId: `account-acc${a}`, expectedVersion: 0, metadata: meta(),
      events: [{ type: 'AccountOpened', data: { accountId: `acc${a}`, tenantId: 'tnt_bench', name: `acc${a}`, exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '1000000' }], risk: {} } }],
    });
  }
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < alerts; i++) {
    const signalId = `sig${i.toString(36).padStart(8, '0')}`;
    const accountId = `acc${i % 20}`;
    const coid = i.toString(16).padStart(32, '0');
    const side = i % 2 === 0 ? 'buy' : 'sell';
    const intent = { clientOrderId: coid, accountId, strategyId: 's1', signalId, symbol: 'BTC/USDT', side, type: 'market', quantity: '0.001', referencePrice: '97000', reduceOnly: false };
    pending.push(
      store.append({
        streamId: `signal-${signalId}`, expectedVersion: 0, metadata: meta(signalId),
        events: [{ type: 'SignalReceived', data: { signalId, strategyId: 's1', idempotencyKey: signalId, receivedAt: '2026-11-25T00:00:00.000Z', bodySha256: 'h', format: 'patriot-json', signal: { action: side, ticker: 'BTCUSDT', symbol: 'BTC/USDT', quantity: '0.001' } } }],
      }).then(() => store.appendAtomic([
        { streamId: `order-${coid}`, expectedVersion: 0, events: [{ type: 'OrderApproved', data: intent }], metadata: meta(signalId) },
        { streamId: `signal-${signalId}`, expectedVersion: 1, events: [{ type: 'SignalProcessed', data: { signalId, orders: [{ accountId, clientOrderId: coid, outcome: 'approved' }], skipped: [] } }], metadata: meta(signalId) },
      ])).then(() => store.append({
        streamId: `order-${coid}`, expectedVersion: 1, metadata: meta(signalId),
        events: [
          { type: 'OrderAccepted', data: { clientOrderId: coid, accountId, exchangeOrderId: String(i) } },
          { type: 'OrderFilled', data: { clientOrderId: coid, accountId, strategyId: 's1', tradeId: `t${i}`, symbol: 'BTC/USDT', side, quantity: '0.001', price: '97000.5', fee: '0.097', feeCurrency: 'USDT', liquidity: 'taker', filledAt: '2026-11-25T00:00:00.000Z', cumulativeQuantity: '0.001', complete: true } },
        ],
      })),
    );
    if (pending.length >= 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

export async function projectionRebuild(clusterUrl: string, _baselineRps: number | undefined) {
  const ALERTS = Number(process.env.BENCH_REBUILD_ALERTS ?? 20_000);
  process.stderr.write(`projection_rebuild: ${ALERTS} alerts (${ALERTS * 5 + 20} events) into SQLite and PostgreSQL read models\n`);
  const { SqliteEventStore } = await dist<{ SqliteEventStore: { open(o: unknown): Promise<Store & { headPosition(): Promise<number> }> } }>('adapters/eventstore/sqlite/sqlite-event-store.js');
  const { SqliteProjectionStore } = await dist<{ SqliteProjectionStore: new (path: string) => { close(): Promise<void> } }>('adapters/readmodels/sqlite-projection-store.js');
  const { PostgresProjectionStore } = await dist<{ PostgresProjectionStore: { open(o: unknown): Promise<{ close(): Promise<void> }> } }>('adapters/readmodels/postgres/postgres-projection-store.js');
  const { ProjectionRunner } = await dist<{ ProjectionRunner: new (e: unknown, s: unknown) => { rebuild(): Promise<number> } }>('application/projections/projection-runner.js');
  const { createPool } = await dist<{ createPool(url: string, o?: unknown): pg.Pool }>('adapters/postgres/pool.js');

  const dir = mkdtempSync(join(tmpdir(), 'patriot-rebuild-'));
  const events = await SqliteEventStore.open({ path: join(dir, 'patriot.db') });
  const pool = createPool(await createDatabase(clusterUrl, 'bench_rebuild'), { max: 4 });
  try {
    await seed(events, ALERTS);
    const total = await events.headPosition();
    const time = async (store: unknown) => {
      const t0 = process.hrtime.bigint();
      const projected = await new ProjectionRunner(events, store).rebuild();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (projected !== total) throw new Error(`rebuild reached ${projected}, log head is ${total}`);
      return Math.round(projected / seconds);
    };
    const sqliteStore = new SqliteProjectionStore(join(dir, 'readmodels.db'));
    const sqlite = await time(sqliteStore);
    await sqliteStore.close();
    const pgStore = await PostgresProjectionStore.open({ pool });
    const postgres = await time(pgStore);
    await pgStore.close();
    return {
      name: 'projection_rebuild', unit: 'events/s (read the log, project, commit documents + checkpoint)', target: '>= 100,000 events/s',
      meets: Math.min(sqlite, postgres) >= 100_000, events: total, eventsPerS: { sqlite, postgres },
      note: 'log on SQLite; read models rebuilt from scratch into each backend',
    };
  } finally {
    await events.close();
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
