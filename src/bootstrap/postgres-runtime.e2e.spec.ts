import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testPgUrl } from '../../test/support/postgres.js';
import { cleanupTempDirs, demoOf, fetchJson, makeTempDir, marketAlert, postAlert, quiesce, startTestServer, type OrderView, type Page, type PositionView, type SignalView } from '../../test/support/server.js';
import { loadConfig } from './config.js';
import { replayProjections, verifyLog } from './maintenance.js';

/** The whole server on PostgreSQL (DATABASE_URL): the same ports, the same behaviour as on SQLite. */
describe.skipIf(!testPgUrl)('PATRIOT on PostgreSQL', () => {
  let url: string;
  let drop: () => Promise<void>;
  const dataDir = makeTempDir('patriot-pg-e2e-'); // the paper exchange's own file lives here

  beforeAll(async () => {
    ({ url, drop } = await freshDatabase('e2e'));
  });
  afterAll(async () => {
    await drop?.();
    cleanupTempDirs();
  });

  const start = () => startTestServer({ dataDir, config: { databaseUrl: url } });

  it('ingests, routes, fills and projects; survives a restart; verify and replay agree', async () => {
    const first = await start();
    const demo = demoOf(first.runtime);
    const accepted = await postAlert(first.runtime, marketAlert(demo.secret, { id: 'pg-1', quantity: '0.01' }));
    expect(accepted.status).toBe(202);
    const duplicate = await postAlert(first.runtime, marketAlert(demo.secret, { id: 'pg-1', quantity: '0.02' }));
    expect(duplicate.status).toBe(200);
    expect(duplicate.body.signalId).toBe(accepted.body.signalId);
    const refused = await postAlert(first.runtime, marketAlert(demo.secret, { id: 'pg-2', ticker: 'DOGEUSDT' }));
    expect(refused.status).toBe(422);
    await quiesce(first.runtime);

    const orders = await fetchJson<Page<OrderView>>(first.runtime, '/api/v1/orders');
    expect(orders.body.items).toHaveLength(1);
    expect(orders.body.items[0]).toMatchObject({ status: 'filled', filledQuantity: '0.01', signalId: accepted.body.signalId });
    const positions = await fetchJson<{ items: PositionView[] }>(first.runtime, '/api/v1/positions');
    expect(positions.body.items[0]).toMatchObject({ symbol: 'BTC/USDT', quantity: '0.01' });
    await first.close();

    // Restart on the same database: nothing is lost or redone; the demo is not seeded twice.
    const second = await start();
    expect(demoOf(second.runtime).secret).toBe(demo.secret);
    const again = await postAlert(second.runtime, marketAlert(demo.secret, { id: 'pg-1' }));
    expect(again.body).toMatchObject({ signalId: accepted.body.signalId, status: 'duplicate' });
    const next = await postAlert(second.runtime, marketAlert(demo.secret, { id: 'pg-3', action: 'sell', quantity: '0.004' }));
    expect(next.status).toBe(202);
    await quiesce(second.runtime);
    const signals = await fetchJson<Page<SignalView>>(second.runtime, '/api/v1/signals');
    expect(signals.body.items.map((s) => s.outcome).sort()).toEqual(['accepted', 'accepted', 'rejected']);
    const position = (await fetchJson<{ items: PositionView[] }>(second.runtime, '/api/v1/positions')).body.items[0];
    expect(position).toMatchObject({ quantity: '0.006' });
    expect(second.runtime.exchange.placementAttempts(demo.accountId, orders.body.items[0]!.clientOrderId)).toBe(1);
    await second.close();

    // A second node on the same database (and the same data directory: the paper exchange is
    // shared) starts as a follower; verify works beside them, replay refuses while a node leads.
    const third = await start();
    const fourth = await start();
    expect(third.runtime.node.isLeader).toBe(true);
    expect(fourth.runtime.node.isLeader).toBe(false);
    expect(await verifyLog(loadConfig({}, { databaseUrl: url, dataDir }))).toMatchObject({ ok: true });
    await expect(replayProjections(loadConfig({}, { databaseUrl: url, dataDir }))).rejects.toThrow(/stop the nodes before replay/);
    await fourth.close();
    await third.close();

    const config = loadConfig({}, { databaseUrl: url, dataDir });
    expect(await verifyLog(config)).toMatchObject({ ok: true });
    expect(await replayProjections(config)).toMatchObject({ identical: true });
  });
});
