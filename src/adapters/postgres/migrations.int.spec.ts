import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testPgUrl } from '../../../test/support/postgres.js';
import { createPool, redactUrl, type PgPool } from './pool.js';
import { runMigrations } from './migrations.js';

describe.skipIf(!testPgUrl)('PostgreSQL migrations', () => {
  let pool: PgPool;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await freshDatabase('mig');
    drop = db.drop;
    pool = createPool(db.url, { max: 6 });
  });
  afterAll(async () => {
    await pool?.end();
    await drop?.();
  });

  const migrations = [
    { id: '0002_b', sql: 'ALTER TABLE m_a ADD COLUMN b text' },
    { id: '0001_a', sql: 'CREATE TABLE m_a (id int PRIMARY KEY)' },
  ];

  it('applies pending migrations in id order, once, even when several nodes migrate at the same time', async () => {
    const results = await Promise.all([runMigrations(pool, migrations), runMigrations(pool, migrations), runMigrations(pool, migrations)]);
    expect(results.flat().sort()).toEqual(['0001_a', '0002_b']);
    expect(await runMigrations(pool, migrations)).toEqual([]);
    const columns = await pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'm_a' ORDER BY column_name`);
    expect(columns.rows.map((r) => r.column_name)).toEqual(['b', 'id']);
  });

  it('a failing migration is rolled back and named, and nothing after it runs', async () => {
    const bad = [...migrations, { id: '0003_bad', sql: 'ALTER TABLE nope ADD COLUMN x int' }, { id: '0004_after', sql: 'CREATE TABLE m_after (id int)' }];
    await expect(runMigrations(pool, bad)).rejects.toThrow(/migration 0003_bad failed/);
    const tables = await pool.query(`SELECT to_regclass('m_after') AS t`);
    expect(tables.rows[0].t).toBeNull();
  });

  it('masks the password of a database URL', () => {
    expect(redactUrl('postgres://u:hunter2@db:5432/x')).not.toContain('hunter2');
  });
});
