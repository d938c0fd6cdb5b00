import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import type { PatriotConfig } from './config.js';

/**
 * `patriot backup FILE` and `patriot restore FILE` for the SQLite data directory.
 *
 * A backup is one gzip file: a JSON manifest line, then each database's bytes. Each database is
 * copied with SQLite's online backup (consistent while the server writes), the derived ones
 * first: read models and snapshots never get ahead of the log they were built from (the server
 * refuses to start on that), and the paper exchange last (a fill the log has not seen yet is
 * found again like any exchange's after a crash). The master key is never in a backup.
 */
const MAGIC = 'patriot-backup';
const VERSION = 1;
/** in the order they are copied; the log (with the settings, users and sealed secrets) is required */
const DATABASES = ['readmodels.db', 'snapshots.db', 'patriot.db', 'paper-exchange.db'] as const;
/** what a data directory may hold before a restore without --force: the master key put there first */
const MAY_PRECEDE_RESTORE = new Set(['master.key']);

interface Manifest {
  readonly format: typeof MAGIC;
  readonly version: number;
  readonly createdAt: string;
  readonly files: readonly { readonly name: string; readonly bytes: number; readonly sha256: string }[];
}

export class BackupError extends Error {}

function sqliteOnly(config: PatriotConfig, what: string): void {
  if (config.databaseUrl) throw new BackupError(`${what} works on the SQLite data directory; with DATABASE_URL use pg_dump / pg_restore (README, "Backups")`);
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Copies the data directory's databases into one file (written beside it, then renamed into place). */
export async function backupDataDir(config: PatriotConfig, file: string): Promise<Record<string, unknown>> {
  sqliteOnly(config, 'backup');
  if (!existsSync(join(config.dataDir, 'patriot.db'))) throw new BackupError(`no event log at ${join(config.dataDir, 'patriot.db')} (set PATRIOT_DATA_DIR)`);
  const work = join(config.dataDir, `.backup-${randomBytes(6).toString('hex')}`);
  mkdirSync(work, { mode: 0o700 });
  const partial = `${file}.partial-${randomBytes(4).toString('hex')}`;
  try {
    const files: { name: string; bytes: number; sha256: string }[] = [];
    for (const name of DATABASES) {
      const source = join(config.dataDir, name);
      if (!existsSync(source)) continue;
      const db = new Database(source, { fileMustExist: true });
      try {
        db.pragma('busy_timeout = 10000');
        // every page in one step, within one read transaction: a consistent copy that the server's
        // writes meanwhile cannot restart (with the default 100 pages a step, each write would)
        await db.backup(join(work, name), { progress: () => 0x7fffffff });
      } finally {
        db.close();
      }
      files.push({ name, bytes: statSync(join(work, name)).size, sha256: await sha256Of(join(work, name)) });
    }
    const manifest: Manifest = { format: MAGIC, version: VERSION, createdAt: new Date().toISOString(), files };
    const body = new PassThrough();
    const writing = pipeline(body, createGzip(), createWriteStream(partial, { mode: 0o600 }));
    body.write(`${JSON.stringify(manifest)}\n`);
    for (const f of files) for await (const chunk of createReadStream(join(work, f.name))) if (!body.write(chunk)) await new Promise((r) => body.once('drain', r));
    body.end();
    await writing;
    renameSync(partial, file);
    return { backup: file, files, masterKeyIncluded: false, note: 'the master key is not in the backup: keep PATRIOT_MASTER_KEY or <data dir>/master.key safe separately' };
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
}

/** Reads a backup: its manifest, and each file's bytes streamed to `open(name)`. */
async function readBackup(file: string, target: (name: string) => string): Promise<Manifest> {
  let manifest: Manifest | undefined;
  let pending = Buffer.alloc(0);
  let index = 0;
  let left = 0;
  let fd: number | undefined;
  let hash = createHash('sha256');
  const startNext = () => {
    while (manifest && index < manifest.files.length && manifest.files[index]!.bytes === 0) finishEmpty();
    if (!manifest || index >= manifest.files.length) return;
    const entry = manifest.files[index]!;
    fd = openSync(target(entry.name), 'wx', 0o600);
    left = entry.bytes;
    hash = createHash('sha256');
  };
  const finishEmpty = () => {
    closeSync(openSync(target(manifest!.files[index]!.name), 'wx', 0o600));
    index++;
  };
  const finish = () => {
    closeSync(fd!);
    fd = undefined;
    if (hash.digest('hex') !== manifest!.files[index]!.sha256) throw new BackupError(`the backup is damaged: ${manifest!.files[index]!.name} does not match its checksum`);
    index++;
    startNext();
  };
  try {
    for await (const chunk of createReadStream(file).pipe(createGunzip())) {
      pending = Buffer.concat([pending, chunk as Buffer]);
      if (!manifest) {
        const newline = pending.indexOf(10);
        if (newline < 0) {
          if (pending.length > 1_000_000) throw new BackupError(`${file} is not a PATRIOT backup`);
          continue;
        }
        manifest = parseManifest(pending.subarray(0, newline).toString('utf8'), file);
        pending = pending.subarray(newline + 1);
        startNext();
      }
      while (fd !== undefined && pending.length > 0) {
        const part = pending.subarray(0, left);
        writeSync(fd, part);
        hash.update(part);
        left -= part.length;
        pending = pending.subarray(part.length);
        if (left === 0) finish();
      }
      if (fd === undefined && pending.length > 0) throw new BackupError('the backup is damaged: bytes after its last file');
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} is not a readable PATRIOT backup (${(error as Error).message})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!manifest || index < manifest.files.length) throw new BackupError('the backup is damaged: it ends before its last file');
  return manifest;
}

function parseManifest(text: string, file: string): Manifest {
  let value: Partial<Manifest>;
  try {
    value = JSON.parse(text) as Partial<Manifest>;
  } catch {
    throw new BackupError(`${file} is not a PATRIOT backup`);
  }
  if (value.format !== MAGIC || !Array.isArray(value.files)) throw new BackupError(`${file} is not a PATRIOT backup`);
  if (value.version !== VERSION) throw new BackupError(`${file} is a backup of format version ${String(value.version)}; this PATRIOT reads version ${VERSION}`);
  for (const f of value.files) {
    if (!(DATABASES as readonly string[]).includes(f.name) || !Number.isSafeInteger(f.bytes) || f.bytes < 0 || !/^[0-9a-f]{64}$/.test(f.sha256)) throw new BackupError(`${file}: the manifest names an unexpected file`);
  }
  if (!value.files.some((f) => f.name === 'patriot.db')) throw new BackupError(`${file} holds no event log`);
  return value as Manifest;
}

/**
 * Restores a backup into the data directory, which must be empty (but for the master key put there
 * first) unless `force`: then its databases are replaced. Every server on it must be stopped.
 */
export async function restoreDataDir(config: PatriotConfig, file: string, force: boolean): Promise<Record<string, unknown>> {
  sqliteOnly(config, 'restore');
  if (!existsSync(file)) throw new BackupError(`no backup at ${file}`);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const present = readdirSync(config.dataDir).filter((name) => !MAY_PRECEDE_RESTORE.has(name));
  if (present.length > 0 && !force) {
    throw new BackupError(`the data directory ${config.dataDir} is not empty (${present.slice(0, 5).join(', ')}${present.length > 5 ? ', …' : ''}); stop its server and restore with --force to replace its databases`);
  }
  const staging = join(config.dataDir, `.restore-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging, { mode: 0o700 });
  try {
    const manifest = await readBackup(file, (name) => join(staging, name));
    // every database of the set is replaced (one absent from the backup too), and no stale -wal/-shm may be applied to a restored file
    for (const name of DATABASES) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(join(config.dataDir, name + suffix), { force: true });
    for (const f of manifest.files) renameSync(join(staging, f.name), join(config.dataDir, f.name));
    return { restored: manifest.files.map((f) => f.name), backupCreatedAt: manifest.createdAt, masterKey: existsSync(join(config.dataDir, 'master.key')) || config.masterKey !== undefined || config.masterKeyFile !== undefined ? 'present' : 'missing: put the original master key in place (PATRIOT_MASTER_KEY or <data dir>/master.key) before serve' };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
