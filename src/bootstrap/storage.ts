import { join } from 'node:path';
import type { EventStore } from '../application/ports/event-store.js';
import type { KeyValueStore } from '../application/ports/key-value.js';
import type { ProjectionStore } from '../application/ports/projection-store.js';
import { SqliteEventStore } from '../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from '../adapters/kv/sqlite-key-value-store.js';
import { SqliteProjectionStore } from '../adapters/readmodels/sqlite-projection-store.js';
import type { PatriotConfig } from './config.js';

/** The durable state PATRIOT keeps: the event log, small settings beside it, and the read models. */
export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  readonly events: EventStore;
  readonly kv: KeyValueStore;
  readonly readModels: ProjectionStore;
  close(): Promise<void>;
}

/** SQLite files in the data directory: the embedded default. */
export async function openSqliteStorage(config: PatriotConfig, onListenerError: (error: unknown) => void): Promise<Storage> {
  const events = await SqliteEventStore.open({ path: join(config.dataDir, 'patriot.db'), onListenerError });
  const kv = new SqliteKeyValueStore(events.database);
  const readModels = new SqliteProjectionStore(join(config.dataDir, 'readmodels.db'));
  return {
    kind: 'sqlite', events, kv, readModels,
    close: async () => {
      await readModels.close();
      await events.close();
    },
  };
}

/** Chooses the backend from the configuration. */
export async function openStorage(config: PatriotConfig, onListenerError: (error: unknown) => void): Promise<Storage> {
  return openSqliteStorage(config, onListenerError);
}
