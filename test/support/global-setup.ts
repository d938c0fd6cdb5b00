import { postgresAvailable, startCluster, type TestCluster } from './postgres-cluster.js';
import { closeScan, hint, openScan } from './secret-scan.js';

/**
 * Vitest global setup: one PostgreSQL cluster for the whole run (each test file makes its own
 * database in it), and the whole-run secret scan (./secret-scan.ts), which fails the run at the end
 * when any secret configured or issued in it reached a log line or an answer. Under CI=true a missing PostgreSQL fails the run; elsewhere the
 * PostgreSQL suites are skipped with a notice.
 */
let cluster: TestCluster | undefined;
let scanDir: string | undefined;

export async function setup(): Promise<void> {
  scanDir = openScan();
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
  if (scanDir === undefined) return;
  const scan = closeScan(scanDir);
  process.stderr.write(`secret scan: ${scan.secrets} secrets configured or issued in this run, looked for in ${scan.outputs} log captures and answers (${(scan.bytes / 1e6).toFixed(1)} MB): ${scan.leaks.length} found\n`);
  if (scan.leaks.length > 0) {
    throw new Error(`secrets reached logs or answers: ${scan.leaks.map((l) => `${hint(l.secret)} in ${l.label}`).join('; ')}`);
  }
}
