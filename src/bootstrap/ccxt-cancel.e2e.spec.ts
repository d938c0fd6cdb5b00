/**
 * Cancel (issue 17) through the real ccxt client against the Binance-compatible sandbox
 * (DELETE /api/v3/order): the request is recorded first, an answer lost on the way is looked up,
 * and in the end PATRIOT's state equals the exchange's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, waitUntil } from '../../test/support/server.js';
import { ACCOUNT, alert, closeRigs, orderOf, rig, types, type Rig } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
  cleanupTempDirs();
});

async function restingOrder(r: Rig, id: string): Promise<string> {
  const clientOrderId = await orderOf(r, await alert(r, id));
  await waitUntil(async () => (await types(r, clientOrderId)).includes('OrderAccepted'), 'the limit order to rest on the exchange', 15_000, 50);
  expect((await r.sandbox.exchange.fetchOrder('sbx', clientOrderId))?.status).toBe('open');
  return clientOrderId;
}

async function cancelledEverywhere(r: Rig, clientOrderId: string): Promise<string[]> {
  await waitUntil(async () => (await types(r, clientOrderId)).includes('OrderCancelled'), 'the order cancelled in the log', 20_000, 50);
  expect((await r.sandbox.exchange.fetchOrder('sbx', clientOrderId))?.status).toBe('cancelled');
  return types(r, clientOrderId);
}

describe('cancelling through ccxt on a Binance-compatible exchange', () => {
  it('cancels a resting order: recorded first, then DELETE /api/v3/order, then recorded cancelled', async () => {
    const r = await rig({ orderType: 'limit' });
    const id = await restingOrder(r, 'bn-cancel-1');
    const res = await fetchJson(r.server.runtime, `/api/v1/orders/${id}/cancel`, { json: { reason: 'by hand' } });
    expect(res.status, res.text).toBe(202);
    expect(await cancelledEverywhere(r, id)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderCancelRequested', 'OrderCancelled']);
  });

  it('given the cancel answer lost after the exchange cancelled (timeout), then the order is looked up, never assumed, and recorded cancelled once', async () => {
    const r = await rig({ orderType: 'limit' });
    const id = await restingOrder(r, 'bn-cancel-timeout');
    r.sandbox.faults.inject({ kind: 'timeout', mode: 'destroy', method: 'DELETE', path: '/api/v3/order' });
    await fetchJson(r.server.runtime, `/api/v1/orders/${id}/cancel`, { json: {} });
    const recorded = await cancelledEverywhere(r, id);
    expect(recorded.filter((t) => t === 'OrderCancelled')).toHaveLength(1);
  });

  it('given a 503 before the exchange saw the cancel, then the look-up finds the order still open and the cancel is sent again', async () => {
    const r = await rig({ orderType: 'limit' });
    const id = await restingOrder(r, 'bn-cancel-503');
    r.sandbox.faults.inject({ kind: 'http_error', status: 503, when: 'before', method: 'DELETE', path: '/api/v3/order' });
    await fetchJson(r.server.runtime, `/api/v1/orders/${id}/cancel`, { json: {} });
    await cancelledEverywhere(r, id);
  });

  it('cancels every open order of the account, then the exchange shows none', async () => {
    const r = await rig({ orderType: 'limit' });
    const ids = [await restingOrder(r, 'bn-cancel-all-1'), await restingOrder(r, 'bn-cancel-all-2')];
    const res = await fetchJson<{ requested: unknown[] }>(r.server.runtime, `/api/v1/accounts/${ACCOUNT}/cancel-orders`, { json: {} });
    expect(res.status, res.text).toBe(202);
    expect(res.body.requested).toHaveLength(2);
    for (const id of ids) await cancelledEverywhere(r, id);
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toEqual([]);
  });
});
