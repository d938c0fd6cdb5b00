import type pg from 'pg';
import type { PgPool } from './pool.js';

/**
 * Runs `work` in one transaction on a pooled client: COMMIT when it resolves, ROLLBACK and
 * rethrow when it throws. A client whose ROLLBACK failed is discarded, not returned to the pool.
 */
export async function inTransaction<T>(pool: PgPool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: unknown) => {
        broken = e as Error;
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
