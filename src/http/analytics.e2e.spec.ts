/**
 * Analytics, round trips and exports over HTTP against the real server, on SQLite and on
 * PostgreSQL (when the test cluster runs): a strategy buys twice and sells three times on the
 * paper exchange; the API's figures equal the fills' own
 * (sells - buys - fees once flat), the exports carry every row, bad ranges get stable 4xx codes,
 * and another tenant sees nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dec } from '../domain/shared/decimal.js';
import { analyze } from '../domain/analytics/analyze.js';
import { cleanupTempDirs, demoOf, fetchJson, login, marketAlert, postAlert, quiesce, startTestServer, type FillView, type Page, type TestServer } from '../../test/support/server.js';
import { registerUser } from '../application/commands/configure.js';
import { KeyedMutex } from '../application/shared/keyed-mutex.js';
import { systemClock } from '../adapters/system/system-clock.js';
import type { AnalyticsDto } from '../contracts/analytics-api.js';
import type { RoundTripDto } from '../application/queries/export-rows.js';
import { shownDec } from '../domain/shared/decimal.js';
import { freshDatabase, testPgUrl } from '../../test/support/postgres.js';

let server: TestServer;
let stranger: string;
let fills: FillView[];

async function setUp(databaseUrl?: string): Promise<void> {
  server = await startTestServer(databaseUrl !== undefined ? { config: { databaseUrl } } : {});
  const { runtime } = server;
  const { secret } = demoOf(runtime);
  const steps = [['buy', '0.02', '97000'], ['sell', '0.01', '97500'], ['sell', '0.01', '96800'], ['buy', '0.01', '96000'], ['sell', '0.01', '96500']] as const;
  let n = 0;
  for (const [action, quantity, price] of steps) {
    runtime.feed.setPrice('BTC/USDT', price);
    const res = await postAlert(runtime, marketAlert(secret, { id: `an-${++n}`, action, quantity }));
    expect(res.status, res.text).toBe(202);
    await quiesce(runtime);
  }
  fills = (await fetchJson<Page<FillView>>(runtime, '/api/v1/fills?limit=50')).body.items;
  expect(fills).toHaveLength(5);
  await registerUser({ store: runtime.events, mutex: new KeyedMutex(), clock: systemClock }, { userId: 'usr_sam', tenantId: 'tnt_other', name: 'Sam', role: 'admin' }, 'test');
  await runtime.auth.setLogin('sam', { userId: 'usr_sam', tenantId: 'tnt_other', role: 'admin' }, 'stranger-password-1');
  stranger = (await login(runtime, 'sam', 'stranger-password-1'))!;
}

const get = <T>(path: string, token?: string) => fetchJson<T>(server.runtime, path, token !== undefined ? { token } : {});

const backends: [string, (() => Promise<{ url?: string; drop?: () => Promise<void> }>)][] = [['SQLite', async () => ({})]];
if (testPgUrl) backends.push(['PostgreSQL', () => freshDatabase('an')]);

for (const [backend, database] of backends) describe(`analytics over HTTP on ${backend}`, () => {
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    await setUp(db.url);
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await drop?.();
    cleanupTempDirs();
  });

  it('the strategy\'s and the account\'s figures equal the fills\': two trades, PnL = sells - buys - fees once flat', async () => {
    const res = await get<AnalyticsDto>('/api/v1/analytics?capital=100000');
    expect(res.status, res.text).toBe(200);
    const signed = fills.reduce((sum, f) => sum.plus(new Dec(f.price).times(f.quantity).times(f.side === 'sell' ? 1 : -1)).minus(f.feeCurrency === 'USDT' ? f.fee : 0), new Dec(0));
    for (const group of [res.body.strategies[0]!, res.body.accounts[0]!]) {
      expect(group.metrics.trades).toBe(2);
      expect(group.metrics.realizedPnl).toBe(shownDec(signed.toFixed()));
      expect(group.metrics.daily.at(-1)!.equity).toBe(shownDec(signed.toFixed()));
      expect(group.metrics.unrealizedPnl).toBe('0'); // flat
    }
    expect(res.body.strategies.map((s) => s.strategyId)).toEqual(['strat_demo']);
    expect(res.body.accounts.map((a) => a.accountId)).toEqual(['acc_demo_paper']);
    // every figure is the domain's on the API's own fills, rounded for show
    const domain = analyze([...fills].reverse().map((f) => ({ ...f, side: f.side as 'buy' | 'sell', quantity: new Dec(f.quantity), price: new Dec(f.price), fee: new Dec(f.fee) })),
      { start: res.body.from, end: res.body.to, capital: new Dec('100000') });
    const m = domain.strategies[0]!.metrics;
    const api = res.body.strategies[0]!.metrics;
    expect([api.fees, api.winRate, api.expectancy, api.maxDrawdown.amount, api.maxDrawdown.percent, api.exposure, api.sharpe])
      .toEqual([m.fees, m.winRate, m.expectancy, m.maxDrawdown.amount, m.maxDrawdown.percent, m.exposure, m.sharpe].map((d) => (d === undefined ? undefined : shownDec(d.toFixed()))));
  });

  it('round trips: two closed, newest first, their PnL adding up to the realised PnL', async () => {
    const res = await get<{ items: RoundTripDto[]; truncated: boolean }>('/api/v1/round-trips?accountId=acc_demo_paper&strategyId=strat_demo&symbol=BTC/USDT');
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((t) => [t.status, t.side, t.quantity, t.fills])).toEqual([['closed', 'long', '0.01', 2], ['closed', 'long', '0.02', 3]]);
    const analytics = (await get<AnalyticsDto>('/api/v1/analytics')).body;
    expect(res.body.items.reduce((s, t) => s.plus(t.pnl), new Dec(0)).toFixed()).toBe(analytics.strategies[0]!.metrics.realizedPnl);
    expect((await get<{ items: RoundTripDto[] }>('/api/v1/round-trips?symbol=ETH/USDT')).body.items).toEqual([]);
  });

  it('exports: CSV with a header and a row per fill, JSON equal to the API\'s fills, NDJSON round trips; orders and signals', async () => {
    const csv = await get('/api/v1/export/fills?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.contentType).toContain('text/csv');
    const lines = csv.text.split('\r\n').filter((l) => l.length > 0);
    expect(lines[0]).toBe('filledAt,accountId,strategyId,symbol,side,quantity,price,fee,feeCurrency,liquidity,tradeId,clientOrderId');
    expect(lines.slice(1).map((l) => l.split(',')[10])).toEqual(fills.map((f) => f.tradeId));
    const json = await get<FillView[]>('/api/v1/export/fills?format=json');
    expect(json.body).toEqual(fills);
    const trips = (await get('/api/v1/export/round-trips?format=ndjson')).text.trim().split('\n');
    expect(trips).toHaveLength(2);
    const orders = (await get('/api/v1/export/orders')).text.split('\r\n').filter((l) => l.length > 0);
    expect(orders).toHaveLength(6);
    const signals = (await get('/api/v1/export/signals?format=json')).body as unknown[];
    expect(signals).toHaveLength(5);
    const none = await get('/api/v1/export/fills?from=2001-01-01&to=2001-01-31');
    expect(none.text.split('\r\n').filter((l) => l.length > 0)).toHaveLength(1);
  });

  it('bad ranges, capitals, formats and ids get stable 4xx codes', async () => {
    const cases: [string, number, string][] = [
      ['/api/v1/analytics?from=yesterday', 400, 'INVALID_TIME'],
      ['/api/v1/analytics?from=2026-02-01&to=2026-01-01', 400, 'INVALID_RANGE'],
      ['/api/v1/analytics?from=2000-01-01&to=2026-01-01', 400, 'RANGE_TOO_LONG'],
      ['/api/v1/analytics?capital=-5', 400, 'INVALID_CAPITAL'],
      ['/api/v1/analytics?capital=abc', 400, 'INVALID_CAPITAL'],
      ['/api/v1/round-trips?to=2026-13-01', 400, 'INVALID_TIME'],
      ['/api/v1/export/fills?format=xml', 400, 'VALIDATION_FAILED'],
      ['/api/v1/export/orders?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 400, 'INVALID_RANGE'],
      ['/api/v1/analytics?accountId=acc_nope', 404, 'ACCOUNT_NOT_FOUND'],
      ['/api/v1/export/fills?strategyId=strat_nope', 404, 'STRATEGY_NOT_FOUND'],
    ];
    for (const [path, status, code] of cases) {
      const res = await get<{ error: { code: string } }>(path);
      expect([res.status, res.body.error?.code], path).toEqual([status, code]);
    }
  });

  it('another tenant sees none of it: empty analytics, trips and exports; the account is not found', async () => {
    const analytics = await get<AnalyticsDto>('/api/v1/analytics', stranger);
    expect([analytics.status, analytics.body.strategies, analytics.body.accounts]).toEqual([200, [], []]);
    expect((await get<{ items: unknown[] }>('/api/v1/round-trips', stranger)).body.items).toEqual([]);
    for (const kind of ['fills', 'orders', 'round-trips', 'signals']) {
      const res = await get(`/api/v1/export/${kind}?format=json`, stranger);
      expect([res.status, res.body], kind).toEqual([200, []]);
    }
    expect((await get('/api/v1/analytics?accountId=acc_demo_paper', stranger)).status).toBe(404);
    expect((await get('/api/v1/export/fills?accountId=acc_demo_paper', stranger)).status).toBe(404);
  });

  it('an open trip: listed open, its unrealised PnL at the mark equal to the position\'s', async () => {
    const { runtime } = server;
    runtime.feed.setPrice('BTC/USDT', '95000');
    expect((await postAlert(runtime, marketAlert(demoOf(runtime).secret, { id: 'an-open', action: 'buy', quantity: '0.01' }))).status).toBe(202);
    await quiesce(runtime);
    runtime.feed.setPrice('BTC/USDT', '95321.5');
    await quiesce(runtime);
    const position = (await get<{ items: { symbol: string; unrealizedPnl?: string }[] }>('/api/v1/positions')).body.items.find((p) => p.symbol === 'BTC/USDT')!;
    expect(position.unrealizedPnl).toBeDefined();
    const analytics = (await get<AnalyticsDto>('/api/v1/analytics')).body;
    expect(analytics.strategies[0]!.metrics.unrealizedPnl).toBe(position.unrealizedPnl);
    expect(analytics.strategies[0]!.metrics.trades).toBe(2);
    const trips = (await get<{ items: RoundTripDto[] }>('/api/v1/round-trips')).body.items;
    expect(trips.map((t) => t.status)).toEqual(['open', 'closed', 'closed']);
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = (await get<{ paths: Record<string, unknown> }>('/openapi.json')).body;
    for (const path of ['/api/v1/analytics', '/api/v1/round-trips', '/api/v1/export/fills', '/api/v1/export/orders', '/api/v1/export/round-trips', '/api/v1/export/signals']) expect(Object.keys(doc.paths)).toContain(path);
  });
});
