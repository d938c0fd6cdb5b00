/**
 * Brackets as Binance one-cancels-other order lists (issue 17) through the real ccxt client against
 * the sandbox, whose resting sells hold their base as on Binance spot (a lone take-profit and a lone
 * stop could not both rest): each take-profit leg rests in one list with its share of the stop; the
 * exchange ends the sibling; break-even replaces the remaining lists; a lost answer is looked up,
 * never sent twice; and PATRIOT's record ends equal to the exchange's.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Dec } from '../domain/shared/decimal.js';
import { cleanupTempDirs, fetchJson, waitUntil, type OrderView } from '../../test/support/server.js';
import { alertWith, closeRigs, orderOf, rig, types, type Rig } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
});
afterAll(() => cleanupTempDirs());

type Child = OrderView & { type: string; stopPrice?: string; orderList?: { listClientOrderId: string; leg: string }; parent?: { index: number; generation?: number } };

async function children(r: Rig, signalId: string, entry: string): Promise<Child[]> {
  const page = (await fetchJson<{ items: Child[] }>(r.server.runtime, `/api/v1/orders?signalId=${signalId}&limit=100`)).body.items;
  return page.filter((o) => o.clientOrderId !== entry);
}

const btcAt = async (r: Rig): Promise<Dec> => new Dec((await r.sandbox.exchange.fetchBalances('sbx')).find((b) => b.asset === 'BTC')?.total ?? '0');

describe('brackets as one-cancels-other order lists through ccxt (Binance spot)', () => {
  it('two take-profit levels with break-even: one list per level; the first take-profit fills, the second list moves its stop to the entry price, the price falls back and that stop sells the rest', async () => {
    const r = await rig();
    const signalId = await alertWith(r, 'oco-two-levels', { action: 'buy', quantity: '0.02', take_profit: '98000,99000', stop_loss: '95000', break_even: 'true' });
    const entry = await orderOf(r, signalId);
    const lists = await waitUntil(async () => {
      const open = (await children(r, signalId, entry)).filter((o) => o.status === 'accepted');
      return open.length === 4 ? open : undefined;
    }, 'two lists on the exchange', 20_000, 100);
    expect(new Set(lists.map((o) => o.orderList?.listClientOrderId)).size).toBe(2);
    const bought = new Dec((await r.sandbox.exchange.fetchOrder('sbx', entry))!.filledQuantity);
    expect(lists.filter((o) => o.type === 'limit').reduce((sum, o) => sum.plus(o.quantity), new Dec(0)).toFixed()).toBe(bought.toFixed());
    const entryPrice = (await r.sandbox.exchange.fetchOrder('sbx', entry))!.fills[0]!.price;

    r.feed.setPrice('BTC/USDT', '98100');
    const first = lists.find((o) => o.type === 'limit' && o.limitPrice === '98000')!;
    await waitUntil(async () => (await types(r, first.clientOrderId)).includes('OrderFilled'), 'the first take-profit to fill', 20_000, 50);
    // break-even: the second level's list is cancelled and placed again with its stop at the entry price
    const moved = await waitUntil(async () => {
      const open = (await children(r, signalId, entry)).filter((o) => o.status === 'accepted' && o.type === 'stop_market');
      return open.length === 1 && open[0]!.parent?.generation === 1 ? open[0] : undefined;
    }, 'the second list placed again at break-even', 20_000, 100);
    expect(new Dec(moved.stopPrice!).greaterThanOrEqualTo(entryPrice)).toBe(true);
    expect((await r.sandbox.exchange.fetchOpenOrders('sbx')).map((o) => o.type).sort()).toEqual(['limit', 'stop_market']);

    r.feed.setPrice('BTC/USDT', new Dec(moved.stopPrice!).minus(50).toFixed());
    await waitUntil(async () => (await types(r, moved.clientOrderId)).includes('OrderFilled'), 'the break-even stop to sell the rest', 20_000, 50);
    await waitUntil(async () => (await r.sandbox.exchange.fetchOpenOrders('sbx')).length === 0, 'nothing left open at the exchange');
    expect((await btcAt(r)).isZero()).toBe(true);
    // every child was sent once, and PATRIOT's record equals the exchange's
    for (const child of await children(r, signalId, entry)) {
      expect(r.sandbox.exchange.placementAttempts('sbx', child.clientOrderId), child.clientOrderId).toBe(1);
      const atExchange = await r.sandbox.exchange.fetchOrder('sbx', child.clientOrderId);
      const ours = await waitUntil(async () => {
        const o = (await fetchJson<OrderView>(r.server.runtime, `/api/v1/orders/${child.clientOrderId}`)).body;
        return o.status === atExchange!.status ? o : undefined;
      }, `${child.clientOrderId} to agree with the exchange (${atExchange!.status})`);
      expect(ours.filledQuantity).toBe(atExchange!.filledQuantity);
    }
  });

  it('the stop triggers: the exchange expires the take-profit, the stop sells everything, nothing is left', async () => {
    const r = await rig();
    const signalId = await alertWith(r, 'oco-stop', { action: 'buy', take_profit: '99000', stop_loss: '95000' });
    const entry = await orderOf(r, signalId);
    const legs = await waitUntil(async () => {
      const open = (await children(r, signalId, entry)).filter((o) => o.status === 'accepted');
      return open.length === 2 ? open : undefined;
    }, 'the list on the exchange', 20_000, 100);
    r.feed.setPrice('BTC/USDT', '94900');
    const stop = legs.find((o) => o.type === 'stop_market')!;
    const tp = legs.find((o) => o.type === 'limit')!;
    await waitUntil(async () => (await types(r, stop.clientOrderId)).includes('OrderFilled'), 'the stop to fill', 20_000, 50);
    await waitUntil(async () => (await types(r, tp.clientOrderId)).includes('OrderExpired'), 'the take-profit expired by the exchange', 20_000, 50);
    expect((await btcAt(r)).isZero()).toBe(true);
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toEqual([]);
  });

  it('a stop-limit stop (stop_loss_limit) rests in the list as STOP_LOSS_LIMIT: a gap under its limit sells nothing there; back at the limit it sells everything, never under it', async () => {
    const r = await rig();
    const signalId = await alertWith(r, 'oco-stop-limit', { action: 'buy', take_profit: '99000', stop_loss: '95000', stop_loss_limit: '94900' });
    const entry = await orderOf(r, signalId);
    const legs = await waitUntil(async () => {
      const open = (await children(r, signalId, entry)).filter((o) => o.status === 'accepted');
      return open.length === 2 ? open : undefined;
    }, 'the list on the exchange', 20_000, 100);
    const stop = legs.find((o) => o.type === 'stop_limit')!;
    expect([stop.stopPrice, stop.limitPrice]).toEqual(['95000', '94900']);
    expect((await r.sandbox.exchange.fetchOpenOrders('sbx')).map((o) => o.type).sort()).toEqual(['limit', 'stop_limit']);
    const held = await btcAt(r);

    r.feed.setPrice('BTC/USDT', '94000');
    const tp = legs.find((o) => o.type === 'limit')!;
    await waitUntil(async () => (await types(r, tp.clientOrderId)).includes('OrderExpired'), 'the take-profit expired by the exchange (the stop triggered)', 20_000, 50);
    // under the limit: the stop-limit rests, nothing was sold and nothing else was sent
    expect((await btcAt(r)).toFixed()).toBe(held.toFixed());
    expect((await r.sandbox.exchange.fetchOpenOrders('sbx')).map((o) => o.clientOrderId)).toEqual([stop.clientOrderId]);

    r.feed.setPrice('BTC/USDT', '94950');
    await waitUntil(async () => (await types(r, stop.clientOrderId)).includes('OrderFilled'), 'the stop-limit to sell at its limit', 20_000, 50);
    await waitUntil(async () => (await r.sandbox.exchange.fetchOpenOrders('sbx')).length === 0, 'nothing left open at the exchange');
    expect((await btcAt(r)).isZero()).toBe(true);
    const atExchange = (await r.sandbox.exchange.fetchOrder('sbx', stop.clientOrderId))!;
    for (const fill of atExchange.fills) expect(new Dec(fill.price).greaterThanOrEqualTo('94900')).toBe(true);
    for (const child of await children(r, signalId, entry)) expect(r.sandbox.exchange.placementAttempts('sbx', child.clientOrderId), child.clientOrderId).toBe(1);
  });

  it('the list is placed but its answer is lost (HTTP 503 after placing): both legs are looked up and adopted, the list is never sent again', async () => {
    const r = await rig();
    r.sandbox.faults.inject({ kind: 'http_error', status: 503, when: 'after', method: 'POST', path: '/api/v3/orderList/oco' });
    const signalId = await alertWith(r, 'oco-lost', { action: 'buy', take_profit: '99000', stop_loss: '95000' });
    const entry = await orderOf(r, signalId);
    const legs = await waitUntil(async () => {
      const open = (await children(r, signalId, entry)).filter((o) => o.status === 'accepted');
      return open.length === 2 ? open : undefined;
    }, 'both legs adopted after their look-ups', 30_000, 100);
    expect(r.sandbox.faults.pending(), 'the 503 was answered').toEqual([]);
    expect(r.server.logs.text()).toContain('order list outcome unknown');
    // the legs were learnt from the exchange (its order stream or a look-up), and the list left once
    for (const leg of legs) expect(r.sandbox.exchange.placementAttempts('sbx', leg.clientOrderId), leg.clientOrderId).toBe(1);
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toHaveLength(2);
  });
});
