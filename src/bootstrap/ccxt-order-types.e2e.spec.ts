/**
 * Stop and take-profit orders (issue 17) through the real ccxt client against the sandbox: the
 * alert's stop_limit becomes Binance's STOP_LOSS_LIMIT with stopPrice (ccxt's unified
 * stopLossPrice), waits on the exchange, triggers on the sandbox's price, and PATRIOT's state
 * ends equal to the exchange's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, waitUntil, type OrderView } from '../../test/support/server.js';
import { alertWith, closeRigs, orderOf, rig, types } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
  cleanupTempDirs();
});


describe('stop and take-profit orders through ccxt on a Binance-compatible exchange', () => {
  it('a buy stop-limit is placed as STOP_LOSS_LIMIT with its stopPrice, waits, triggers on the price and fills; log and exchange agree', async () => {
    const r = await rig();
    const id = await orderOf(r, await alertWith(r, 'bn-stop-limit', { action: 'buy', order_type: 'stop_limit', stop_price: '98000', limit_price: '98100' }));
    await waitUntil(async () => (await types(r, id)).includes('OrderAccepted'), 'the stop-limit accepted', 15_000, 50);
    expect(await r.sandbox.exchange.fetchOrder('sbx', id)).toMatchObject({ status: 'open', type: 'stop_limit', stopPrice: '98000', limitPrice: '98100' });
    r.feed.setPrice('BTC/USDT', '98050');
    await waitUntil(async () => (await types(r, id)).includes('OrderFilled'), 'the stop-limit to trigger and fill', 20_000, 50);
    const atExchange = await r.sandbox.exchange.fetchOrder('sbx', id);
    expect(atExchange?.status).toBe('filled');
    const ours = await waitUntil(async () => {
      const o = (await fetchJson<OrderView>(r.server.runtime, `/api/v1/orders/${id}`)).body;
      return o.status === 'filled' ? o : undefined;
    }, 'the read model to show it filled');
    expect(ours).toMatchObject({ type: 'stop_limit', filledQuantity: atExchange!.filledQuantity });
    expect(r.sandbox.exchange.placementAttempts('sbx', id)).toBe(1);
  });

  it('a buy take-profit (market) below the market waits, then fills when the price falls to it; a resting stop can be cancelled', async () => {
    const r = await rig();
    const tp = await orderOf(r, await alertWith(r, 'bn-tp', { action: 'buy', order_type: 'take_profit', stop_price: '96000' }));
    const stop = await orderOf(r, await alertWith(r, 'bn-stop', { action: 'buy', order_type: 'stop', stop_price: '99000' }));
    for (const id of [tp, stop]) await waitUntil(async () => (await types(r, id)).includes('OrderAccepted'), 'accepted', 15_000, 50);
    expect((await r.sandbox.exchange.fetchOrder('sbx', tp))?.type).toBe('take_profit');
    const cancel = await fetchJson(r.server.runtime, `/api/v1/orders/${stop}/cancel`, { json: {} });
    expect(cancel.status, cancel.text).toBe(202);
    await waitUntil(async () => (await types(r, stop)).includes('OrderCancelled'), 'the stop cancelled', 20_000, 50);
    r.feed.setPrice('BTC/USDT', '95900');
    await waitUntil(async () => (await types(r, tp)).includes('OrderFilled'), 'the take-profit to fill', 20_000, 50);
    expect((await r.sandbox.exchange.fetchOrder('sbx', stop))?.status).toBe('cancelled');
    expect((await r.sandbox.exchange.fetchOrder('sbx', tp))?.status).toBe('filled');
  });
});

describe('brackets through ccxt on a Binance-compatible exchange (one-cancels-other order lists)', () => {
  it('a market entry with a take-profit and a stop-loss: the children rest as one Binance order list holding the base once; the take-profit fills and the exchange expires the stop', async () => {
    const r = await rig();
    const signalId = await alertWith(r, 'bn-bracket', { action: 'buy', take_profit: '99000', stop_loss: '95000' });
    const entry = await orderOf(r, signalId);
    const children = await waitUntil(async () => {
      const page = (await fetchJson<{ items: (OrderView & { type: string; orderList?: { listClientOrderId: string } })[] }>(r.server.runtime, `/api/v1/orders?signalId=${signalId}&limit=50`)).body.items;
      const placed = page.filter((o) => o.clientOrderId !== entry && o.status === 'accepted');
      return placed.length === 2 ? placed : undefined;
    }, 'the take-profit and the stop on the exchange', 20_000, 100);
    const tp = children.find((o) => o.type === 'limit')!;
    const stop = children.find((o) => o.type === 'stop_market')!;
    expect(tp.orderList?.listClientOrderId).toBeDefined();
    expect(stop.orderList?.listClientOrderId).toBe(tp.orderList?.listClientOrderId);
    const [tpAt, stopAt] = await Promise.all([r.sandbox.exchange.fetchOrder('sbx', tp.clientOrderId), r.sandbox.exchange.fetchOrder('sbx', stop.clientOrderId)]);
    expect(tpAt).toMatchObject({ status: 'open', limitPrice: '99000' });
    expect(stopAt).toMatchObject({ status: 'open', type: 'stop_market', stopPrice: '95000', orderListId: tpAt!.orderListId });
    const bought = (await r.sandbox.exchange.fetchOrder('sbx', entry))!.filledQuantity;
    expect(tpAt!.quantity).toBe(bought);
    r.feed.setPrice('BTC/USDT', '99100');
    await waitUntil(async () => (await types(r, tp.clientOrderId)).includes('OrderFilled'), 'the take-profit to fill', 20_000, 50);
    await waitUntil(async () => (await types(r, stop.clientOrderId)).includes('OrderExpired'), 'the exchange to expire the stop (one-cancels-other)', 20_000, 50);
    expect(await types(r, stop.clientOrderId)).not.toContain('OrderCancelRequested');
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toEqual([]);
  });
});

describe('trailing stops through ccxt on a Binance-compatible exchange (native: STOP_LOSS with trailingDelta)', () => {
  it('a buy trailing stop of 1 % follows the lowest price and triggers when the price rises back through it', async () => {
    const r = await rig();
    const id = await orderOf(r, await alertWith(r, 'bn-trailing', { action: 'buy', trailing_percent: '1%' }));
    await waitUntil(async () => (await types(r, id)).includes('OrderAccepted'), 'the trailing stop accepted', 15_000, 50);
    expect(await r.sandbox.exchange.fetchOrder('sbx', id)).toMatchObject({ status: 'open', type: 'stop_market', trailingPercent: '1', stopPrice: '97970' });
    r.feed.setPrice('BTC/USDT', '95000');
    await waitUntil(async () => (await r.sandbox.exchange.fetchOrder('sbx', id))?.stopPrice === '95950', 'the stop to follow the price down');
    r.feed.setPrice('BTC/USDT', '96000');
    await waitUntil(async () => (await types(r, id)).includes('OrderFilled'), 'the trailing stop to trigger and fill', 20_000, 50);
    expect((await r.sandbox.exchange.fetchOrder('sbx', id))?.status).toBe('filled');
  });

});
