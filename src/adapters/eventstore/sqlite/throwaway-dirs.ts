/**
 * Directories whose SQLite files are thrown away when their user is done (a replay's own store,
 * ADR-0025): nothing there has to survive a crash, so their connections run without the
 * durability the live files keep — no fsync (synchronous=OFF), the rollback journal in memory
 * instead of a WAL file, the file locked by its one connection for as long as it is open (no lock
 * calls per transaction, the page cache kept between them).
 *
 * Only `makeThrowawayDir` registers a directory, and only one it has just created itself
 * (mkdtemp, under a name of its own): an existing directory — a live data directory — can never
 * become one, whatever its name or configuration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type Database from 'better-sqlite3';

const dirs = new Set<string>();

/** Creates a fresh directory under `root` (named `prefix` + random) whose SQLite files need no durability. */
export function makeThrowawayDir(root: string, prefix: string): string {
  const dir = mkdtempSync(join(root, prefix));
  dirs.add(resolve(dir));
  return dir;
}

/** Removes the directory and everything in it (close its databases first). */
export function removeThrowawayDir(dir: string): void {
  dirs.delete(resolve(dir));
  rmSync(dir, { recursive: true, force: true });
}

/** Whether a database file lies directly in a throwaway directory of this process. */
export function isThrowaway(path: string): boolean {
  if (dirs.size === 0 || path === '' || path === ':memory:' || path.startsWith('file:')) return false;
  return dirs.has(dirname(resolve(path)));
}

/** Drops a throwaway file's durability (see above); its one connection must be the only one. */
export function relaxThrowaway(db: Database.Database): void {
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = MEMORY');
  db.pragma('synchronous = OFF');
}
