/** Opening a PATRIOT SQLite database file and creating the event store schema (idempotent). */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { explainSqliteFailure } from './file-errors.js';
import { isThrowaway, relaxThrowaway } from './throwaway-dirs.js';
import { enableWal } from './wal.js';

export type SqliteDatabase = Database.Database;
/** A prepared statement taking positional parameters. */
export type SqliteStatement = Database.Statement<unknown[], unknown>;

export interface OpenDatabaseOptions {
  /** Path of the database file (parent directories are created), or ':memory:'. */
  readonly path: string;
  /** How long a writer waits for another connection's write lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** FULL (default; the log): a commit is fsynced before it returns. NORMAL: for derived data a crash may roll back to a consistent earlier state. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** what the file is, for error messages ("the event log", "the read models"); default "the database" */
  readonly what?: string;
}

/**
 * Opens better-sqlite3 (creating parent directories): WAL journal (readers never block the single
 * writer), synchronous=FULL by default (a commit is fsynced before it returns), busy_timeout.
 */
export function openDatabase(options: OpenDatabaseOptions): SqliteDatabase {
  const { path } = options;
  const what = options.what ?? 'the database';
  let db: SqliteDatabase;
  try {
    if (path !== ':memory:' && path !== '') {
      mkdirSync(dirname(path), { recursive: true });
    }
    db = new Database(path);
  } catch (error) {
    throw explainSqliteFailure(path, what, error);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    enableWal(db, options.busyTimeoutMs ?? 5000); // a new file opened by two processes at once: see wal.ts
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    if (isThrowaway(path)) relaxThrowaway(db); // a replay's own files only (throwaway-dirs.ts)
  } catch (error) {
    db.close();
    throw explainSqliteFailure(path, what, error);
  }
  return db;
}

/** Schema version stored in PRAGMA user_version. */
export const EVENT_STORE_SCHEMA_VERSION = 1;

const EVENT_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  global_position INTEGER PRIMARY KEY,
  stream_id       TEXT    NOT NULL,
  stream_version  INTEGER NOT NULL,
  type            TEXT    NOT NULL,
  data            TEXT    NOT NULL,
  metadata        TEXT    NOT NULL,
  tenant_id       TEXT    NOT NULL,
  correlation_id  TEXT,
  causation_id    TEXT,
  recorded_time   TEXT    NOT NULL,
  prev_hash       TEXT    NOT NULL,
  hash            TEXT    NOT NULL,
  UNIQUE (stream_id, stream_version)
) STRICT;
CREATE INDEX IF NOT EXISTS events_by_correlation
  ON events (correlation_id, global_position) WHERE correlation_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS dedupe (
  scope TEXT NOT NULL,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (scope, key)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_identity (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  log_id       TEXT    NOT NULL,
  created_time TEXT    NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS checkpoints (
  name     TEXT    PRIMARY KEY,
  position INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;

/** Creates the events, dedupe and checkpoints tables if they do not exist. */
export function ensureEventStoreSchema(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > EVENT_STORE_SCHEMA_VERSION) {
    throw new Error(
      `event store schema version ${version} is newer than this build supports (${EVENT_STORE_SCHEMA_VERSION})`,
    );
  }
  db.transaction(() => {
    db.exec(EVENT_STORE_SCHEMA);
    if (version < EVENT_STORE_SCHEMA_VERSION) {
      db.pragma(`user_version = ${EVENT_STORE_SCHEMA_VERSION}`);
    }
  }).immediate();
}
