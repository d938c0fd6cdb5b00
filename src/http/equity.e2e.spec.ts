import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, demoOf, fetchJson, marketAlert, postAlert, quiesce, startTestServer, type TestServer } from '../../test/support/server.js';
import { Dec } from '../domain/shared/decimal.js';

describe('equity curve (portfolio snapshots) on the real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
    cleanupTempDirs();
  });

  it('snapshots value the account at the feed price and the curve lists them, oldest first', async () => {
    const { runtime } = server;
    const demo = demoOf(runtime);
    expect(await runtime.snapshotNow()).toBe(1);
    runtime.feed.setPrice('BTC/USDT', '100000');
    expect((await postAlert(runtime, marketAlert(demo.secret, { id: 'eq-1', quantity: '0.1' }))).status).toBe(202);
    await quiesce(runtime);
    runtime.feed.setPrice('BTC/USDT', '110000'); // synchronous: the next snapshot values at it
    await runtime.snapshotNow();

    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const curve = await fetchJson<{ accountId: string; points: { time: string; equity: string; unrealizedPnl: string }[] }>(
      runtime, `/api/v1/accounts/${demo.accountId}/equity?from=${from}&to=${to}`,
    );
    expect(curve.status).toBe(200);
    const points = curve.body.points;
    expect(points.length).toBeGreaterThanOrEqual(1);
    const last = points[points.length - 1]!;
    // bought 0.1 BTC at 100,000 + 5 bps slippage, fee 10 bps; marked at 110,000
    const fill = new Dec('100000').times('1.0005');
    const fee = fill.times('0.1').times('0.001');
    const expectedEquity = new Dec('100000').minus(fill.times('0.1')).minus(fee).plus(new Dec('110000').times('0.1'));
    expect(new Dec(last.equity).equals(expectedEquity)).toBe(true);
    expect(new Dec(last.unrealizedPnl).equals(new Dec('110000').minus(fill).times('0.1'))).toBe(true);
    expect([...points].map((p) => p.time)).toEqual([...points].map((p) => p.time).sort());

    expect((await fetchJson(runtime, `/api/v1/accounts/acc_nope/equity`)).status).toBe(404);
    expect((await fetchJson(runtime, `/api/v1/accounts/${demo.accountId}/equity?from=${to}&to=${from}`)).status).toBe(400);
  });
});
