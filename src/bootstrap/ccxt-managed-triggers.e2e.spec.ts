/**
 * PATRIOT-managed conditional orders (issue 17) through the real ccxt client against the sandbox:
 * what Binance cannot hold (a trailing stop by price distance; a stop-market on a symbol whose
 * exchangeInfo does not list STOP_LOSS) is armed in PATRIOT, nothing is sent while the sandbox's
 * price stays away from the trigger, and once it crosses, exactly one MARKET order with the
 * order's own clientOrderId reaches the exchange and fills; log, read model and exchange agree.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, waitUntil, type OrderView } from '../../test/support/server.js';
import { SANDBOX_MARKETS } from '../adapters/exchanges/paper/sandbox-markets.js';
import { alertWith, closeRigs, history, orderOf, rig, types } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
  cleanupTempDirs();
});

type ManagedView = OrderView & { type: string; managed?: boolean; currentTrigger?: string; trailExtreme?: string; triggered?: { trigger: string; price: string; source: string } };
const orderView = async (r: Awaited<ReturnType<typeof rig>>, id: string) => (await fetchJson<ManagedView>(r.server.runtime, `/api/v1/orders/${id}`)).body;

/** The sandbox's markets with BTC/USDT listing no STOP_LOSS / TAKE_PROFIT (as some Binance symbols do). */
const WITHOUT_STOP_LOSS = SANDBOX_MARKETS.map((m) => (m.symbol === 'BTC/USDT' ? { ...m, nativeTriggers: ['stop_limit', 'take_profit_limit'] as const } : m));

/** The sandbox's markets with BTC/USDT listing no STOP_LOSS_LIMIT. */
const WITHOUT_STOP_LIMIT = SANDBOX_MARKETS.map((m) => (m.symbol === 'BTC/USDT' ? { ...m, nativeTriggers: ['stop_market', 'take_profit', 'take_profit_limit'] as const } : m));

/** A market buy with a take-profit at 99000 and a stop at 95000, once both children are armed in PATRIOT. */
async function heldBracket(r: Awaited<ReturnType<typeof rig>>, alertId: string): Promise<{ entry: string; children: { tp: ManagedView; stop: ManagedView } }> {
  const signalId = await alertWith(r, alertId, { action: 'buy', take_profit: '99000', stop_loss: '95000' });
  const entry = await orderOf(r, signalId);
  const children = await waitUntil(async () => {
    const page = (await fetchJson<{ items: ManagedView[] }>(r.server.runtime, `/api/v1/orders?signalId=${signalId}&limit=50`)).body.items;
    const tp = page.find((o) => o.clientOrderId !== entry && o.type === 'take_profit' && o.status === 'armed');
    const stop = page.find((o) => o.clientOrderId !== entry && o.type === 'stop_market' && o.status === 'armed');
    return tp && stop ? { tp, stop } : undefined;
  }, 'the take-profit and the stop armed in PATRIOT', 20_000, 100);
  return { entry, children };
}

describe('managed by PATRIOT where Binance cannot hold the order', () => {
  it('a buy trailing stop by price distance is armed (nothing on the exchange), follows the lowest price, and on the way back up one market order leaves and fills', async () => {
    const r = await rig();
    const id = await orderOf(r, await alertWith(r, 'bn-trail-distance', { action: 'buy', trailing_distance: '500' }));
    const armed = await waitUntil(async () => {
      const o = await orderView(r, id);
      return o.status === 'armed' ? o : undefined;
    }, 'the trailing stop armed in PATRIOT');
    expect(armed).toMatchObject({ type: 'stop_market', managed: true, trailingDistance: '500', stopPrice: '97500', currentTrigger: '97500' });
    expect(r.sandbox.exchange.placementAttempts('sbx', id)).toBe(0);

    r.feed.setPrice('BTC/USDT', '95000');
    const followed = await waitUntil(async () => {
      const o = await orderView(r, id);
      return o.currentTrigger === '95500' ? o : undefined;
    }, 'the trail to follow the price down and be recorded', 20_000, 100);
    expect(followed).toMatchObject({ status: 'armed', trailExtreme: '95000' });
    expect(r.sandbox.exchange.placementAttempts('sbx', id)).toBe(0);

    r.feed.setPrice('BTC/USDT', '95600');
    await waitUntil(async () => (await types(r, id)).includes('OrderFilled'), 'the trigger crossed and the market order filled', 20_000, 50);
    const atExchange = await r.sandbox.exchange.fetchOrder('sbx', id);
    expect(atExchange).toMatchObject({ type: 'market', side: 'buy', status: 'filled' });
    expect(r.sandbox.exchange.placementAttempts('sbx', id)).toBe(1);
    const events = await history(r, id);
    expect(events.find((e) => e.type === 'OrderTriggered')?.data).toMatchObject({ trigger: '95500' });
    const done = await waitUntil(async () => {
      const o = await orderView(r, id);
      return o.status === 'filled' ? o : undefined;
    }, 'the read model to show it filled');
    expect(done).toMatchObject({ type: 'stop_market', managed: true, filledQuantity: atExchange!.filledQuantity, triggered: { trigger: '95500' } });
  });

  it('on a symbol that lists no STOP_LOSS, a buy stop-market is armed; a cancel ends it at once; another fires once as a market order when the price rises through it', async () => {
    const r = await rig({ sandboxMarkets: WITHOUT_STOP_LOSS });
    const cancelled = await orderOf(r, await alertWith(r, 'bn-managed-cancel', { action: 'buy', order_type: 'stop', stop_price: '98500' }));
    const fires = await orderOf(r, await alertWith(r, 'bn-managed-stop', { action: 'buy', order_type: 'stop', stop_price: '99000' }));
    for (const id of [cancelled, fires]) await waitUntil(async () => (await orderView(r, id)).status === 'armed', 'the stop armed in PATRIOT');
    const cancel = await fetchJson(r.server.runtime, `/api/v1/orders/${cancelled}/cancel`, { json: {} });
    expect(cancel.status, cancel.text).toBe(202);
    await waitUntil(async () => (await orderView(r, cancelled)).status === 'cancelled', 'the armed stop cancelled');

    r.feed.setPrice('BTC/USDT', '99100');
    await waitUntil(async () => (await types(r, fires)).includes('OrderFilled'), 'the stop to trigger and fill', 20_000, 50);
    expect(await r.sandbox.exchange.fetchOrder('sbx', fires)).toMatchObject({ type: 'market', side: 'buy', status: 'filled' });
    expect(r.sandbox.exchange.placementAttempts('sbx', fires)).toBe(1);
    expect(r.sandbox.exchange.placementAttempts('sbx', cancelled)).toBe(0);
    expect(await types(r, cancelled)).toEqual(['OrderApproved', 'OrderCancelRequested', 'OrderCancelled']);
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toEqual([]);
  });

  it('an armed order survives a restart: the new process watches it from its last recorded trail (not its first trigger) and sends it once', async () => {
    const first = await rig();
    const id = await orderOf(first, await alertWith(first, 'bn-managed-restart', { action: 'buy', trailing_distance: '500' }));
    await waitUntil(async () => (await orderView(first, id)).status === 'armed', 'the trailing stop armed');
    first.feed.setPrice('BTC/USDT', '95000');
    await waitUntil(async () => (await orderView(first, id)).currentTrigger === '95500', 'the trail recorded at 95500', 20_000, 100);
    await first.server.close();

    // a new process on the same data (and a fresh exchange connection): 95200 is under the trail's 95500, far under the first trigger 97500
    const second = await rig({ dataDir: first.server.dataDir, btcPrice: '95200' });
    second.feed.setPrice('BTC/USDT', '95600');
    await waitUntil(async () => (await types(second, id)).includes('OrderFilled'), 'the re-armed stop to trigger at its recorded trail and fill', 20_000, 50);
    expect(await second.sandbox.exchange.fetchOrder('sbx', id)).toMatchObject({ type: 'market', side: 'buy', status: 'filled' });
    expect(second.sandbox.exchange.placementAttempts('sbx', id)).toBe(1);
    expect(first.sandbox.exchange.placementAttempts('sbx', id)).toBe(0);
    expect((await history(second, id)).find((e) => e.type === 'OrderTriggered')?.data).toMatchObject({ trigger: '95500' });
  });

  it('a bracket on a symbol without STOP_LOSS: PATRIOT holds the stop and the take-profit (a resting take-profit would lock the base the stop must sell); the price falls through the stop: one market sell leaves, the take-profit ends at once', async () => {
    const r = await rig({ sandboxMarkets: WITHOUT_STOP_LOSS });
    const { entry, children } = await heldBracket(r, 'bn-managed-bracket');
    expect(children.stop).toMatchObject({ managed: true, stopPrice: '95000', parent: { role: 'stop' } });
    expect(children.tp).toMatchObject({ managed: true, stopPrice: '99000', parent: { role: 'take_profit' } });
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toEqual([]); // nothing rests: the base stays free

    r.feed.setPrice('BTC/USDT', '94900');
    await waitUntil(async () => (await types(r, children.stop.clientOrderId)).includes('OrderFilled'), 'the stop to trigger and fill', 20_000, 50).catch(async (e: unknown) => {
      throw new Error(`${String(e)} stop: ${JSON.stringify(await types(r, children.stop.clientOrderId))} tp: ${JSON.stringify(await types(r, children.tp.clientOrderId))}`);
    });
    await waitUntil(async () => (await types(r, children.tp.clientOrderId)).includes('OrderCancelled'), 'the take-profit ended by PATRIOT', 20_000, 50);
    expect(await r.sandbox.exchange.fetchOrder('sbx', children.stop.clientOrderId)).toMatchObject({ type: 'market', side: 'sell', status: 'filled', quantity: (await r.sandbox.exchange.fetchOrder('sbx', entry))!.filledQuantity });
    expect(r.sandbox.exchange.placementAttempts('sbx', children.stop.clientOrderId)).toBe(1);
    expect(r.sandbox.exchange.placementAttempts('sbx', children.tp.clientOrderId)).toBe(0);
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toEqual([]);
  });

  it('a bracket with a stop-limit on a symbol without STOP_LOSS_LIMIT: PATRIOT holds it; a gap under its limit triggers it, the take-profit ends at once, one LIMIT sell rests at the limit and fills there when the price comes back', async () => {
    const r = await rig({ sandboxMarkets: WITHOUT_STOP_LIMIT });
    const signalId = await alertWith(r, 'bn-managed-stop-limit', { action: 'buy', take_profit: '99000', stop_loss: '95000', stop_loss_limit: '94900' });
    const entry = await orderOf(r, signalId);
    const { tp, stop } = await waitUntil(async () => {
      const page = (await fetchJson<{ items: ManagedView[] }>(r.server.runtime, `/api/v1/orders?signalId=${signalId}&limit=50`)).body.items;
      const tp_ = page.find((o) => o.clientOrderId !== entry && o.type === 'take_profit' && o.status === 'armed');
      const stop_ = page.find((o) => o.clientOrderId !== entry && o.type === 'stop_limit' && o.status === 'armed');
      return tp_ && stop_ ? { tp: tp_, stop: stop_ } : undefined;
    }, 'the take-profit and the stop-limit armed in PATRIOT', 20_000, 100);
    expect(stop).toMatchObject({ managed: true, stopPrice: '95000', limitPrice: '94900' });
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toEqual([]);

    r.feed.setPrice('BTC/USDT', '94000');
    await waitUntil(async () => (await types(r, tp.clientOrderId)).includes('OrderCancelled'), 'the take-profit ended once the stop triggered', 20_000, 50);
    const resting = await waitUntil(async () => (await r.sandbox.exchange.fetchOpenOrders('sbx')).find((o) => o.clientOrderId === stop.clientOrderId), 'the stop-limit resting at its limit', 20_000, 50);
    expect(resting).toMatchObject({ type: 'limit', side: 'sell', limitPrice: '94900', filledQuantity: '0' });
    expect(r.sandbox.exchange.placementAttempts('sbx', tp.clientOrderId)).toBe(0);

    r.feed.setPrice('BTC/USDT', '94950');
    await waitUntil(async () => (await types(r, stop.clientOrderId)).includes('OrderFilled'), 'the limit sell to fill', 20_000, 50);
    await waitUntil(async () => (await r.sandbox.exchange.fetchOpenOrders('sbx')).length === 0, 'nothing left open at the exchange');
    const atExchange = (await r.sandbox.exchange.fetchOrder('sbx', stop.clientOrderId))!;
    expect(atExchange).toMatchObject({ status: 'filled', quantity: (await r.sandbox.exchange.fetchOrder('sbx', entry))!.filledQuantity });
    for (const fill of atExchange.fills) expect(Number(fill.price)).toBeGreaterThanOrEqual(94900);
    expect(r.sandbox.exchange.placementAttempts('sbx', stop.clientOrderId)).toBe(1);
  });

  it('the same bracket when the price rises to the take-profit: one market sell leaves at the take-profit, the held stop ends at once', async () => {
    const r = await rig({ sandboxMarkets: WITHOUT_STOP_LOSS });
    const { children } = await heldBracket(r, 'bn-managed-bracket-tp');
    r.feed.setPrice('BTC/USDT', '99100');
    await waitUntil(async () => (await types(r, children.tp.clientOrderId)).includes('OrderFilled'), 'the take-profit to trigger and fill', 20_000, 50);
    await waitUntil(async () => (await types(r, children.stop.clientOrderId)).includes('OrderCancelled'), 'the stop ended by PATRIOT', 20_000, 50);
    expect(await r.sandbox.exchange.fetchOrder('sbx', children.tp.clientOrderId)).toMatchObject({ type: 'market', side: 'sell', status: 'filled' });
    expect(r.sandbox.exchange.placementAttempts('sbx', children.stop.clientOrderId)).toBe(0);
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toEqual([]);
  });
});
