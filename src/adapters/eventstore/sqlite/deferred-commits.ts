import type { SqliteDatabase, SqliteStatement } from './schema.js';

/**
 * How a throwaway log (a replay's: throwaway-dirs.ts) commits its group-commit batches: as parts
 * of one long write transaction, committed every `every` batches and at close, instead of a
 * transaction each. Nothing else can read the file (it is locked exclusively) and nothing of it
 * survives the replay, so what a commit per batch buys live — other connections see it, it is
 * durable — buys nothing here, and its page writes were a quarter of the log's time in a replay.
 *
 * A batch that fails rolls back the transaction, i.e. every batch since the last commit, though
 * they were answered as appended: the store is then `broken` and refuses every append after it,
 * so the replay fails instead of reporting on a log with a hole. (Live, a failed batch rolls back
 * alone; in a replay's log only a full disk or a bug fails one.)
 */
export class DeferredCommits {
  private readonly stmt: { begin: SqliteStatement; commit: SqliteStatement; rollback: SqliteStatement };
  /** batches answered as appended since the last commit */
  private uncommitted = 0;
  /** why appends are refused from now on: batches answered as appended were rolled back */
  private broken: Error | undefined;

  constructor(private readonly db: SqliteDatabase, private readonly every = 256) {
    this.stmt = { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
  }

  /** before a batch's writes (throws once broken) */
  begin(): void {
    if (this.broken) throw this.broken;
    if (!this.db.inTransaction) this.stmt.begin.run();
  }

  /** after a batch's writes: it stays in the open transaction, committed every `every` batches */
  end(): void {
    if (++this.uncommitted >= this.every) this.commit();
  }

  /** after a batch failed: rolls back what is open; broken if that held batches answered as appended */
  abort(error: unknown): void {
    try {
      if (this.db.inTransaction) this.stmt.rollback.run();
    } catch {
      // SQLite may already have rolled back (e.g. after SQLITE_FULL)
    }
    if (this.uncommitted > 0 && !this.broken) {
      const cause = error instanceof Error ? error.message : String(error);
      this.broken = new Error(`the replay's throwaway event log lost ${this.uncommitted} recorded batches (${cause}): it refuses appends from now on`);
    }
    this.uncommitted = 0;
  }

  /** commits what is open (every `every` batches, and before the file closes) */
  commit(): void {
    try {
      if (this.db.inTransaction) this.stmt.commit.run();
    } catch (error) {
      this.abort(error); // whatever SQLite kept of it, the batches since the last commit cannot be relied on
      throw error;
    }
    this.uncommitted = 0;
  }
}
