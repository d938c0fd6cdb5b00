/**
 * PostgreSQL implementation of the KeyValueStore port: table `kv`, created by KV_MIGRATIONS.
 *
 *   const kv = await PostgresKeyValueStore.open({ pool }); // runs the migration (idempotent)
 *
 * Values are secrets more often than not (webhook secrets): they are never logged and never
 * put in an error message; a failure names the key and the database's error only. The pool is
 * shared, not owned: close() never ends it.
 */
import type { KeyValueStore } from '../../application/ports/key-value.js';
import { runMigrations, type Migration } from '../postgres/migrations.js';
import type { PgPool } from '../postgres/pool.js';

export const KV_MIGRATIONS: Migration[] = [{ id: '0300_kv', sql: 'CREATE TABLE kv (key text PRIMARY KEY, value text NOT NULL)' }];

export class PostgresKeyValueStore implements KeyValueStore {
  static async open(options: { readonly pool: PgPool }): Promise<PostgresKeyValueStore> {
    await runMigrations(options.pool, KV_MIGRATIONS);
    return new PostgresKeyValueStore(options.pool);
  }

  private closed = false;

  private constructor(private readonly pool: PgPool) {}

  async get(key: string): Promise<string | undefined> {
    this.check(key);
    try {
      const r = await this.pool.query<{ value: string }>('SELECT value FROM kv WHERE key = $1', [key]);
      return r.rows[0]?.value;
    } catch (error) {
      throw failure('get', key, error);
    }
  }

  async set(key: string, value: string): Promise<void> {
    this.check(key);
    if (typeof value !== 'string') throw new TypeError('key and value must be strings');
    // PostgreSQL text cannot hold NUL; refuse it here rather than let the driver's error travel
    if (value.includes('\u0000')) throw new TypeError(`value for key "${key}" contains a NUL character`);
    try {
      await this.pool.query('INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);
    } catch (error) {
      throw failure('set', key, error, value);
    }
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    this.check(key);
    if (typeof value !== 'string') throw new TypeError('key and value must be strings');
    if (value.includes('\u0000')) throw new TypeError(`value for key "${key}" contains a NUL character`);
    try {
      // ON CONFLICT DO NOTHING returns no row when the key exists; then read what is there
      const r = await this.pool.query<{ value: string }>(
        `WITH ins AS (INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value)
         SELECT value FROM ins UNION ALL SELECT value FROM kv WHERE key = $1 LIMIT 1`,
        [key, value],
      );
      const stored = r.rows[0]?.value ?? (await this.get(key));
      if (stored === undefined) throw new Error('no value after insert');
      return stored;
    } catch (error) {
      throw failure('setIfAbsent', key, error, value);
    }
  }

  async compareAndSet(key: string, expected: string, value: string): Promise<boolean> {
    this.check(key);
    if (typeof value !== 'string' || typeof expected !== 'string') throw new TypeError('key and value must be strings');
    try {
      const r = await this.pool.query('UPDATE kv SET value = $3 WHERE key = $1 AND value = $2', [key, expected, value]);
      return r.rowCount === 1;
    } catch (error) {
      throw failure('compareAndSet', key, error, value);
    }
  }

  async delete(key: string): Promise<boolean> {
    this.check(key);
    try {
      return (await this.pool.query('DELETE FROM kv WHERE key = $1', [key])).rowCount === 1;
    } catch (error) {
      throw failure('delete', key, error);
    }
  }

  async entries(prefix: string): Promise<[string, string][]> {
    this.check(prefix);
    try {
      // left() instead of LIKE: a prefix may hold % or _; COLLATE "C" for a byte-order sort like SQLite's
      const r = await this.pool.query<{ key: string; value: string }>('SELECT key, value FROM kv WHERE left(key, length($1)) = $1 ORDER BY key COLLATE "C"', [prefix]);
      return r.rows.map((row) => [row.key, row.value]);
    } catch (error) {
      throw failure('entries', prefix, error);
    }
  }

  /** Marks the store closed (the shared pool stays open). */
  async close(): Promise<void> {
    this.closed = true;
  }

  private check(key: string): void {
    if (this.closed) throw new Error('key-value store is closed');
    if (typeof key !== 'string') throw new TypeError('key and value must be strings');
    if (key.includes('\u0000')) throw new TypeError('key contains a NUL character');
  }
}

/** An error naming the operation, the key and the database's message, with the value masked and no cause attached. */
function failure(op: string, key: string, error: unknown, value?: string): Error {
  let message = error instanceof Error ? error.message : String(error);
  if (value) message = message.split(value).join('***');
  const code = (error as { code?: unknown } | undefined)?.code;
  const wrapped = new Error(`key-value ${op} "${key}" failed: ${message}`);
  if (typeof code === 'string') (wrapped as Error & { code: string }).code = code;
  return wrapped;
}
