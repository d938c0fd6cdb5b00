// The PostgreSQL backend of storage.ts, imported only when DATABASE_URL is set: pg and the
// PostgreSQL adapters are not loaded by a server on SQLite (start-up time and memory).
import { PostgresEventStore } from '../adapters/eventstore/postgres/postgres-event-store.js';
import { EVENT_STORE_MIGRATIONS } from '../adapters/eventstore/postgres/schema.js';
import { KV_MIGRATIONS, PostgresKeyValueStore } from '../adapters/kv/postgres-key-value-store.js';
import { PostgresProjectionStore } from '../adapters/readmodels/postgres/postgres-projection-store.js';
import { READ_MODEL_MIGRATIONS } from '../adapters/readmodels/postgres/schema.js';
import { createPool } from '../adapters/postgres/pool.js';
import { redactUrl } from '../adapters/postgres/redact-url.js';
import { runMigrations } from '../adapters/postgres/migrations.js';
import { PostgresSnapshotStore } from '../adapters/snapshots/postgres/postgres-snapshot-store.js';
import { SNAPSHOT_MIGRATIONS } from '../adapters/snapshots/postgres/schema.js';
import { PostgresLeases } from '../adapters/leases/postgres-leases.js';
import { BUDGET_MIGRATIONS, PostgresBudgetLedger } from '../adapters/budgets/postgres-budget-ledger.js';
import { scrubSecrets, type Storage } from './storage.js';

/** A probe of the database on its own single connection: never queued behind (or starving) the pool's work. */
function postgresProbe(url: string): { probe(): Promise<void>; close(): Promise<void> } {
  const pool = createPool(url, { max: 1, applicationName: 'patriot-probe', connectionTimeoutMillis: 1000, queryTimeoutMs: 1000 });
  return {
    probe: async () => {
      const { rows } = await pool.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
      if (rows[0]?.standby) throw new Error('the database is a read-only standby');
    },
    close: () => pool.end(),
  };
}

/** PostgreSQL (DATABASE_URL): the event log, read models and settings in one database; migrations run on open. */
export async function openPostgresStorage(url: string): Promise<Storage> {
  const pool = createPool(url, { max: 10 });
  const leases = new PostgresLeases({ url });
  try {
    const events = await PostgresEventStore.open({ pool });
    const kv = await PostgresKeyValueStore.open({ pool });
    const readModels = await PostgresProjectionStore.open({ pool });
    const snapshots = await PostgresSnapshotStore.open({ pool });
    const budgetLedger = await PostgresBudgetLedger.open({ pool });
    const prober = postgresProbe(url);
    return {
      kind: 'postgres', events, kv, readModels, snapshots, leases, budgetLedger,
      probe: () => prober.probe(),
      healthy: () => ({ ok: true }),
      close: async () => {
        await prober.close();
        await leases.close();
        await snapshots.close();
        await readModels.close();
        await events.close();
        await pool.end();
      },
    };
  } catch (error) {
    await leases.close();
    await pool.end();
    throw new Error(`cannot open PostgreSQL at ${redactUrl(url)}: ${scrubSecrets((error as Error).message, url)}`, { cause: error });
  }
}

/** Runs every schema migration on the database at `url` (the server also does it on start). */
export async function migratePostgres(url: string): Promise<string[]> {
  const pool = createPool(url, { max: 2 });
  try {
    return await runMigrations(pool, [...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS, ...KV_MIGRATIONS, ...SNAPSHOT_MIGRATIONS, ...BUDGET_MIGRATIONS]);
  } finally {
    await pool.end();
  }
}
