/**
 * SQLite implementation of the KeyValueStore port: table `kv` in the PATRIOT database file.
 *
 *   new SqliteKeyValueStore(eventStore.database)        // share the event store's connection
 *   SqliteKeyValueStore.open({ path: 'data/patriot.db' }) // or open its own connection (WAL)
 *
 * The table is created idempotently. close() closes the connection only if this store opened it.
 */
import type { KeyValueStore } from '../../application/ports/key-value.js';
import { openDatabase, type SqliteDatabase, type SqliteStatement } from '../eventstore/sqlite/schema.js';

type Statement = SqliteStatement;

export class SqliteKeyValueStore implements KeyValueStore {
  /** Opens its own connection to the database file (parent directories are created). */
  static async open(options: { readonly path: string; readonly busyTimeoutMs?: number }): Promise<SqliteKeyValueStore> {
    const db = openDatabase(options);
    try {
      return new SqliteKeyValueStore(db, true);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private readonly getStmt: Statement;
  private readonly setStmt: Statement;
  private readonly insertStmt: Statement;
  private readonly casStmt: Statement;
  private readonly deleteStmt: Statement;
  private readonly entriesStmt: Statement;

  /** Uses an already open better-sqlite3 connection (not closed by close() unless `owned`). */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly owned = false,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT, WITHOUT ROWID');
    this.getStmt = db.prepare('SELECT value FROM kv WHERE key = ?').pluck();
    this.insertStmt = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
    this.casStmt = db.prepare('UPDATE kv SET value = ? WHERE key = ? AND value = ?');
    this.deleteStmt = db.prepare('DELETE FROM kv WHERE key = ?');
    // substr instead of LIKE: a prefix may hold % or _
    this.entriesStmt = db.prepare('SELECT key, value FROM kv WHERE substr(key, 1, length(?)) = ? ORDER BY key').raw();
    this.setStmt = db.prepare(
      'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
  }

  async get(key: string): Promise<string | undefined> {
    return (this.getStmt.get(key) as string | undefined) ?? undefined;
  }

  async set(key: string, value: string): Promise<void> {
    if (typeof key !== 'string' || typeof value !== 'string') {
      throw new TypeError('key and value must be strings');
    }
    this.setStmt.run(key, value);
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    if (typeof key !== 'string' || typeof value !== 'string') {
      throw new TypeError('key and value must be strings');
    }
    this.insertStmt.run(key, value);
    return this.getStmt.get(key) as string;
  }

  async compareAndSet(key: string, expected: string, value: string): Promise<boolean> {
    if (typeof key !== 'string' || typeof value !== 'string' || typeof expected !== 'string') throw new TypeError('key and value must be strings');
    return this.casStmt.run(value, key, expected).changes === 1;
  }

  async delete(key: string): Promise<boolean> {
    return this.deleteStmt.run(key).changes === 1;
  }

  async entries(prefix: string): Promise<[string, string][]> {
    return this.entriesStmt.all(prefix, prefix) as [string, string][];
  }

  async close(): Promise<void> {
    if (this.owned && this.db.open) this.db.close();
  }
}
