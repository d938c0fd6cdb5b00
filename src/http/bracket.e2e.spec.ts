/**
 * Brackets managed by PATRIOT (issue 17) end to end on the paper exchange: an alert with
 * take_profit levels, a stop_loss and break_even; the children follow the entry, a take-profit
 * resizes and moves the stop, the stop's trigger cancels the other take-profit and sells what is
 * held. Nothing is ever sold beyond the entry.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, demoOf, fetchJson, postAlert, quiesce, paperServerForBlock, waitUntil, type OrderView, type Page, type SignalView } from '../../test/support/server.js';

afterAll(() => cleanupTempDirs());

type Order = OrderView & { stopPrice?: string; type: string };

describe('brackets by alert (paper)', () => {
  const serverOf = paperServerForBlock();
  const ordersOf = async (signalId: string): Promise<Order[]> => (await fetchJson<Page<Order>>(serverOf().runtime, `/api/v1/orders?signalId=${signalId}&limit=100`)).body.items;
  const tick = async (price: string) => {
    serverOf().runtime.feed.setPrice('BTC/USDT', price);
    await quiesce(serverOf().runtime);
  };

  it('entry fills → two take-profits and a stop; the first take-profit moves the stop to break-even for the rest; the stop then sells what is held', async () => {
    const { secret } = demoOf(serverOf().runtime);
    const res = await postAlert(serverOf().runtime, { secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.02', take_profit: '99000,101000', stop_loss: '2%', break_even: 'true' });
    expect(res.status, res.text).toBe(202);
    const signalId = res.body.signalId!;
    const children = await waitUntil(async () => {
      await quiesce(serverOf().runtime);
      const all = await ordersOf(signalId);
      return all.length === 4 ? all : undefined;
    }, 'the entry and its three children');
    const entry = children.find((o) => o.type === 'market')!;
    expect(entry.status).toBe('filled');
    const tps = children.filter((o) => o.type === 'limit').sort((a, b) => Number(a.limitPrice) - Number(b.limitPrice));
    expect(tps.map((o) => [o.side, o.quantity, o.limitPrice, o.status])).toEqual([['sell', '0.01', '99000', 'accepted'], ['sell', '0.01', '101000', 'accepted']]);
    const stop = children.find((o) => o.type === 'stop_market')!;
    expect([stop.side, stop.quantity, stop.stopPrice]).toEqual(['sell', '0.02', '95060']); // 2 % under the 97000 reference

    // the first take-profit fills (in parts, one per tick through it)
    await waitUntil(async () => {
      await tick('99100');
      return (await ordersOf(signalId)).find((o) => o.clientOrderId === tps[0]!.clientOrderId)?.status === 'filled';
    }, 'the first take-profit to fill');
    await tick('98000');
    // the stop was replaced: 0.01 at the entry's average price (break-even)
    const replaced = await waitUntil(async () => {
      await quiesce(serverOf().runtime);
      const stops = (await ordersOf(signalId)).filter((o) => o.type === 'stop_market');
      const live = stops.filter((o) => o.status === 'accepted');
      return stops.length >= 2 && live.length === 1 ? live[0] : undefined;
    }, 'the stop resized and moved to break-even');
    expect(replaced.quantity).toBe('0.01');
    expect(Number(replaced.stopPrice)).toBeGreaterThanOrEqual(Number(entry.averageFillPrice));

    // the price falls through the stop: the other take-profit is cancelled and what is held is sold
    await tick('96000');
    await waitUntil(async () => {
      await tick('96000');
      const all = await ordersOf(signalId);
      const exits = all.filter((o) => o.side === 'sell' && o.status !== 'cancelled').reduce((sum, o) => sum + Number(o.filledQuantity), 0);
      return all.find((o) => o.clientOrderId === tps[1]!.clientOrderId)?.status === 'cancelled' && Math.abs(exits - 0.02) < 1e-12;
    }, 'the second take-profit cancelled and everything sold');
    const all = await ordersOf(signalId);
    const sold = all.filter((o) => o.side === 'sell').reduce((sum, o) => sum + Number(o.filledQuantity), 0);
    expect(sold).toBeCloseTo(0.02, 12); // never beyond the entry
    expect(all.filter((o) => o.status === 'accepted' || o.status === 'partially_filled')).toEqual([]);
    expect(await serverOf().runtime.exchange.fetchOpenOrders(entry.accountId)).toEqual([]);
  });

  it('a stop-limit stop (stop_loss_limit): the market gaps through the stop and under its limit → nothing is sold below the limit; the rest leaves once the price is back at the limit', async () => {
    serverOf().runtime.feed.setPrice('BTC/USDT', '97000');
    await quiesce(serverOf().runtime);
    const { secret } = demoOf(serverOf().runtime);
    const res = await postAlert(serverOf().runtime, { secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.02', take_profit: '99000', stop_loss: '96000', stop_loss_limit: '95900', comment: 'stop-limit' });
    expect(res.status, res.text).toBe(202);
    const signalId = res.body.signalId!;
    const placed = await waitUntil(async () => {
      await quiesce(serverOf().runtime);
      const all = await ordersOf(signalId);
      return all.length === 3 ? all : undefined;
    }, 'the entry, its take-profit and its stop-limit');
    const stop = placed.find((o) => o.type === 'stop_limit')!;
    expect([stop.side, stop.quantity, stop.stopPrice, stop.limitPrice, stop.status]).toEqual(['sell', '0.02', '96000', '95900', 'accepted']);

    // a gap: from 97000 straight to 95000, under the limit
    await tick('95000');
    await tick('95000');
    const during = await waitUntil(async () => {
      await tick('95000');
      const all = await ordersOf(signalId);
      const tp = all.find((o) => o.type === 'limit' && o.limitPrice === '99000');
      return tp?.status === 'cancelled' && all.some((o) => o.clientOrderId !== stop.clientOrderId && o.type === 'limit' && o.limitPrice === '95900' && o.status === 'accepted') ? all : undefined;
    }, 'the take-profit cancelled and what is held offered at the limit');
    const sold = (orders: Order[]) => orders.filter((o) => o.side === 'sell').reduce((sum, o) => sum + Number(o.filledQuantity), 0);
    expect(sold(during)).toBe(0); // nothing left under 95900
    expect(during.filter((o) => o.side === 'sell' && o.type === 'market')).toEqual([]);

    // back at the limit: what is held leaves there, never beyond the entry
    const after = await waitUntil(async () => {
      await tick('95950');
      const all = await ordersOf(signalId);
      return Math.abs(sold(all) - 0.02) < 1e-12 && all.every((o) => o.status !== 'accepted' && o.status !== 'partially_filled') ? all : undefined;
    }, 'everything sold at the limit');
    expect(sold(after)).toBeCloseTo(0.02, 12);
    for (const o of after.filter((x) => x.side === 'sell' && Number(x.filledQuantity) > 0)) expect(Number(o.averageFillPrice)).toBeGreaterThanOrEqual(95900);
    expect(await serverOf().runtime.exchange.fetchOpenOrders(placed[0]!.accountId)).toEqual([]);
  });

  it('a stop-limit whose limit is above a long\'s stop is skipped STOP_LIMIT_WRONG_SIDE; without a stop_loss it is refused 422', async () => {
    await tick('97000');
    const { secret } = demoOf(serverOf().runtime);
    const wrong = await postAlert(serverOf().runtime, { secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', stop_loss: '96000', stop_loss_limit: '96100', comment: 'wrong stop-limit' });
    expect(wrong.status).toBe(202);
    await quiesce(serverOf().runtime);
    expect((await fetchJson<SignalView>(serverOf().runtime, `/api/v1/signals/${wrong.body.signalId}`)).body.skipped.map((s) => s.code)).toEqual(['STOP_LIMIT_WRONG_SIDE']);
    const alone = await postAlert(serverOf().runtime, { secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', stop_loss_limit: '0.3%', comment: 'no stop' });
    expect(alone.status).toBe(422);
    expect(alone.text).toContain('INVALID_BRACKET');
  });

  it('a take-profit below the entry of a long is skipped TAKE_PROFIT_WRONG_SIDE; a split not summing to 100 is refused 422', async () => {
    serverOf().runtime.feed.setPrice('BTC/USDT', '97000');
    await quiesce(serverOf().runtime);
    const { secret } = demoOf(serverOf().runtime);
    const wrong = await postAlert(serverOf().runtime, { secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', take_profit: '96000', comment: 'wrong' });
    expect(wrong.status).toBe(202);
    await quiesce(serverOf().runtime);
    expect((await fetchJson<SignalView>(serverOf().runtime, `/api/v1/signals/${wrong.body.signalId}`)).body.skipped.map((s) => s.code)).toEqual(['TAKE_PROFIT_WRONG_SIDE']);
    const split = await postAlert(serverOf().runtime, { secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', take_profit: '99000,100000', take_profit_split: '60,60' });
    expect(split.status).toBe(422);
    expect(split.text).toContain('PERCENT_OVER_100');
  });
});
