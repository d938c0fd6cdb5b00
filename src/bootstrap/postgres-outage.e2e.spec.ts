import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, startCluster, type TestCluster } from '../../test/support/postgres-cluster.js';
import { cleanupTempDirs, demoOf, fetchJson, makeTempDir, marketAlert, postAlert, quiesce, startTestServer, waitUntil, type Page, type SignalView, type TestServer } from '../../test/support/server.js';

/**
 * The database goes away under a running server (its own cluster, stopped with
 * `pg_ctl stop -m immediate`) and comes back: alerts are refused with 503 while it is down,
 * never acknowledged without being recorded, and the server recovers without a restart.
 */
describe.skipIf(!postgresAvailable())('PATRIOT on PostgreSQL: database outage', () => {
  let cluster: TestCluster;
  let server: TestServer;
  beforeAll(async () => {
    cluster = await startCluster();
    server = await startTestServer({ dataDir: makeTempDir('patriot-outage-'), config: { databaseUrl: cluster.url } });
  }, 60_000);
  afterAll(async () => {
    await server?.close().catch(() => undefined);
    cluster?.stop();
    cleanupTempDirs();
  });

  it('503 while down, nothing acknowledged that is not in the log, back to normal once it returns', { timeout: 90_000 }, async () => {
    const { runtime } = server;
    const demo = demoOf(runtime);
    expect((await postAlert(runtime, marketAlert(demo.secret, { id: 'before' }))).status).toBe(202);
    await quiesce(runtime);

    cluster.pause();
    const during = await Promise.all([1, 2, 3].map((i) => postAlert(runtime, marketAlert(demo.secret, { id: `during-${i}` }))));
    for (const answer of during) {
      expect(answer.status).toBe(503);
      expect((answer.body as unknown as { error: { code: string } }).error.code).toBe('STORE_UNAVAILABLE');
    }

    cluster.resume();
    // TradingView re-sends after a 5xx: the same alerts now go through, exactly once each
    const after = await waitUntil(async () => {
      const answers = await Promise.all([1, 2, 3].map((i) => postAlert(runtime, marketAlert(demo.secret, { id: `during-${i}` }))));
      return answers.every((a) => a.status === 202 || a.status === 200) ? answers : undefined;
    }, 'alerts accepted again after the database returned', 30_000, 250);
    expect(new Set(after.map((a) => a.body.signalId)).size).toBe(3);
    await waitUntil(async () => {
      const signals = await fetchJson<Page<SignalView>>(runtime, '/api/v1/signals');
      return signals.status === 200 && signals.body.items.length === 4 && signals.body.items.every((s) => s.outcome === 'accepted') ? true : undefined;
    }, 'every acknowledged alert routed', 30_000, 250);
    expect(await runtime.events.verifyChain()).toMatchObject({ ok: true });
  });
});

