import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { equityRoutes } from './index.js';
import { installErrorHandling } from '../../errors.js';
import type { HttpDeps } from '../../deps.js';
import { ErrorBody } from '../../../contracts/common.js';
import { SqliteSnapshotStore } from '../../../adapters/snapshots/sqlite-snapshot-store.js';

describe('GET /api/v1/accounts/:accountId/equity', () => {
  const store = new SqliteSnapshotStore(':memory:');
  const calls: unknown[][] = [];
  const app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } } });
  const now = Date.now();
  beforeAll(async () => {
    installErrorHandling(app);
    app.addSchema(ErrorBody);
    const deps = {
      tenantOf: (req: { headers: Record<string, unknown> }) => String(req.headers['x-tenant'] ?? 't1'),
      queries: { account: async (tenantId: string, accountId: string) => (tenantId === 't1' && accountId === 'acc1' ? { accountId } : undefined) },
      equityCurve: (tenantId: string, accountId: string, from: string, to: string, limit: number) => {
        calls.push([tenantId, accountId, from, to, limit]);
        return store.equityCurve({ tenantId, accountId, from, to, limit });
      },
    } as unknown as HttpDeps & { equityCurve: never };
    await app.register(async (api) => api.register(equityRoutes, { deps }), { prefix: '/api/v1' });
    await store.write([
      { time: '2026-01-15T10:00:00.000Z', tenantId: 't1', accountId: 'acc1', equity: '100.5', unrealizedPnl: '-1.25', balances: { USDT: '100.5' } },
      { time: '2026-01-15T11:00:00.000Z', tenantId: 't1', accountId: 'acc1', equity: '101', unrealizedPnl: '0', balances: { USDT: '101' } },
      { time: new Date(now - 3_600_000).toISOString(), tenantId: 't1', accountId: 'acc1', equity: '7', unrealizedPnl: '0', balances: {} },
    ]);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });
  const get = (url: string, tenant = 't1') => app.inject({ method: 'GET', url, headers: { 'x-tenant': tenant } });

  it('answers the points in the range, ascending, decimals as strings', async () => {
    const res = await get('/api/v1/accounts/acc1/equity?from=2026-01-15T00:00:00Z&to=2026-01-16T00:00:00Z');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accountId: 'acc1', points: [
      { time: '2026-01-15T10:00:00.000Z', equity: '100.5', unrealizedPnl: '-1.25' },
      { time: '2026-01-15T11:00:00.000Z', equity: '101', unrealizedPnl: '0' },
    ] });
    expect(calls.at(-1)).toEqual(['t1', 'acc1', '2026-01-15T00:00:00.000Z', '2026-01-16T00:00:00.000Z', 1000]);
  });
  it('limit', async () => {
    const res = await get('/api/v1/accounts/acc1/equity?from=2026-01-15T00:00:00Z&to=2026-01-16T00:00:00Z&limit=1');
    expect(res.json().points).toHaveLength(1);
  });
  it('defaults to the last 24 hours', async () => {
    const res = await get('/api/v1/accounts/acc1/equity');
    expect(res.json().points.map((p: { equity: string }) => p.equity)).toEqual(['7']);
    const [, , from, to] = calls.at(-1) as string[];
    expect(Date.parse(to!) - Date.parse(from!)).toBe(86_400_000);
  });
  it('from after to is a 400 INVALID_RANGE', async () => {
    const res = await get('/api/v1/accounts/acc1/equity?from=2026-01-16T00:00:00Z&to=2026-01-15T00:00:00Z');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_RANGE');
  });
  it('garbage time is a 400', async () => {
    const res = await get('/api/v1/accounts/acc1/equity?from=yesterday');
    expect(res.statusCode).toBe(400);
    const res2 = await get('/api/v1/accounts/acc1/equity?limit=0');
    expect(res2.statusCode).toBe(400);
  });
  it('unknown account / other tenant -> 404', async () => {
    expect((await get('/api/v1/accounts/nope/equity')).json().error.code).toBe('ACCOUNT_NOT_FOUND');
    const res = await get('/api/v1/accounts/acc1/equity', 't2');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('ACCOUNT_NOT_FOUND');
  });
});
