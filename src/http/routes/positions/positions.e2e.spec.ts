/**
 * Positions per strategy and closes, over real HTTP through the paper exchange: two strategies
 * share the demo account; each one's close sells only its own share; exits of the wrong side do
 * nothing and say so; a close asked through the API goes through routing (OrderApproved, reduce-only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dec, decToString } from '../../../domain/shared/decimal.js';
import { KeyedMutex } from '../../../application/shared/keyed-mutex.js';
import { registerUser } from '../../../application/commands/configure.js';
import { systemClock } from '../../../adapters/system/system-clock.js';
import {
  cleanupTempDirs, DEMO_PASSWORD, demoOf, fetchJson, login, postAlert, quiesce, startTestServer,
  type OrderView, type Page, type SignalView, type TestServer, type TraceAnswer,
} from '../../../../test/support/server.js';

let server: TestServer;
let stranger: string;
let viewer: string;
const ACCOUNT = 'acc_demo_paper';
const BTC = encodeURIComponent('BTC/USDT');

interface Holders { accountId: string; symbol: string; quantity: string; strategies: { strategyId: string; quantity: string }[] }
interface Err { error: { code: string; message: string } }
interface CloseAnswer { signals: { strategyId: string; signalId: string; repeated: boolean }[] }

const same = (a: string | undefined, b: string) => expect(decToString(new Dec(a ?? 'NaN'))).toBe(decToString(new Dec(b)));

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

async function signal(signalId: string): Promise<SignalView> {
  await quiesce(server.runtime);
  return (await fetchJson<SignalView>(server.runtime, `/api/v1/signals/${signalId}`)).body;
}

async function ordersOf(signalId: string): Promise<OrderView[]> {
  return (await fetchJson<Page<OrderView>>(server.runtime, `/api/v1/orders?signalId=${signalId}`)).body.items;
}

async function holders(): Promise<Holders> {
  await quiesce(server.runtime);
  const res = await fetchJson<Holders>(server.runtime, `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/strategies`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function alert(strategyId: string, secret: string, fields: Record<string, string>): Promise<string> {
  const res = await postAlert(server.runtime, { secret, ticker: 'BINANCE:BTCUSDT', ...fields }, { strategyId });
  expect(res.status, res.text).toBe(202);
  return res.body.signalId!;
}

describe('positions per strategy on a shared account', () => {
  let demo: { strategyId: string; secret: string };
  let other: { strategyId: string; secret: string };

  beforeAll(async () => {
    const d = demoOf(server.runtime);
    demo = { strategyId: d.strategyId, secret: d.secret };
    const created = await fetchJson<{ strategy: { strategyId: string }; webhook: { secret: string } }>(server.runtime, '/api/v1/strategies', {
      json: { name: 'Second', accounts: [{ accountId: ACCOUNT, sizing: { kind: 'fixed_quantity', quantity: '0.02' }, orderTemplate: { type: 'market' } }], maxSignalAgeSeconds: 0 },
    });
    expect(created.status, created.text).toBe(201);
    other = { strategyId: created.body.strategy.strategyId, secret: created.body.webhook.secret };
    await alert(demo.strategyId, demo.secret, { action: 'buy', quantity: '0.01' });
    await alert(other.strategyId, other.secret, { action: 'buy' });
  });

  it("attributes each fill to its strategy: the account holds the sum, each strategy its own", async () => {
    const h = await holders();
    same(h.quantity, '0.03');
    const own = new Map(h.strategies.map((s) => [s.strategyId, s.quantity]));
    same(own.get(demo.strategyId), '0.01');
    same(own.get(other.strategyId), '0.02');
  });

  it('an exit of a short while long does nothing and says NO_SHORT_TO_CLOSE; close_long while the strategy is flat says NO_LONG_TO_CLOSE', async () => {
    const exitShort = await signal(await alert(other.strategyId, other.secret, { action: 'exit_short' }));
    expect(exitShort.skipped).toEqual([expect.objectContaining({ accountId: ACCOUNT, code: 'NO_SHORT_TO_CLOSE' })]);
    expect(exitShort.orders).toEqual([]);
    same((await holders()).quantity, '0.03');
  });

  it("one strategy's close sells only what that strategy holds", async () => {
    const closeId = await alert(demo.strategyId, demo.secret, { action: 'exit_long' });
    await signal(closeId);
    const [order] = await ordersOf(closeId);
    expect(order).toMatchObject({ side: 'sell', reduceOnly: true, status: 'filled', strategyId: demo.strategyId });
    same(order!.quantity, '0.01');
    const h = await holders();
    same(h.quantity, '0.02');
    expect(h.strategies.map((s) => s.strategyId)).toEqual([other.strategyId]);
    const again = await signal(await alert(demo.strategyId, demo.secret, { action: 'close_long', comment: 'again' }));
    expect(again.skipped).toEqual([expect.objectContaining({ code: 'NO_LONG_TO_CLOSE' })]);
  });

  it('refuses closes by API with a stable code and records nothing: wrong side, unknown strategy, another tenant, a viewer', async () => {
    const { runtime } = server;
    const before = await runtime.events.headPosition();
    const url = `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/close`;
    const cases: [object, string | null | undefined, number, string][] = [
      [{ strategyId: other.strategyId, side: 'short' }, undefined, 409, 'NO_SHORT_TO_CLOSE'],
      [{ strategyId: demo.strategyId }, undefined, 409, 'NOTHING_TO_CLOSE'],
      [{ strategyId: 'strat_nope' }, undefined, 404, 'STRATEGY_NOT_FOUND'],
      [{ strategyId: other.strategyId, extra: 1 }, undefined, 400, 'VALIDATION_FAILED'],
      [{}, stranger, 404, 'ACCOUNT_NOT_FOUND'],
      [{}, viewer, 403, 'FORBIDDEN'],
    ];
    for (const [json, token, status, code] of cases) {
      const res = await fetchJson<Err>(runtime, url, { json, ...(token !== undefined ? { token } : {}) });
      expect(res.status, `${JSON.stringify(json)}: ${res.text}`).toBe(status);
      expect(res.body.error.code).toBe(code);
    }
    const ethFlat = await fetchJson<Err>(runtime, `/api/v1/accounts/${ACCOUNT}/positions/${encodeURIComponent('ETH/USDT')}/close`, { json: {} });
    expect([ethFlat.status, ethFlat.body.error.code]).toEqual([409, 'NOTHING_TO_CLOSE']);
    expect(await runtime.events.headPosition()).toBe(before);
  });

  it('a close by API (every strategy\'s share) is routed like an alert: OrderApproved, reduce-only, filled; the account ends flat', async () => {
    const res = await fetchJson<CloseAnswer>(server.runtime, `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/close`, { json: {} });
    expect(res.status, res.text).toBe(202);
    expect(res.body.signals.map((s) => s.strategyId)).toEqual([other.strategyId]);
    const signalId = res.body.signals[0]!.signalId;
    expect((await signal(signalId)).outcome).toBe('accepted');
    const [order] = await ordersOf(signalId);
    expect(order).toMatchObject({ side: 'sell', reduceOnly: true, status: 'filled', strategyId: other.strategyId, accountId: ACCOUNT });
    same(order!.quantity, '0.02');
    const h = await holders();
    same(h.quantity, '0');
    expect(h.strategies).toEqual([]);
    const trace = await fetchJson<TraceAnswer>(server.runtime, `/api/v1/signals/${signalId}/trace`);
    const types = trace.body.events.map((e) => e.type);
    expect(types[0]).toBe('SignalReceived');
    expect(types.indexOf('OrderApproved')).toBeGreaterThan(0);
    expect(types.indexOf('OrderApproved')).toBeLessThan(types.indexOf('OrderFilled'));
  });

  it('the same Idempotency-Key closes once: a retry gets the first answer, even after the position is gone', async () => {
    await alert(demo.strategyId, demo.secret, { action: 'buy', quantity: '0.01', id: 'again-1' });
    await quiesce(server.runtime);
    const token = await login(server.runtime, 'demo', DEMO_PASSWORD);
    const post = async () => {
      const res = await fetch(`${server.runtime.url}/api/v1/accounts/${ACCOUNT}/positions/${BTC}/close`, {
        method: 'POST', headers: { authorization: `Bearer ${token!}`, 'content-type': 'application/json', 'idempotency-key': 'retry-me-1' }, body: '{}',
      });
      return { status: res.status, body: (await res.json()) as CloseAnswer };
    };
    const [first, second] = await Promise.all([post(), post()]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.signals.map((x) => x.signalId)).toEqual(first.body.signals.map((x) => x.signalId));
    await quiesce(server.runtime);
    const later = await post();
    expect(later.status).toBe(202);
    expect(later.body.signals).toEqual([{ strategyId: demo.strategyId, signalId: first.body.signals[0]!.signalId, repeated: true }]);
    const orders = await ordersOf(first.body.signals[0]!.signalId);
    expect(orders).toHaveLength(1);
    same((await holders()).quantity, '0');
  });
});
