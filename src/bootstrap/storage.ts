import { join } from 'node:path';
import pg from 'pg';
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
import type { PatriotConfig } from './config.js';

/** The durable state PATRIOT keeps: the event log, small settings beside it, and the read models. */
export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  readonly events: EventStore;
  readonly kv: KeyValueStore;
  readonly readModels: ProjectionStore;
  /** portfolio snapshots (equity curves) */
  readonly snapshots: SnapshotStore;
  close(): Promise<void>;
}

/** SQLite files in the data directory: the embedded default. */
export async function openSqliteStorage(config: PatriotConfig, onListenerError: (error: unknown) => void): Promise<Storage> {
  const events = await SqliteEventStore.open({ path: join(config.dataDir, 'patriot.db'), onListenerError });
  const kv = new SqliteKeyValueStore(events.database);
  const readModels = new SqliteProjectionStore(join(config.dataDir, 'readmodels.db'));
  const snapshots = new SqliteSnapshotStore(join(config.dataDir, 'snapshots.db'));
  return {
    kind: 'sqlite', events, kv, readModels, snapshots,
    close: async () => {
      await snapshots.close();
      await readModels.close();
      await events.close();
    },
  };
}

/** Session advisory lock held by the one node a database may have until account leases land. */
const SINGLE_NODE_LOCK = 0x7061_6e31; // "pan1"

/**
 * Holds the single-node lock on a connection of its own for the life of the process (PostgreSQL
 * releases it if the process dies). A second node on the same database is refused at start:
 * two nodes would both reconcile the same open orders at start-up.
 */
async function holdSingleNodeLock(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'patriot-node-lock' });
  client.on('error', () => undefined);
  await client.connect();
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [SINGLE_NODE_LOCK]);
  if (!rows[0]?.locked) {
    await client.end();
    throw new Error('another PATRIOT node is already running on this database; this version runs one node per database');
  }
  return client;
}

/** PostgreSQL (DATABASE_URL): the event log, read models and settings in one database; migrations run on open. */
export async function openPostgresStorage(url: string, options: { readOnly?: boolean } = {}): Promise<Storage> {
  const lock = options.readOnly
    ? undefined
    : await holdSingleNodeLock(url).catch((error: Error) => {
        throw new Error(`cannot open PostgreSQL at ${redactUrl(url)}: ${error.message}`);
      });
  const pool = createPool(url, { max: 10 });
  try {
    const events = await PostgresEventStore.open({ pool });
    const kv = await PostgresKeyValueStore.open({ pool });
    const readModels = await PostgresProjectionStore.open({ pool });
    const snapshots = await PostgresSnapshotStore.open({ pool });
    return {
      kind: 'postgres', events, kv, readModels, snapshots,
      close: async () => {
        await snapshots.close();
        await readModels.close();
        await events.close();
        await pool.end();
        await lock?.end();
      },
    };
  } catch (error) {
    await pool.end();
    await lock?.end();
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

/**
 * Chooses the backend from the configuration: PostgreSQL when DATABASE_URL is set, else SQLite
 * files. `readOnly` (e.g. `verify` beside a running server) skips the single-node lock.
 */
export async function openStorage(config: PatriotConfig, onListenerError: (error: unknown) => void, options: { readOnly?: boolean } = {}): Promise<Storage> {
  return config.databaseUrl ? openPostgresStorage(config.databaseUrl, options) : openSqliteStorage(config, onListenerError);
}
