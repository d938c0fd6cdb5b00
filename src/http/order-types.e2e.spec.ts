/**
 * Stop and take-profit orders from alerts (issue 17) over real HTTP against the paper exchange:
 * they wait on the exchange for their trigger, then fill; a trigger on the wrong side of the
 * market is refused with a stable code and nothing is sent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, demoOf, fetchJson, postAlert, quiesce, paperServerForBlock, waitUntil, type OrderView, type Page, type SignalView } from '../../test/support/server.js';

afterAll(() => cleanupTempDirs());

describe('stop and take-profit orders by alert (paper)', () => {
  const serverOf = paperServerForBlock();
  let n = 0;
  async function send(fields: Record<string, string>): Promise<string> {
    const { secret } = demoOf(serverOf().runtime);
    const res = await postAlert(serverOf().runtime, { secret, ticker: 'BINANCE:BTCUSDT', quantity: '0.01', comment: `types ${++n}`, ...fields });
    expect(res.status, res.text).toBe(202);
    await quiesce(serverOf().runtime);
    return res.body.signalId!;
  }
  const orderOf = async (signalId: string) => (await fetchJson<Page<OrderView & { stopPrice?: string }>>(serverOf().runtime, `/api/v1/orders?signalId=${signalId}`)).body.items[0];

  it('a buy stop-limit above the market waits open with its stop, then fills once the price rises through it', async () => {
    const order = await orderOf(await send({ action: 'buy', order_type: 'stop_limit', stop_price: '98000', limit_price: '98100' }));
    expect(order).toMatchObject({ type: 'stop_limit', stopPrice: '98000', limitPrice: '98100', status: 'accepted' });
    expect(await serverOf().runtime.exchange.fetchOrder(order!.accountId, order!.clientOrderId)).toMatchObject({ status: 'open', type: 'stop_limit', stopPrice: '98000' });
    await waitUntil(async () => {
      serverOf().runtime.feed.setPrice('BTC/USDT', '98050'); // each tick through the limit fills part of what rests (the paper exchange's partial fills)
      await quiesce(serverOf().runtime);
      return (await orderOf(order!.signalId))?.status === 'filled';
    }, 'the stop-limit to trigger and fill');
  });

  it('a sell take-profit above the market fills when the price rises to it; a sell stop-market when it falls to it', async () => {
    serverOf().runtime.feed.setPrice('BTC/USDT', '97000');
    await quiesce(serverOf().runtime);
    expect((await orderOf(await send({ action: 'buy', quantity: '0.05' })))?.status).toBe('filled'); // something to sell
    const tp = await orderOf(await send({ action: 'sell', order_type: 'take_profit', stop_price: '99000' }));
    const stop = await orderOf(await send({ action: 'sell', order_type: 'stop', stop_price: '95000' }));
    expect([tp?.status, stop?.status]).toEqual(['accepted', 'accepted']);
    serverOf().runtime.feed.setPrice('BTC/USDT', '99100');
    await waitUntil(async () => (await orderOf(tp!.signalId))?.status === 'filled', 'the take-profit to fill');
    expect((await orderOf(stop!.signalId))?.status).toBe('accepted');
    serverOf().runtime.feed.setPrice('BTC/USDT', '94900');
    await waitUntil(async () => (await orderOf(stop!.signalId))?.status === 'filled', 'the stop to fill');
  });

  it('a stop on the wrong side of the market is skipped with STOP_WRONG_SIDE (nothing sent); a take-profit below the market on a sell with TAKE_PROFIT_WRONG_SIDE', async () => {
    serverOf().runtime.feed.setPrice('BTC/USDT', '97000');
    await quiesce(serverOf().runtime);
    const wrongStop = await send({ action: 'sell', order_type: 'stop', stop_price: '98000' });
    const wrongTp = await send({ action: 'sell', order_type: 'take_profit', stop_price: '96000' });
    const skipped = async (id: string) => (await fetchJson<SignalView>(serverOf().runtime, `/api/v1/signals/${id}`)).body.skipped.map((s) => s.code);
    expect(await skipped(wrongStop)).toEqual(['STOP_WRONG_SIDE']);
    expect(await skipped(wrongTp)).toEqual(['TAKE_PROFIT_WRONG_SIDE']);
    expect(await orderOf(wrongStop)).toBeUndefined();
  });

  it('a sell trailing stop by price distance (trailing_distance) follows the price up 500 below it and fills when the price falls back', async () => {
    serverOf().runtime.feed.setPrice('BTC/USDT', '97000');
    await quiesce(serverOf().runtime);
    expect((await orderOf(await send({ action: 'buy', quantity: '0.02' })))?.status).toBe('filled'); // something to sell
    const order = await orderOf(await send({ action: 'sell', trailing_distance: '500' }));
    expect(order).toMatchObject({ type: 'stop_market', stopPrice: '96500', trailingDistance: '500', status: 'accepted' });
    serverOf().runtime.feed.setPrice('BTC/USDT', '98000');
    await quiesce(serverOf().runtime);
    expect(await serverOf().runtime.exchange.fetchOrder(order!.accountId, order!.clientOrderId)).toMatchObject({ status: 'open', stopPrice: '97500', trailingDistance: '500' });
    serverOf().runtime.feed.setPrice('BTC/USDT', '97400');
    await waitUntil(async () => (await orderOf(order!.signalId))?.status === 'filled', 'the trailing stop to fill');
  });

  it('an alert of a stop type without stop_price is refused 422 STOP_PRICE_REQUIRED', async () => {
    const { secret } = demoOf(serverOf().runtime);
    const res = await postAlert(serverOf().runtime, { secret, action: 'sell', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', order_type: 'stop' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('STOP_PRICE_REQUIRED');
  });
});
