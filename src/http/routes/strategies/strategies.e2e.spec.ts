/**
 * Strategies and accounts through the API: create, read, update, rotate the secret, send a test
 * alert through the real ingest path; tenant scoping, roles, mass assignment and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, login, postAlert, quiesce, startTestServer, type SignalView, type TestServer } from '../../../../test/support/server.js';
import { registerUser } from '../../../application/commands/configure.js';
import { KeyedMutex } from '../../../application/shared/keyed-mutex.js';
import { systemClock } from '../../../adapters/system/system-clock.js';

let server: TestServer;
let stranger: string;
let viewer: string;

interface Created {
  strategy: { strategyId: string; name: string; webhookUrl: string; accounts: { accountId: string }[]; risk: Record<string, unknown>; maxSignalAgeSeconds: number };
  webhook: { strategyId: string; secret: string; webhookUrl: string; alertMessage: string; indicatorAlertMessage: string };
}
type Err = { error: { code: string; message: string } };

const body = (fields: Record<string, unknown> = {}) => ({
  name: 'Breakout', accounts: [{ accountId: 'acc_demo_paper', sizing: { kind: 'fixed_quantity', quantity: '0.01' }, orderTemplate: { type: 'market' } }],
  risk: { maxOrderNotional: '5000', allowedSymbols: ['BTC/USDT'] }, symbolMap: { 'BINANCE:BTCUSDT.P': 'BTC/USDT' }, maxSignalAgeSeconds: 120, ...fields,
});

beforeAll(async () => {
  server = await startTestServer();
  const { runtime } = server;
  runtime.feed.setPrice('BTC/USDT', '97000');
  await registerUser({ store: runtime.events, mutex: new KeyedMutex(), clock: systemClock }, { userId: 'usr_sam', tenantId: 'tnt_other', name: 'Sam', role: 'admin' }, 'test');
  await runtime.auth.setLogin('sam', { userId: 'usr_sam', tenantId: 'tnt_other', role: 'admin' }, 'stranger-password-1');
  await runtime.auth.setLogin('vera', { userId: 'usr_vera', tenantId: 'tnt_demo', role: 'viewer' }, 'viewer-password-1');
  stranger = (await login(runtime, 'sam', 'stranger-password-1'))!;
  viewer = (await login(runtime, 'vera', 'viewer-password-1'))!;
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

describe('strategies API', () => {
  let created: Created;

  it('creates a strategy: 201, the secret and ready-to-paste alert messages once, never in reads', async () => {
    const res = await fetchJson<Created>(server.runtime, '/api/v1/strategies', { json: body() });
    expect(res.status, res.text).toBe(201);
    created = res.body;
    expect(created.strategy).toMatchObject({ name: 'Breakout', maxSignalAgeSeconds: 120, risk: { maxOrderNotional: '5000', allowedSymbols: ['BTC/USDT'] } });
    expect(created.webhook.webhookUrl).toBe(`${server.runtime.publicUrl}/webhook/${created.strategy.strategyId}`);
    expect(created.webhook.secret.length).toBeGreaterThanOrEqual(24);
    const message = JSON.parse(created.webhook.alertMessage) as Record<string, string>;
    expect(message).toMatchObject({ secret: created.webhook.secret, action: '{{strategy.order.action}}', ticker: '{{ticker}}', quantity: '{{strategy.order.contracts}}', timenow: '{{timenow}}' });
    const list = await fetchJson(server.runtime, '/api/v1/strategies');
    const one = await fetchJson(server.runtime, `/api/v1/strategies/${created.strategy.strategyId}`);
    expect(one.status).toBe(200);
    for (const read of [list.text, one.text]) expect(read).not.toContain(created.webhook.secret);
  });

  it('the pasted message works as a webhook, and a test alert from the API goes through the same ingest path', async () => {
    const { runtime } = server;
    const alert = await postAlert(runtime, { secret: created.webhook.secret, action: 'buy', ticker: 'BINANCE:BTCUSDT.P', quantity: '1', id: 'strat-api-1' }, { strategyId: created.strategy.strategyId });
    expect(alert.status, alert.text).toBe(202);
    const test = await fetchJson<{ status: string; signalId: string }>(runtime, `/api/v1/strategies/${created.strategy.strategyId}/test-alert`, { json: { action: 'buy', ticker: 'BINANCE:BTCUSDT' } });
    expect(test.status, test.text).toBe(202);
    expect(test.body.status).toBe('accepted');
    await quiesce(runtime);
    const signal = await fetchJson<SignalView>(runtime, `/api/v1/signals/${test.body.signalId}`);
    expect(signal.body).toMatchObject({ strategyId: created.strategy.strategyId, outcome: 'accepted' });
    const unknown = await fetchJson<Err & { error: { signalId?: string } }>(runtime, `/api/v1/strategies/${created.strategy.strategyId}/test-alert`, { json: { action: 'buy', ticker: 'NOPE' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('UNKNOWN_SYMBOL');
  });

  it("counts the strategy's fills (the strategy-fill-counts processor): its two market buys filled; another tenant gets 404", async () => {
    const { runtime } = server;
    await quiesce(runtime);
    const counts = await fetchJson<{ strategyId: string; fills: number; buys: number; sells: number; ordersFilled: number; lastFillAt?: string }>(runtime, `/api/v1/strategies/${created.strategy.strategyId}/fill-counts`);
    expect(counts.status, counts.text).toBe(200);
    expect(counts.body).toMatchObject({ strategyId: created.strategy.strategyId, ordersFilled: 2, sells: 0 });
    expect(counts.body.fills).toBeGreaterThanOrEqual(2);
    expect(counts.body.buys).toBe(counts.body.fills);
    expect(counts.body.lastFillAt).toBeDefined();
    const other = await fetchJson<Err>(runtime, `/api/v1/strategies/${created.strategy.strategyId}/fill-counts`, { token: stranger });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('STRATEGY_NOT_FOUND');
  });

  it('updates a strategy (a new version; the secret stays) and rotates the secret (the old one is refused)', async () => {
    const { runtime } = server;
    const id = created.strategy.strategyId;
    const updated = await fetchJson<Created['strategy']>(runtime, `/api/v1/strategies/${id}`, { method: 'PUT', json: body({ name: 'Breakout v2', maxSignalAgeSeconds: 60 }) });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Breakout v2', maxSignalAgeSeconds: 60 });
    expect((await postAlert(runtime, { secret: created.webhook.secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '1', id: 'strat-api-2' }, { strategyId: id })).status).toBe(202);
    const rotated = await fetchJson<Created['webhook']>(runtime, `/api/v1/strategies/${id}/rotate-secret`, { method: 'POST', json: {} });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.webhook.secret);
    expect((await postAlert(runtime, { secret: created.webhook.secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '1', id: 'strat-api-3' }, { strategyId: id })).status).toBe(401);
    expect((await postAlert(runtime, { secret: rotated.body.secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '1', id: 'strat-api-4' }, { strategyId: id })).status).toBe(202);
    await quiesce(runtime);
  });

  it('refuses bad input with a stable code and records nothing', async () => {
    const { runtime } = server;
    const before = await runtime.events.headPosition();
    const cases: [unknown, number, string][] = [
      [body({ tenantId: 'tnt_other' }), 400, 'VALIDATION_FAILED'],
      [body({ accounts: [] }), 400, 'VALIDATION_FAILED'],
      [body({ accounts: [{ accountId: 'acc_demo_paper', sizing: { kind: 'fixed_quantity', quantity: '0' }, orderTemplate: { type: 'market' } }] }), 422, 'INVALID_SIZING'],
      [body({ accounts: [{ accountId: 'acc_nope', sizing: { kind: 'fixed_quantity', quantity: '1' }, orderTemplate: { type: 'market' } }] }), 422, 'ACCOUNT_NOT_FOUND'],
      [body({ accounts: [{ accountId: 'acc_demo_paper', sizing: { kind: 'fixed_quantity', quantity: '1', extra: 1 }, orderTemplate: { type: 'market' } }] }), 400, 'VALIDATION_FAILED'],
      [body({ risk: { maxOrderNotional: '-5' } }), 400, 'VALIDATION_FAILED'],
      [body({ maxSignalAgeSeconds: 'soon' }), 400, 'VALIDATION_FAILED'],
    ];
    for (const [json, status, code] of cases) {
      const res = await fetchJson<Err>(runtime, '/api/v1/strategies', { json });
      expect(res.status, JSON.stringify(json)).toBe(status);
      expect(res.body.error.code).toBe(code);
    }
    expect(await runtime.events.headPosition()).toBe(before);
  });

  it("another tenant gets 404 for this tenant's strategy and cannot use its accounts; a viewer cannot write", async () => {
    const { runtime } = server;
    const before = await runtime.events.headPosition();
    const id = created.strategy.strategyId;
    expect((await fetchJson(runtime, `/api/v1/strategies/${id}`, { token: stranger })).status).toBe(404);
    expect((await fetchJson(runtime, `/api/v1/strategies/${id}`, { method: 'PUT', json: body(), token: stranger })).status).toBe(404);
    expect((await fetchJson(runtime, `/api/v1/strategies/${id}/rotate-secret`, { method: 'POST', json: {}, token: stranger })).status).toBe(404);
    expect((await fetchJson(runtime, `/api/v1/strategies/${id}/test-alert`, { json: { action: 'buy', ticker: 'BTCUSDT' }, token: stranger })).status).toBe(404);
    const theirs = await fetchJson<Err>(runtime, '/api/v1/strategies', { json: body(), token: stranger });
    expect(theirs.status).toBe(422);
    expect(theirs.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    expect((await fetchJson(runtime, '/api/v1/strategies', { json: body(), token: viewer })).status).toBe(403);
    expect((await fetchJson(runtime, '/api/v1/accounts', { json: { name: 'x', exchange: 'paper' }, token: viewer })).status).toBe(403);
    expect(await runtime.events.headPosition()).toBe(before);
  });
});

describe('accounts API', () => {
  it('adds a paper account with a starting balance that a strategy can trade at once', async () => {
    const { runtime } = server;
    const res = await fetchJson<{ accountId: string; exchange: string; quoteAsset: string }>(runtime, '/api/v1/accounts', { json: { name: 'Paper 2', exchange: 'paper', startingBalance: '5000' } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ exchange: 'paper', quoteAsset: 'USDT' });
    const balances = await fetchJson<{ items: { asset: string; total: string }[] }>(runtime, `/api/v1/balances?accountId=${res.body.accountId}`);
    expect(balances.body.items.find((b) => b.asset === 'USDT')?.total).toBe('5000');
    const strategy = await fetchJson<Created>(runtime, '/api/v1/strategies', { json: body({ accounts: [{ accountId: res.body.accountId, sizing: { kind: 'quote_amount', amount: '100' }, orderTemplate: { type: 'market' } }] }) });
    expect(strategy.status, strategy.text).toBe(201);
    const test = await fetchJson<{ status: string; signalId: string }>(runtime, `/api/v1/strategies/${strategy.body.strategy.strategyId}/test-alert`, { json: { action: 'buy', ticker: 'BTCUSDT' } });
    expect(test.status, test.text).toBe(202);
    await quiesce(runtime);
    expect((await fetchJson<SignalView>(runtime, `/api/v1/signals/${test.body.signalId}`)).body.outcome).toBe('accepted');
    // another tenant sees none of it
    expect((await fetchJson(runtime, `/api/v1/accounts/${res.body.accountId}`, { token: stranger })).status).toBe(404);
  });

  it('adds a ccxt account without keys (set later, write-only); refuses a starting balance, an unknown exchange and extra fields', async () => {
    const { runtime } = server;
    const res = await fetchJson<{ accountId: string; exchange: string; credentials?: unknown }>(runtime, '/api/v1/accounts', { json: { name: 'Binance spot', exchange: 'binance' } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.credentials).toBeUndefined();
    const before = await runtime.events.headPosition();
    expect((await fetchJson<Err>(runtime, '/api/v1/accounts', { json: { name: 'x', exchange: 'binance', startingBalance: '5' } })).body.error.code).toBe('NOT_A_PAPER_ACCOUNT');
    expect((await fetchJson(runtime, '/api/v1/accounts', { json: { name: 'x', exchange: 'mtgox' } })).status).toBe(400);
    expect((await fetchJson(runtime, '/api/v1/accounts', { json: { name: 'x', exchange: 'paper', tenantId: 'tnt_other' } })).status).toBe(400);
    expect(await runtime.events.headPosition()).toBe(before);
  });
});
