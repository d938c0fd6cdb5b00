import { join } from 'node:path';
import { statfs } from 'node:fs/promises';
import type { EventStore } from '../application/ports/event-store.js';
import type { KeyValueStore } from '../application/ports/key-value.js';
import type { ProjectionStore } from '../application/ports/projection-store.js';
import { SqliteEventStore } from '../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from '../adapters/kv/sqlite-key-value-store.js';
import { SqliteProjectionStore } from '../adapters/readmodels/sqlite-projection-store.js';
import { PostgresEventStore } from '../adapters/eventstore/postgres/postgres-event-store.js';
import { EVENT_STORE_MIGRATIONS } from '../adapters/eventstore/postgres/schema.js';
import { KV_MIGRATIONS, PostgresKeyValueStore } from '../adapters/kv/postgres-key-value-store.js';
import { PostgresProjectionStore } from '../adapters/readmodels/postgres/postgres-projection-store.js';
import { READ_MODEL_MIGRATIONS } from '../adapters/readmodels/postgres/schema.js';
import { createPool, redactUrl } from '../adapters/postgres/pool.js';
import { runMigrations } from '../adapters/postgres/migrations.js';
import type { SnapshotStore } from '../application/ports/snapshot-store.js';
import { SqliteSnapshotStore } from '../adapters/snapshots/sqlite-snapshot-store.js';
import { PostgresSnapshotStore } from '../adapters/snapshots/postgres/postgres-snapshot-store.js';
import { SNAPSHOT_MIGRATIONS } from '../adapters/snapshots/postgres/schema.js';
import type { Leases } from '../application/ports/leases.js';
import { LocalLeases } from '../adapters/leases/local-leases.js';
import { PostgresLeases } from '../adapters/leases/postgres-leases.js';
import type { PatriotConfig } from './config.js';

/** The durable state PATRIOT keeps: the event log, small settings beside it, and the read models. */
export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  readonly events: EventStore;
  readonly kv: KeyValueStore;
  readonly readModels: ProjectionStore;
  /** portfolio snapshots (equity curves) */
  readonly snapshots: SnapshotStore;
  /** who leads and who owns which account, among the nodes sharing this storage */
  readonly leases: Leases;
  /** rejects when an alert could not be recorded now (the database away or read-only, the disk full); bounded in time */
  probe(): Promise<void>;
  close(): Promise<void>;
}

/** Below this much free space in the data directory a SQLite node reports itself not ready. */
const MIN_FREE_BYTES = 1024 * 1024;

async function probeDisk(dir: string): Promise<void> {
  const fs = await statfs(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  if (free < MIN_FREE_BYTES) throw new Error(`the disk of the data directory ${dir} is full (${free} bytes free)`);
}

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

/** SQLite files in the data directory: the embedded default. */
export async function openSqliteStorage(config: PatriotConfig, onListenerError: (error: unknown) => void): Promise<Storage> {
  const events = await SqliteEventStore.open({ path: join(config.dataDir, 'patriot.db'), onListenerError });
  const kv = new SqliteKeyValueStore(events.database);
  const readModels = new SqliteProjectionStore(join(config.dataDir, 'readmodels.db'));
  const snapshots = new SqliteSnapshotStore(join(config.dataDir, 'snapshots.db'));
  return {
    kind: 'sqlite', events, kv, readModels, snapshots, leases: new LocalLeases(),
    probe: () => probeDisk(config.dataDir),
    close: async () => {
      await snapshots.close();
      await readModels.close();
      await events.close();
    },
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
    const prober = postgresProbe(url);
    return {
      kind: 'postgres', events, kv, readModels, snapshots, leases,
      probe: () => prober.probe(),
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
    throw new Error(`cannot open PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`);
  }
}

/** Runs every schema migration of the configured backend (the server also does it on start). */
export async function migrate(config: PatriotConfig): Promise<string[]> {
  if (!config.databaseUrl) return []; // SQLite files create their schema when opened
  const pool = createPool(config.databaseUrl, { max: 2 });
  try {
    return await runMigrations(pool, [...EVENT_STORE_MIGRATIONS, ...READ_MODEL_MIGRATIONS, ...KV_MIGRATIONS, ...SNAPSHOT_MIGRATIONS]);
  } finally {
    await pool.end();
  }
}

/** Chooses the backend from the configuration: PostgreSQL when DATABASE_URL is set, else SQLite files. */
export async function openStorage(config: PatriotConfig, onListenerError: (error: unknown) => void): Promise<Storage> {
  return config.databaseUrl ? openPostgresStorage(config.databaseUrl) : openSqliteStorage(config, onListenerError);
}
