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

describe('equity curve follows fills at once (the portfolio-snapshots processor)', () => {
  let server: TestServer;
  beforeAll(async () => {
    // one grid point a day: the leader's timer snapshots once at start, and never again during the test
    server = await startTestServer({ snapshots: true, config: { snapshotIntervalMs: 86_400_000 } });
  });
  afterAll(async () => {
    await server.close();
    cleanupTempDirs();
  });

  it('given the timer snapshot of the day, when an order fills, then the point is valued again with the fill, without waiting for the timer', async () => {
    const { runtime } = server;
    const demo = demoOf(runtime);
    runtime.feed.setPrice('BTC/USDT', '100000');
    const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const curve = () => fetchJson<{ points: { time: string; equity: string }[] }>(runtime, `/api/v1/accounts/${demo.accountId}/equity?from=${from}&to=${to}`);
    // the timer's snapshot at start (it runs in the background): wait for it, so it cannot land after the fill's
    for (let i = 0; i < 600 && (await curve()).body.points.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const before = (await curve()).body.points;
    expect(before).toHaveLength(1);
    expect(new Dec(before[0]!.equity).equals('100000')).toBe(true);

    expect((await postAlert(runtime, marketAlert(demo.secret, { id: 'eq-fill-1', quantity: '0.1' }))).status).toBe(202);
    await quiesce(runtime); // processes the log in every processor, the snapshots one included

    const after = (await curve()).body.points;
    expect(after).toHaveLength(1); // the same grid time, valued again
    const fill = new Dec('100000').times('1.0005');
    const fee = fill.times('0.1').times('0.001');
    const expected = new Dec('100000').minus(fill.times('0.1')).minus(fee).plus(new Dec('100000').times('0.1'));
    expect(new Dec(after[0]!.equity).equals(expected)).toBe(true);
  });
});
