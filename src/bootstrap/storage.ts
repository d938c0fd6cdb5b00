import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { statfs } from 'node:fs/promises';
import type { EventStore } from '../application/ports/event-store.js';
import type { KeyValueStore } from '../application/ports/key-value.js';
import type { ProjectionStore } from '../application/ports/projection-store.js';
import { SqliteEventStore, type LogFileGoneError } from '../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from '../adapters/kv/sqlite-key-value-store.js';
import { SqliteProjectionStore } from '../adapters/readmodels/sqlite-projection-store.js';
import type { SnapshotStore } from '../application/ports/snapshot-store.js';
import { SqliteSnapshotStore } from '../adapters/snapshots/sqlite-snapshot-store.js';
import type { Leases } from '../application/ports/leases.js';
import { LocalLeases } from '../adapters/leases/local-leases.js';
import type { PatriotConfig } from './config.js';
import { redactUrl } from '../adapters/postgres/redact-url.js';
import type { BudgetLedger, LoginFailureLedger } from '../application/ports/budgets.js';

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
  /** request budgets and failed logins of every node sharing this storage (PostgreSQL only: one SQLite node counts in memory) */
  readonly budgetLedger?: BudgetLedger & LoginFailureLedger;
  /** rejects when an alert could not be recorded now (the database away or read-only, the disk full); bounded in time */
  probe(): Promise<void>;
  /**
   * Whether the storage can still record. On SQLite, not ok (for good) once the event log file
   * was deleted or replaced under the running server: alerts must then be refused, /ready fail.
   */
  healthy(): StorageHealth;
  close(): Promise<void>;
}

/** Below this much free space in the data directory a SQLite node reports itself not ready. */
const MIN_FREE_BYTES = 1024 * 1024;

async function probeDisk(dir: string): Promise<void> {
  const fs = await statfs(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  if (free < MIN_FREE_BYTES) throw new Error(`the disk of the data directory ${dir} is full (${free} bytes free)`);
}

export interface StorageHealth {
  readonly ok: boolean;
  /** why not, naming the file and what to do */
  readonly reason?: string;
}

export interface OpenOptions {
  /** called once when the SQLite log file is found deleted or replaced under the running server */
  readonly onLogLost?: (error: LogFileGoneError) => void;
  /**
   * 'check' (default): refuse to open when the read models or snapshots were built from another
   * or a longer event log. 'skip': open without looking (verify, which reads the log only).
   * 'rebuild': empty the read models and snapshots and bind them to this log (`patriot rebuild-read-models`).
   */
  readonly derived?: 'check' | 'skip' | 'rebuild';
}

/** The event log is behind, or other than, the log the read models and snapshots were built from. */
export class LogMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogMismatchError';
  }
}

interface DerivedPaths {
  readonly log: string;
  readonly readModels: string;
  readonly snapshots: string;
}

/**
 * Checks that the read models and snapshots were built from this very log, and no further than
 * its head: a deleted, replaced or older log under newer read models is refused (restore the log,
 * or rebuild the read models from it explicitly). `events` is undefined when there is no log file.
 */
async function checkDerivedFiles(paths: DerivedPaths, events: SqliteEventStore | undefined, readModels: SqliteProjectionStore, snapshots: SqliteSnapshotStore): Promise<void> {
  const logId = events?.readLogId();
  const head = events ? await events.headPosition() : 0;
  const checkpoint = await readModels.checkpoint();
  const binding = readModels.logBinding();
  const problems: string[] = [];
  const logSays = events ? `the event log ${paths.log} (id ${logId ?? 'none: new or made before log ids'}) ends at position ${head}` : `there is no event log at ${paths.log}`;
  if (binding !== undefined && binding.logId !== logId) {
    problems.push(`the read models ${paths.readModels} were built from the event log with id ${binding.logId}, but ${logSays}`);
  } else if (checkpoint > head) {
    problems.push(`the read models ${paths.readModels} include events up to position ${checkpoint}, but ${logSays}`);
  } else if (binding !== undefined && events && binding.position <= head && events.hashAt(binding.position) !== binding.hash) {
    problems.push(`the event at position ${binding.position} of ${paths.log} is not the one the read models ${paths.readModels} saw there (another log with the same id)`);
  } else if (head === 0 && readModels.documentCount() > 0) {
    problems.push(`the read models ${paths.readModels} hold ${readModels.documentCount()} documents, but ${logSays}`);
  }
  const snapshotLog = snapshots.logBinding();
  if (snapshotLog !== undefined && snapshotLog !== logId) {
    problems.push(`the portfolio snapshots ${paths.snapshots} were taken from the event log with id ${snapshotLog}, but ${logSays}`);
  } else if (snapshotLog === undefined && head === 0 && snapshots.snapshotCount() > 0) {
    problems.push(`the portfolio snapshots ${paths.snapshots} hold ${snapshots.snapshotCount()} snapshots, but ${logSays}`);
  }
  if (problems.length > 0) {
    throw new LogMismatchError(
      `refusing to start: the event log is behind or other than the read models and snapshots built from it (was it deleted, replaced or restored from an older backup?): ${problems.join('; ')}. ` +
        `What to do: restore ${paths.log} (with its -wal file) from a backup of this data directory; or, to keep this log and discard what it does not contain, ` +
        'stop every server on this data directory and run `patriot rebuild-read-models`, which rebuilds the read models from the log and drops the snapshots.',
    );
  }
}

/** Records in the read models and snapshots which log they follow (and the hash at the read models' checkpoint). */
async function bindDerivedFiles(events: SqliteEventStore, readModels: SqliteProjectionStore, snapshots: SqliteSnapshotStore): Promise<void> {
  const logId = events.ensureLogId();
  const position = await readModels.checkpoint();
  readModels.bindToLog({ logId, position, hash: events.hashAt(position) ?? '' });
  snapshots.bindToLog(logId);
}

/** The SQLite event log's file in a data directory. */
export const sqliteLogPath = (dataDir: string): string => join(dataDir, 'patriot.db');

/** SQLite files in the data directory: the embedded default. */
export async function openSqliteStorage(config: PatriotConfig, onListenerError: (error: unknown) => void, options: OpenOptions = {}): Promise<Storage> {
  const paths = { log: sqliteLogPath(config.dataDir), readModels: join(config.dataDir, 'readmodels.db'), snapshots: join(config.dataDir, 'snapshots.db') };
  const mode = options.derived ?? 'check';
  const logExisted = existsSync(paths.log);
  // the derived files first: a missing log under read models that have data must not be re-created empty
  const readModels = new SqliteProjectionStore(paths.readModels);
  let snapshots: SqliteSnapshotStore | undefined;
  let events: SqliteEventStore | undefined;
  try {
    snapshots = new SqliteSnapshotStore(paths.snapshots);
    if (!logExisted && mode === 'check') await checkDerivedFiles(paths, undefined, readModels, snapshots);
    events = await SqliteEventStore.open({ path: paths.log, onListenerError, ...(options.onLogLost ? { onFileLost: options.onLogLost } : {}) });
    if (mode === 'check') await checkDerivedFiles(paths, events, readModels, snapshots);
    if (mode === 'rebuild') {
      await readModels.reset({ processors: true }); // another log: everything derived from the old one goes, processors' documents too
      snapshots.clear();
    }
    if (mode !== 'skip') await bindDerivedFiles(events, readModels, snapshots);
  } catch (error) {
    await events?.close();
    await snapshots?.close();
    await readModels.close();
    throw error;
  }
  const kv = new SqliteKeyValueStore(events.database);
  const log = events;
  const snaps = snapshots;
  return {
    kind: 'sqlite', events, kv, readModels, snapshots, leases: new LocalLeases(),
    probe: () => probeDisk(config.dataDir),
    healthy: () => log.health(),
    close: async () => {
      const events = log;
      const snapshots = snaps;
      await snapshots.close();
      await readModels.close();
      await events.close();
    },
  };
}

/**
 * PostgreSQL (DATABASE_URL): the event log, read models and settings in one database; migrations
 * run on open. Loaded on demand (postgres-storage.ts): a server on SQLite never imports pg.
 */
export async function openPostgresStorage(url: string): Promise<Storage> {
  return (await import('./postgres-storage.js')).openPostgresStorage(url);
}

/** Runs every schema migration of the configured backend (the server also does it on start). */
export async function migrate(config: PatriotConfig): Promise<string[]> {
  if (!config.databaseUrl) return []; // SQLite files create their schema when opened
  return (await import('./postgres-storage.js')).migratePostgres(config.databaseUrl);
}

/** Chooses the backend from the configuration: PostgreSQL when DATABASE_URL is set, else SQLite files. */
export async function openStorage(config: PatriotConfig, onListenerError: (error: unknown) => void, options: OpenOptions = {}): Promise<Storage> {
  return config.databaseUrl ? openPostgresStorage(config.databaseUrl) : openSqliteStorage(config, onListenerError, options);
}

/** A message with the URL's password (raw and decoded) and the URL itself masked. */
export function scrubSecrets(message: string, url: string): string {
  let out = message.split(url).join(redactUrl(url));
  try {
    const password = new URL(url).password;
    for (const secret of new Set([password, safeDecode(password)])) if (secret.length > 0) out = out.split(secret).join('***');
  } catch {
    // an unparseable URL: nothing more to mask than the URL itself
  }
  return out;
}

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);

/**
 * Whether opening PostgreSQL failed because the server is not there (yet): refused or reset
 * connections, timeouts, name resolution, "the database system is starting up" / shutting down,
 * too many connections. Wrong credentials, a missing database or a failed migration are not.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (/Connection terminated|connection timeout|timeout expired/i.test(e.message)) return true;
    const inner = (e as { errors?: unknown }).errors; // AggregateError (IPv4 and IPv6 both refused)
    if (Array.isArray(inner) && inner.some((x) => isTransientDatabaseError(x))) return true;
  }
  return false;
}
