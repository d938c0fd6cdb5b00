import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The data directory holds the event log, the settings (sealed keys, password hashes), the
 * master key file and the paper exchange: only PATRIOT's own user may read it. Makes the
 * directory (and any directory under it) 0700 and every file and socket in it 0600 — at start-up
 * for what an earlier version or a copy left readable, and again once the stores are open (their
 * -wal and -shm files). Symbolic links are not followed. Returns what could not be changed (a
 * file owned by another user), for a warning.
 */
export function secureDataDir(dir: string): string[] {
  const problems: string[] = [];
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const walk = (path: string, depth: number): void => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return; // gone meanwhile
    }
    if (stat.isSymbolicLink()) return;
    const wanted = stat.isDirectory() ? 0o700 : 0o600;
    if ((stat.mode & 0o777) !== wanted) {
      try {
        chmodSync(path, wanted);
      } catch (error) {
        problems.push(`${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    }
    if (stat.isDirectory() && depth < 3) for (const name of readdirSync(path)) walk(join(path, name), depth + 1);
  };
  walk(dir, 0);
  return problems;
}
