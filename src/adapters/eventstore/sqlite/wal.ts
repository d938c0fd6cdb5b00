import type Database from 'better-sqlite3';

/**
 * Switches a SQLite file to WAL, waiting (up to `waitMs`) while another connection holds it.
 *
 * A fresh file is in rollback mode until the first connection converts it. When two processes
 * open the same new file at once (two nodes sharing a data directory start together; a command
 * run beside the server), one of them holds a RESERVED lock while converting, and SQLite answers
 * the other's `journal_mode = WAL` with SQLITE_BUSY at once: the busy handler is not invoked for
 * that lock (it could deadlock in rollback mode). The start-up then failed with "database is
 * locked". Here the conversion is retried until the other side is done or the wait is spent.
 * Returns the journal mode in force (`wal`; `memory` for an in-memory database). `onBusy` is told
 * of each refused attempt.
 */
export function enableWal(db: Database.Database, waitMs = 5000, onBusy?: () => void): string {
  const deadline = Date.now() + waitMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    try {
      return String(db.pragma('journal_mode = WAL', { simple: true }));
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      onBusy?.();
      sleepSync(pause); // synchronous: the callers open their files in constructors
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

const pauseCell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(pauseCell, 0, 0, ms);
}
