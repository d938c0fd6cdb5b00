import { statfsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { redactUrl } from '../../adapters/postgres/redact-url.js';
import { makeThrowawayDir, removeThrowawayDir } from '../../adapters/eventstore/sqlite/throwaway-dirs.js';
import { scrubSecrets } from '../storage.js';

/** Where a replay keeps its own log, read models and paper exchange: never the live stores. */
export type ReplayStoreChoice =
  | { readonly kind: 'sqlite' }
  /** a database of its own, created on the server of `serverUrl` (the live DATABASE_URL or another) and dropped afterwards */
  | { readonly kind: 'postgres'; readonly serverUrl: string };

export interface ReplayStore {
  readonly kind: 'sqlite' | 'postgres';
  /** a fresh temporary directory (SQLite files; the paper exchange's file on PostgreSQL too) */
  readonly dataDir: string;
  /** the replay's own database on PostgreSQL */
  readonly databaseUrl?: string;
  /** removes the directory and drops the database */
  dispose(): Promise<void>;
}

export class ReplayStoreError extends Error {
  readonly code = 'REPLAY_STORE_UNAVAILABLE';
}

/** A RAM-backed directory with this much room is preferred: the store is thrown away, its fsyncs are pure cost (3x slower on disk here). */
const RAM_DIR = '/dev/shm';
const RAM_DIR_MIN_FREE = 1024 ** 3;

/** Where the replay's files go: the RAM-backed directory when it has room, else the system's temp directory. */
export function replayTempRoot(): string {
  try {
    const fs = statfsSync(RAM_DIR);
    if (Number(fs.bavail) * Number(fs.bsize) >= RAM_DIR_MIN_FREE) return RAM_DIR;
  } catch {
    // no /dev/shm (not Linux): the temp directory
  }
  return tmpdir();
}

/** Makes a replay's store: a temporary directory, and on PostgreSQL a database of its own (never a schema beside the live one: LISTEN/NOTIFY is per database). */
export async function openReplayStore(choice: ReplayStoreChoice): Promise<ReplayStore> {
  // thrown away afterwards: its SQLite files skip the durability of the live ones (no fsync, journal in memory; throwaway-dirs.ts)
  const dataDir = makeThrowawayDir(replayTempRoot(), 'patriot-replay-');
  const removeDir = () => removeThrowawayDir(dataDir);
  if (choice.kind === 'sqlite') return { kind: 'sqlite', dataDir, dispose: async () => removeDir() };
  const name = `patriot_replay_${randomBytes(8).toString('hex')}`;
  try {
    await onServer(choice.serverUrl, `CREATE DATABASE ${name}`);
  } catch (error) {
    removeDir();
    throw new ReplayStoreError(`cannot create the replay's own database on ${redactUrl(choice.serverUrl)} (the database user needs CREATEDB): ${scrubSecrets((error as Error).message, choice.serverUrl)}`);
  }
  try {
    // thrown away afterwards: its commits need not wait for the disk (this database's sessions only; 142 s -> 83 s for 2,000 alerts here)
    await onServer(choice.serverUrl, `ALTER DATABASE ${name} SET synchronous_commit = off`);
  } catch (error) {
    await onServer(choice.serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    removeDir();
    throw new ReplayStoreError(`cannot create the replay's own database on ${redactUrl(choice.serverUrl)} (the database user needs CREATEDB): ${scrubSecrets((error as Error).message, choice.serverUrl)}`);
  }
  const url = new URL(choice.serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres', dataDir, databaseUrl: url.toString(),
    dispose: async () => {
      removeDir();
      await onServer(choice.serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function onServer(url: string, sql: string): Promise<void> {
  const { default: pg } = await import('pg'); // only a replay on PostgreSQL needs it: a SQLite server never loads pg
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
