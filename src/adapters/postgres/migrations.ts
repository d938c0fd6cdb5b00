import type { PgPool } from './pool.js';

/** One forward-only schema change. Ids sort in the order they must run (e.g. "0001_event_store"). */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

/** Serialises migrators across nodes: every node may start at once, one migrates. */
const MIGRATION_LOCK = 0x7061_7472; // "patr"

/**
 * Applies every migration not yet applied, each in its own transaction, in id order, under a
 * session advisory lock. Returns the ids applied now. Safe to run on every start.
 */
export async function runMigrations(pool: PgPool, migrations: readonly Migration[]): Promise<string[]> {
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error(`duplicate migration ids: ${ids.join(', ')}`);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id));
    for (const migration of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
      if (done.has(migration.id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
        await client.query('COMMIT');
        applied.push(migration.id);
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.id} failed: ${(error as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
}
