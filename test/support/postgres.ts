import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test run's PostgreSQL (started by global-setup), or undefined when it is not installed (never under CI). */
export const testPgUrl: string | undefined = process.env.PATRIOT_TEST_PG_URL;

/** Creates a fresh database for one test file or test; returns its URL and a drop function. */
export async function freshDatabase(prefix = 't'): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testPgUrl) throw new Error('no test PostgreSQL (PATRIOT_TEST_PG_URL)');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = testPgUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: testPgUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
