import { postgresAvailable, startCluster, type TestCluster } from './postgres-cluster.js';

/**
 * Vitest global setup: one PostgreSQL cluster for the whole run (each test file makes its own
 * database in it). Under CI=true a missing PostgreSQL fails the run; elsewhere the
 * PostgreSQL suites are skipped with a notice.
 */
let cluster: TestCluster | undefined;

export async function setup(): Promise<void> {
  if (!postgresAvailable()) {
    if (process.env.CI === 'true') throw new Error('CI=true but PostgreSQL is not installed: .ci/run must apt-get install postgresql');
    process.stderr.write('PostgreSQL not installed: the PostgreSQL suites are skipped (they are required under CI=true)\n');
    return;
  }
  cluster = await startCluster();
  process.env.PATRIOT_TEST_PG_URL = cluster.url;
}

export async function teardown(): Promise<void> {
  cluster?.stop();
}
