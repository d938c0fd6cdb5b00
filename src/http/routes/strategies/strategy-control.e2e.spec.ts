/**
 * Pausing, resuming and deleting a strategy over real HTTP through the paper exchange (ADR-0019).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser } from '../../../application/commands/configure.js';
import { KeyedMutex } from '../../../application/shared/keyed-mutex.js';
import { systemClock } from '../../../adapters/system/system-clock.js';
import { cleanupTempDirs, fetchJson, login, postAlert, quiesce, startTestServer, type OrderView, type Page, type SignalView, type TestServer } from '../../../../test/support/server.js';

let server: TestServer;
let stranger: string;
let viewer: string;
let s: { strategyId: string; secret: string };
const ACCOUNT = 'acc_demo_paper';
const BTC = encodeURIComponent('BTC/USDT');
interface Err { error: { code: string; message: string; signalId?: string } }

beforeAll(async () => {
  server = await startTestServer();
  const { runtime } = server;
  runtime.feed.setPrice('BTC/USDT', '97000');
  await registerUser({ store: runtime.events, mutex: new KeyedMutex(), clock: systemClock }, { userId: 'usr_sam', tenantId: 'tnt_other', name: 'Sam', role: 'admin' }, 'test');
  await runtime.auth.setLogin('sam', { userId: 'usr_sam', tenantId: 'tnt_other', role: 'admin' }, 'stranger-password-1');
  await runtime.auth.setLogin('vera', { userId: 'usr_vera', tenantId: 'tnt_demo', role: 'viewer' }, 'viewer-password-1');
  stranger = (await login(runtime, 'sam', 'stranger-password-1'))!;
  viewer = (await login(runtime, 'vera', 'viewer-password-1'))!;
  const created = await fetchJson<{ strategy: { strategyId: string }; webhook: { secret: string } }>(runtime, '/api/v1/strategies', {
    json: { name: 'Controlled', accounts: [{ accountId: ACCOUNT, sizing: { kind: 'fixed_quantity', quantity: '0.01' }, orderTemplate: { type: 'market' } }], maxSignalAgeSeconds: 0 },
  });
  expect(created.status, created.text).toBe(201);
  s = { strategyId: created.body.strategy.strategyId, secret: created.body.webhook.secret };
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

let n = 0;
const alert = (fields: Record<string, string> = {}) => {
  n += 1;
  return postAlert(server.runtime, { secret: s.secret, id: `ctl-${n}`, action: 'buy', ticker: 'BINANCE:BTCUSDT', ...fields }, { strategyId: s.strategyId });
};
const control = (path: string, init: { method?: string; json?: unknown; token?: string } = {}) => fetchJson<Err & { status: string; changed: boolean }>(server.runtime, `/api/v1/strategies/${s.strategyId}${path}`, { method: 'POST', json: {}, ...init });

describe('strategy control', () => {
  it('a paused strategy\'s alerts are recorded and refused with STRATEGY_PAUSED; pausing again changes nothing', async () => {
    const paused = await control('/pause', { json: { reason: 'news at 14:30' } });
    expect([paused.status, paused.body.status, paused.body.changed]).toEqual([200, 'paused', true]);
    expect((await control('/pause')).body.changed).toBe(false);
    const view = await fetchJson<{ status: string; pausedReason?: string }>(server.runtime, `/api/v1/strategies/${s.strategyId}`);
    expect(view.body).toMatchObject({ status: 'paused', pausedReason: 'news at 14:30' });
    const refused = await alert();
    expect([refused.status, refused.body.error?.code]).toEqual([422, 'STRATEGY_PAUSED']);
    await quiesce(server.runtime);
    const recorded = await fetchJson<SignalView>(server.runtime, `/api/v1/signals/${refused.body.error!.signalId!}`);
    expect(recorded.body).toMatchObject({ outcome: 'rejected', rejection: { code: 'STRATEGY_PAUSED' } });
  });

  it('resumed, its alerts trade again', async () => {
    const resumed = await control('/resume');
    expect([resumed.status, resumed.body.status, resumed.body.changed]).toEqual([200, 'active', true]);
    const sent = await alert();
    expect(sent.status, sent.text).toBe(202);
    await quiesce(server.runtime);
    const orders = (await fetchJson<Page<OrderView>>(server.runtime, `/api/v1/orders?signalId=${sent.body.signalId!}`)).body.items;
    expect(orders.map((o) => o.status)).toEqual(['filled']);
  });

  it('a close by API still goes while paused', async () => {
    await control('/pause');
    const closed = await fetchJson<{ signals: { signalId: string }[] }>(server.runtime, `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/close`, { json: { strategyId: s.strategyId } });
    expect(closed.status, closed.text).toBe(202);
    await quiesce(server.runtime);
    const orders = (await fetchJson<Page<OrderView>>(server.runtime, `/api/v1/orders?signalId=${closed.body.signals[0]!.signalId}`)).body.items;
    expect(orders.map((o) => [o.side, o.status])).toEqual([['sell', 'filled']]);
    await control('/resume');
  });

  it('refuses others: another tenant 404, a viewer 403, an unknown strategy 404; nothing recorded', async () => {
    const before = await server.runtime.events.headPosition();
    expect((await control('/pause', { token: stranger })).status).toBe(404);
    expect((await control('/pause', { token: viewer })).status).toBe(403);
    expect((await control('', { method: 'DELETE', json: undefined, token: stranger })).status).toBe(404);
    expect((await fetchJson<Err>(server.runtime, '/api/v1/strategies/strat_nope/resume', { json: {} })).body.error.code).toBe('STRATEGY_NOT_FOUND');
    expect(await server.runtime.events.headPosition()).toBe(before);
  });

  it('delete: refused while it holds a position; once flat, its webhook answers like an unknown strategy and its history stays', async () => {
    const bought = await alert();
    expect(bought.status).toBe(202);
    await quiesce(server.runtime);
    const holding = await control('', { method: 'DELETE', json: undefined });
    expect([holding.status, holding.body.error.code]).toEqual([409, 'STRATEGY_HOLDS_POSITIONS']);
    await fetchJson(server.runtime, `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/close`, { json: { strategyId: s.strategyId } });
    await quiesce(server.runtime);
    const deleted = await control('', { method: 'DELETE', json: undefined });
    expect(deleted.status, deleted.text).toBe(204);
    const after = await alert();
    const unknown = await postAlert(server.runtime, { secret: s.secret, action: 'buy', ticker: 'BINANCE:BTCUSDT' }, { strategyId: 'strat_never_was' });
    expect([after.status, after.body.error?.code]).toEqual([unknown.status, unknown.body.error?.code]);
    expect((await fetchJson(server.runtime, `/api/v1/strategies/${s.strategyId}`)).status).toBe(404);
    const list = (await fetchJson<{ items: { strategyId: string }[] }>(server.runtime, '/api/v1/strategies')).body.items;
    expect(list.map((x) => x.strategyId)).not.toContain(s.strategyId);
    const history = (await fetchJson<Page<SignalView>>(server.runtime, `/api/v1/signals?strategyId=${s.strategyId}&limit=100`)).body.items;
    expect(history.length).toBeGreaterThanOrEqual(4);
    expect((await control('/resume')).body.error.code).toBe('STRATEGY_NOT_FOUND');
  });
});
