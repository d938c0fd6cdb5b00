/**
 * Orders placed by hand (issue 17) over real HTTP on the paper exchange: POST
 * /api/v1/strategies/:id/signals takes the webhook's alert fields without the secret, and they mean
 * the same order (a bracket has the same children as the same alert's); a bad order is refused with
 * the webhook's code and nothing is recorded; a viewer may not; an Idempotency-Key places once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs, DEMO_PASSWORD, demoOf, fetchJson, login, postAlert, quiesce, paperServerForBlock, waitUntil,
  type OrderView, type Page, type SignalView, type TraceAnswer,
} from '../../../../test/support/server.js';
import { registerUser } from '../../../application/commands/configure.js';
import { KeyedMutex } from '../../../application/shared/keyed-mutex.js';
import { systemClock } from '../../../adapters/system/system-clock.js';
import { demoUser } from '../../../bootstrap/demo.js';

afterAll(() => cleanupTempDirs());

type Order = OrderView & { stopPrice?: string; trailingPercent?: string; trailingDistance?: string };
interface Placed { signalId: string; repeated: boolean; signal?: Record<string, unknown> }
interface Err { error: { code: string; message: string } }

const TICKER = 'BINANCE:BTCUSDT';
const ACCOUNT = 'acc_demo_paper';

describe('orders placed through the API (paper)', () => {
  const serverOf = paperServerForBlock();
  let strategyId: string;
  let viewer: string;
  let stranger: string;
  const url = () => `/api/v1/strategies/${strategyId}/signals`;
  const place = (json: object, token?: string) => fetchJson<Placed & Err>(serverOf().runtime, url(), { json, ...(token !== undefined ? { token } : {}) });
  const ordersOf = async (signalId: string): Promise<Order[]> => (await fetchJson<Page<Order>>(serverOf().runtime, `/api/v1/orders?signalId=${signalId}&limit=100`)).body.items;
  const placed = async (json: object): Promise<string> => {
    const res = await place(json);
    expect(res.status, res.text).toBe(202);
    expect(res.body.repeated).toBe(false);
    await quiesce(serverOf().runtime);
    return res.body.signalId;
  };
  const cancelAll = async () => {
    const res = await fetchJson(serverOf().runtime, `/api/v1/accounts/${ACCOUNT}/cancel-orders`, { json: {} });
    expect(res.status, res.text).toBe(202);
    await waitUntil(async () => {
      await quiesce(serverOf().runtime);
      return (await serverOf().runtime.exchange.fetchOpenOrders(ACCOUNT)).length === 0;
    }, 'every open order cancelled');
  };

  beforeAll(async () => {
    const { runtime } = serverOf();
    strategyId = demoOf(runtime).strategyId;
    await runtime.auth.setLogin('vera', { userId: 'usr_vera', tenantId: 'tnt_demo', role: 'viewer' }, 'viewer-password-1');
    await registerUser({ store: runtime.events, mutex: new KeyedMutex(), clock: systemClock }, { userId: 'usr_sam', tenantId: 'tnt_other', name: 'Sam', role: 'admin' }, 'test');
    await runtime.auth.setLogin('sam', { userId: 'usr_sam', tenantId: 'tnt_other', role: 'admin' }, 'stranger-password-1');
    viewer = (await login(runtime, 'vera', 'viewer-password-1'))!;
    stranger = (await login(runtime, 'sam', 'stranger-password-1'))!;
  });

  it('a bracket (two take-profits split 30/70, a stop-limit stop, break-even) placed by the route has the same children as the same alert; its trace names the user', async () => {
    const fields = { action: 'buy', ticker: TICKER, quantity: '0.02', take_profit: '99000,101000', take_profit_split: '30,70', stop_loss: '96000', stop_loss_limit: '95900', break_even: 'true' };
    const shape = (orders: Order[]) => orders.map((o) => [o.side, o.type, o.quantity, o.limitPrice ?? null, o.stopPrice ?? null, o.status, o.reduceOnly]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const childrenOf = (signalId: string) => waitUntil(async () => {
      await quiesce(serverOf().runtime);
      const all = await ordersOf(signalId);
      return all.length === 4 && all.every((o) => o.status !== 'approved' && o.status !== 'submitted') ? all : undefined;
    }, 'the entry and its three children');

    const alert = await postAlert(serverOf().runtime, { secret: demoOf(serverOf().runtime).secret, ...fields, comment: 'by alert' });
    expect(alert.status, alert.text).toBe(202);
    const byAlert = await childrenOf(alert.body.signalId!);

    const res = await place({ ...fields, comment: 'by hand' });
    expect(res.status, res.text).toBe(202);
    expect(res.body.signal).toMatchObject({ action: 'buy', symbol: 'BTC/USDT', quantity: '0.02', bracket: { takeProfits: [{ price: '99000' }, { price: '101000' }], split: ['30', '70'], stopLoss: { price: '96000' }, stopLossLimit: { price: '95900' }, breakEven: true } });
    const byHand = await childrenOf(res.body.signalId);

    expect(shape(byHand)).toEqual(shape(byAlert));
    expect(byHand.map((o) => o.type).sort()).toEqual(['limit', 'limit', 'market', 'stop_limit']);
    expect(byHand.find((o) => o.type === 'stop_limit')).toMatchObject({ side: 'sell', quantity: '0.02', stopPrice: '96000', limitPrice: '95900', status: 'accepted' });
    expect(byHand.filter((o) => o.type === 'limit').map((o) => [o.quantity, o.limitPrice]).sort()).toEqual([['0.006', '99000'], ['0.014', '101000']]);

    const signal = (await fetchJson<SignalView & { format?: string }>(serverOf().runtime, `/api/v1/signals/${res.body.signalId}`)).body;
    expect([signal.format, signal.outcome, signal.strategyId]).toEqual(['manual', 'accepted', strategyId]);
    const trace = (await fetchJson<TraceAnswer>(serverOf().runtime, `/api/v1/signals/${res.body.signalId}/trace`)).body;
    const received = trace.events.find((e) => e.type === 'SignalReceived') as { causationId?: string } | undefined;
    expect(received?.causationId).toBe(`api:manual-order:${demoUser.userId}`);
    expect(trace.events.findIndex((e) => e.type === 'SignalReceived')).toBeLessThan(trace.events.findIndex((e) => e.type === 'OrderApproved'));
    await cancelAll();
  });

  it('a market buy, then a sell stop (stop-market) and a sell trailing stop (percent and distance) wait on the exchange; numbers keep their digits', async () => {
    const buy = await placed({ action: 'buy', ticker: TICKER, quantity: 0.05 }); // a JSON number: read as "0.05"
    expect((await ordersOf(buy))[0]).toMatchObject({ type: 'market', side: 'buy', quantity: '0.05', status: 'filled' });

    const stop = (await ordersOf(await placed({ action: 'sell', ticker: TICKER, quantity: '0.01', order_type: 'stop', stop_price: 95000 })))[0];
    expect(stop).toMatchObject({ type: 'stop_market', side: 'sell', quantity: '0.01', stopPrice: '95000', status: 'accepted' });

    const trailing = (await ordersOf(await placed({ action: 'sell', ticker: TICKER, quantity: '0.01', trailing_percent: '1.5%' })))[0];
    expect(trailing).toMatchObject({ type: 'stop_market', side: 'sell', quantity: '0.01', trailingPercent: '1.5', status: 'accepted' });
    expect(await serverOf().runtime.exchange.fetchOrder(ACCOUNT, trailing!.clientOrderId)).toMatchObject({ status: 'open', trailingPercent: '1.5' });

    const byDistance = (await ordersOf(await placed({ action: 'sell', ticker: TICKER, quantity: '0.01', trailing_distance: '500' })))[0];
    expect(byDistance).toMatchObject({ type: 'stop_market', stopPrice: '96500', trailingDistance: '500', status: 'accepted' });
    await cancelAll();
  });

  it('a percent quantity and a stop-limit mean what they mean in an alert', async () => {
    const res = await place({ action: 'close', ticker: TICKER, qty: '25%' });
    expect(res.status, res.text).toBe(202);
    expect(res.body.signal).toMatchObject({ action: 'close', quantityPercent: '25' });
    const stopLimit = await place({ action: 'buy', ticker: TICKER, quantity: '0.01', order_type: 'stop_limit', stop_price: '98000', limit_price: '98100' });
    expect(stopLimit.body.signal).toMatchObject({ orderType: 'stop_limit', stopPrice: '98000', limitPrice: '98100' });
    await quiesce(serverOf().runtime);
    expect((await ordersOf(stopLimit.body.signalId))[0]).toMatchObject({ type: 'stop_limit', stopPrice: '98000', limitPrice: '98100', status: 'accepted' });
    await cancelAll();
  });

  it('refuses a bad order with the webhook\'s stable code and records nothing; a viewer gets 403, another tenant 404', async () => {
    const { runtime } = serverOf();
    await quiesce(runtime);
    const before = await runtime.events.headPosition();
    const base = { action: 'buy', ticker: TICKER, quantity: '0.01' };
    const cases: [object, string | undefined, number, string][] = [
      [{ ...base, stop_loss_limit: '0.3%' }, undefined, 422, 'INVALID_BRACKET'],
      [{ ...base, take_profit: '99000,100000', take_profit_split: '60,60' }, undefined, 422, 'PERCENT_OVER_100'],
      [{ ...base, trailing_percent: '100' }, undefined, 422, 'PERCENT_OVER_100'],
      [{ ...base, trailing_percent: '1', trailing_distance: '10' }, undefined, 422, 'INVALID_TRAILING'],
      [{ ...base, quantity: '150%' }, undefined, 422, 'INVALID_PERCENT'],
      [{ ...base, order_type: 'stop' }, undefined, 422, 'STOP_PRICE_REQUIRED'],
      [{ ...base, order_type: 'limit' }, undefined, 422, 'LIMIT_PRICE_REQUIRED'],
      [{ ...base, order_type: 'iceberg' }, undefined, 422, 'INVALID_ORDER_TYPE'],
      [{ ...base, ticker: 'BINANCE:NOPEUSDT' }, undefined, 422, 'UNKNOWN_SYMBOL'],
      [{ ...base, action: 'hodl' }, undefined, 422, 'INVALID_ACTION'],
      [{ ...base, quantity: '-1' }, undefined, 422, 'INVALID_QUANTITY'],
      [{ ...base, secret: 'x' }, undefined, 400, 'VALIDATION_FAILED'],
      [{ ticker: TICKER }, undefined, 400, 'VALIDATION_FAILED'],
      [{ ...base, comment: 'a\u0000b' }, undefined, 400, 'MALFORMED_BODY'],
      [base, viewer, 403, 'FORBIDDEN'],
      [base, stranger, 404, 'STRATEGY_NOT_FOUND'],
    ];
    for (const [json, token, status, code] of cases) {
      const res = await place(json, token);
      expect(res.status, `${JSON.stringify(json)}: ${res.text}`).toBe(status);
      expect(res.body.error.code, res.text).toBe(code);
    }
    const unknown = await fetchJson<Err>(runtime, '/api/v1/strategies/strat_nope/signals', { json: base });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'STRATEGY_NOT_FOUND']);
    const token = await login(runtime, 'demo', DEMO_PASSWORD);
    const broken = await fetch(`${runtime.url}${url()}`, { method: 'POST', headers: { authorization: `Bearer ${token!}`, 'content-type': 'application/json' }, body: '{"action": "buy",' });
    expect([broken.status, ((await broken.json()) as Err).error.code]).toEqual([400, 'MALFORMED_BODY']);
    await quiesce(runtime);
    expect(await runtime.events.headPosition()).toBe(before);
  });

  it('the same Idempotency-Key places once: two at once and a later retry answer one signal, with one order; other fields under that key are refused', async () => {
    const { runtime } = serverOf();
    const token = await login(runtime, 'demo', DEMO_PASSWORD);
    const body = JSON.stringify({ action: 'buy', ticker: TICKER, quantity: '0.01', comment: 'once' });
    const post = async (text = body) => {
      const res = await fetch(`${runtime.url}${url()}`, { method: 'POST', headers: { authorization: `Bearer ${token!}`, 'content-type': 'application/json', 'idempotency-key': 'ticket-retry-1' }, body: text });
      return { status: res.status, body: (await res.json()) as Placed & Err };
    };
    const [first, second] = await Promise.all([post(), post()]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.signalId).toBe(first.body.signalId);
    expect([first.body.repeated, second.body.repeated].sort()).toEqual([false, true]);
    await quiesce(runtime);
    const head = await runtime.events.headPosition();
    const later = await post();
    expect([later.status, later.body.signalId, later.body.repeated]).toEqual([202, first.body.signalId, true]);
    const other = await post(JSON.stringify({ action: 'buy', ticker: TICKER, quantity: '0.02' }));
    expect([other.status, other.body.error.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await runtime.events.headPosition()).toBe(head);
    expect(await ordersOf(first.body.signalId)).toHaveLength(1);
    const signals = (await fetchJson<Page<SignalView>>(runtime, `/api/v1/signals?limit=500`)).body.items.filter((s) => s.signal?.comment === 'once');
    expect(signals).toHaveLength(1);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await fetchJson<{ paths: Record<string, { post?: { requestBody?: unknown } }> }>(serverOf().runtime, '/openapi.json')).body;
    expect(doc.paths['/api/v1/strategies/{strategyId}/signals']?.post?.requestBody).toBeDefined();
  });
});
