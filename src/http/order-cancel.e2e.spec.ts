/**
 * Cancel (issue 17) over real HTTP against the paper exchange: one order, every order of an
 * account or a symbol, and the `cancel` alert; bad input answers a stable 4xx and records nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs, demoOf, fetchJson, login, marketAlert, postAlert, quiesce, paperServerForBlock, waitUntil,
  type OrderView, type Page, type SignalView,
} from '../../test/support/server.js';

afterAll(() => cleanupTempDirs());

describe('cancelling orders by API and by alert', () => {
  const serverOf = paperServerForBlock();

  /** A resting limit buy far below the market, open on the paper exchange. */
  let alerts = 0;
  async function restingOrder(price = '90000'): Promise<OrderView> {
    const { secret } = demoOf(serverOf().runtime);
    const res = await postAlert(serverOf().runtime, marketAlert(secret, { order_type: 'limit', limit_price: price, quantity: '0.01', comment: `resting ${++alerts}` }));
    expect(res.status, res.text).toBe(202);
    await quiesce(serverOf().runtime);
    const page = await fetchJson<Page<OrderView>>(serverOf().runtime, `/api/v1/orders?signalId=${res.body.signalId}`);
    const order = page.body.items[0]!;
    expect(order.status).toBe('accepted');
    return order;
  }

  const orderView = async (id: string) => (await fetchJson<OrderView & { cancelRequested?: { by: string } }>(serverOf().runtime, `/api/v1/orders/${id}`)).body;
  const streamTypes = async (id: string) => (await serverOf().runtime.events.readStream(`order-${id}`)).map((e) => e.type);

  it('POST /orders/{id}/cancel records the request (202), then the order ends cancelled on the exchange and in the read model', async () => {
    const order = await restingOrder();
    const res = await fetchJson<{ clientOrderId: string; status: string; recorded: boolean }>(serverOf().runtime, `/api/v1/orders/${order.clientOrderId}/cancel`, { json: { reason: 'test' } });
    expect(res.status, res.text).toBe(202);
    expect(res.body).toMatchObject({ clientOrderId: order.clientOrderId, recorded: true });
    const done = await waitUntil(async () => {
      const o = await orderView(order.clientOrderId);
      return o.status === 'cancelled' ? o : undefined;
    }, 'the order to be cancelled');
    expect(done.statusReason).toContain('test');
    expect(done.cancelRequested).toBeUndefined();
    expect((await serverOf().runtime.exchange.fetchOrder(order.accountId, order.clientOrderId))?.status).toBe('cancelled');
    expect(await streamTypes(order.clientOrderId)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderCancelRequested', 'OrderCancelled']);
  });

  it('bad input: unknown order 404 ORDER_NOT_FOUND, final order 409 ORDER_NOT_OPEN, unknown account 404, extra body field 400; nothing recorded', async () => {
    const head = await serverOf().runtime.events.headPosition();
    const unknown = await fetchJson<{ error: { code: string } }>(serverOf().runtime, `/api/v1/orders/${'e'.repeat(32)}/cancel`, { json: {} });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'ORDER_NOT_FOUND']);
    const order = await restingOrder();
    await fetchJson(serverOf().runtime, `/api/v1/orders/${order.clientOrderId}/cancel`, { json: {} });
    await waitUntil(async () => (await orderView(order.clientOrderId)).status === 'cancelled', 'cancelled');
    const before = await serverOf().runtime.events.headPosition();
    const again = await fetchJson<{ error: { code: string } }>(serverOf().runtime, `/api/v1/orders/${order.clientOrderId}/cancel`, { json: {} });
    expect([again.status, again.body.error.code]).toEqual([409, 'ORDER_NOT_OPEN']);
    const account = await fetchJson<{ error: { code: string } }>(serverOf().runtime, '/api/v1/accounts/acc_nope/cancel-orders', { json: {} });
    expect([account.status, account.body.error.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    const extra = await fetchJson(serverOf().runtime, `/api/v1/accounts/${order.accountId}/cancel-orders`, { json: { symbol: 'BTC/USDT', everything: true } });
    expect(extra.status).toBe(400);
    expect(await serverOf().runtime.events.headPosition()).toBe(before);
    expect(before).toBeGreaterThan(head);
  });

  it('a viewer may not cancel (403); the order stays open', async () => {
    await serverOf().runtime.auth.setLogin('vic', { userId: 'usr_vic', tenantId: 'tnt_demo', role: 'viewer' }, 'viewer-password-1');
    const token = await login(serverOf().runtime, 'vic', 'viewer-password-1');
    const order = await restingOrder();
    const res = await fetchJson(serverOf().runtime, `/api/v1/orders/${order.clientOrderId}/cancel`, { json: {}, token: token! });
    expect(res.status).toBe(403);
    expect(await streamTypes(order.clientOrderId)).not.toContain('OrderCancelRequested');
    await fetchJson(serverOf().runtime, `/api/v1/orders/${order.clientOrderId}/cancel`, { json: {} }); // tidy up for the next tests
    await waitUntil(async () => (await orderView(order.clientOrderId)).status === 'cancelled', 'cancelled');
  });

  it('POST /accounts/{id}/cancel-orders cancels every open order of the account', async () => {
    const orders = [await restingOrder('90000'), await restingOrder('89000')];
    const res = await fetchJson<{ requested: { clientOrderId: string }[] }>(serverOf().runtime, `/api/v1/accounts/${orders[0]!.accountId}/cancel-orders`, { json: { symbol: 'BTC/USDT' } });
    expect(res.status, res.text).toBe(202);
    expect(res.body.requested.map((r) => r.clientOrderId).sort()).toEqual(orders.map((o) => o.clientOrderId).sort());
    for (const o of orders) await waitUntil(async () => (await orderView(o.clientOrderId)).status === 'cancelled', 'cancelled');
    expect(await serverOf().runtime.exchange.fetchOpenOrders(orders[0]!.accountId)).toEqual([]);
  });

  it('an alert {"action": "cancel"} cancels the strategy\'s open orders (of its ticker); with none open it is skipped NOTHING_TO_CANCEL', async () => {
    const order = await restingOrder();
    const { secret } = demoOf(serverOf().runtime);
    const res = await postAlert(serverOf().runtime, { secret, action: 'cancel', ticker: 'BINANCE:BTCUSDT' });
    expect(res.status, res.text).toBe(202);
    await waitUntil(async () => (await orderView(order.clientOrderId)).status === 'cancelled', 'cancelled by the alert');
    expect((await serverOf().runtime.events.readStream(`order-${order.clientOrderId}`)).find((e) => e.type === 'OrderCancelRequested')?.data).toMatchObject({ by: `alert:${res.body.signalId}` });

    const none = await postAlert(serverOf().runtime, { secret, action: 'cancel' });
    expect(none.status, none.text).toBe(202);
    await quiesce(serverOf().runtime);
    const signal = (await fetchJson<SignalView>(serverOf().runtime, `/api/v1/signals/${none.body.signalId}`)).body;
    expect(signal.skipped.map((s) => s.code)).toContain('NOTHING_TO_CANCEL');
  });
});
