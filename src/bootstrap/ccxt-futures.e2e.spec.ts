/**
 * Futures leverage and margin mode through the real ccxt client against the sandbox's /fapi
 * (issue 17, ADR-0024): a swap account set to 5x isolated has the sandbox at 5x isolated before
 * its first order; a change is set again before the next order; a leverage the exchange refuses
 * leaves no order at the sandbox and a rejection the user sees; a reduce-only exit that would
 * flip the position is refused by the exchange and reported as such.
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Dec } from '../domain/shared/decimal.js';
import { cleanupTempDirs, fetchJson, makeTempDir, waitUntil, type OrderView } from '../../test/support/server.js';
import { ACCOUNT, alert, alertWith, closeRigs, history, orderOf, rig, type Rig } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
});
afterAll(() => cleanupTempDirs());

const SANDBOX_ACCOUNT = 'sbx';
const futuresPath = `/api/v1/accounts/${ACCOUNT}/futures`;

async function setFutures(r: Rig, body: unknown): Promise<void> {
  const put = await fetchJson(r.server.runtime, futuresPath, { method: 'PUT', json: body });
  expect(put.status, put.text).toBe(200);
}

/** Waits for the order's outcome in the log; its event types. */
async function outcome(r: Rig, clientOrderId: string, final: string): Promise<string[]> {
  return waitUntil(async () => {
    const types = (await history(r, clientOrderId)).map((e) => e.type);
    return types.includes(final) ? types : undefined;
  }, `order ${clientOrderId}: ${final}`, 20_000, 50);
}

async function orderView(r: Rig, clientOrderId: string): Promise<OrderView> {
  await r.server.runtime.settle();
  const found = await fetchJson<OrderView>(r.server.runtime, `/api/v1/orders/${clientOrderId}`);
  expect(found.status, found.text).toBe(200);
  return found.body;
}

describe('futures leverage and margin mode through ccxt against the sandbox', () => {
  it('5x isolated is set at the exchange before the first order; a change is set again before the next one', async () => {
    const r = await rig({ marketType: 'swap' });
    await setFutures(r, { leverage: 5, marginMode: 'isolated' });
    const first = await orderOf(r, await alert(r, 'fut-1', '0.01'));
    expect(await outcome(r, first, 'OrderFilled')).toContain('OrderAccepted');
    expect(r.sandbox.futures.settings(SANDBOX_ACCOUNT, 'BTC/USDT')).toEqual({ leverage: 5, marginType: 'ISOLATED' });
    expect(r.sandbox.futures.journal(SANDBOX_ACCOUNT)).toEqual([
      { kind: 'marginType', symbol: 'BTC/USDT', marginType: 'ISOLATED' },
      { kind: 'leverage', symbol: 'BTC/USDT', leverage: 5 },
      { kind: 'order', symbol: 'BTC/USDT', clientOrderId: first, leverage: 5, marginType: 'ISOLATED' },
    ]);
    const [position] = r.sandbox.futures.positions(SANDBOX_ACCOUNT, 'BTC/USDT');
    expect(position!.amount.toFixed()).toBe('0.01');

    // a second order at the same settings sets nothing again
    const second = await orderOf(r, await alert(r, 'fut-2', '0.01'));
    await outcome(r, second, 'OrderFilled');
    expect(r.sandbox.futures.journal(SANDBOX_ACCOUNT).slice(3).map((e) => e.kind)).toEqual(['order']);

    // a change (BTC/USDT to 3x by its own override) is set before the next order; the margin mode already matches (-4046 counts as set)
    await setFutures(r, { leverage: 5, marginMode: 'isolated', symbols: { 'BTC/USDT': { leverage: 3 } } });
    const shown = await fetchJson<{ futures?: unknown; marketType?: string }>(r.server.runtime, `/api/v1/accounts/${ACCOUNT}`);
    expect(shown.body).toMatchObject({ marketType: 'swap', futures: { leverage: 5, marginMode: 'isolated', symbols: { 'BTC/USDT': { leverage: 3 } } } });
    const third = await orderOf(r, await alert(r, 'fut-3', '0.01'));
    await outcome(r, third, 'OrderFilled');
    expect(r.sandbox.futures.journal(SANDBOX_ACCOUNT).slice(4)).toEqual([
      { kind: 'leverage', symbol: 'BTC/USDT', leverage: 3 },
      { kind: 'order', symbol: 'BTC/USDT', clientOrderId: third, leverage: 3, marginType: 'ISOLATED' },
    ]);
    const events = await r.server.runtime.events.readStream(`account-${ACCOUNT}`);
    expect(events.filter((e) => e.type === 'AccountFuturesSettingsChanged').length).toBe(2);
  });

  it('after a restart the settings come from the log and are set again before the first order', async () => {
    const dataDir = join(makeTempDir('patriot-futures-restart-'), 'data');
    const before = await rig({ marketType: 'swap', dataDir });
    await setFutures(before, { leverage: 6, marginMode: 'isolated' });
    await outcome(before, await orderOf(before, await alert(before, 'fut-r1', '0.01')), 'OrderFilled');
    await before.server.close();
    // the same data on a new process, trading a fresh exchange account (20x cross until told otherwise)
    const after = await rig({ marketType: 'swap', dataDir });
    expect(after.sandbox.futures.settings(SANDBOX_ACCOUNT, 'BTC/USDT')).toEqual({ leverage: 20, marginType: 'CROSSED' });
    const next = await orderOf(after, await alert(after, 'fut-r2', '0.01'));
    await outcome(after, next, 'OrderFilled');
    expect(after.sandbox.futures.journal(SANDBOX_ACCOUNT)).toEqual([
      { kind: 'marginType', symbol: 'BTC/USDT', marginType: 'ISOLATED' },
      { kind: 'leverage', symbol: 'BTC/USDT', leverage: 6 },
      { kind: 'order', symbol: 'BTC/USDT', clientOrderId: next, leverage: 6, marginType: 'ISOLATED' },
    ]);
  });

  it('a leverage the exchange refuses leaves no order at the sandbox and a rejection the user sees', async () => {
    const r = await rig({ marketType: 'swap' });
    r.sandbox.futures.setMaxLeverage('BTC/USDT', 10);
    await setFutures(r, { leverage: 20, marginMode: 'cross' });
    const refused = await orderOf(r, await alert(r, 'fut-refused', '0.01'));
    const types = await outcome(r, refused, 'OrderExchangeRejected');
    // recorded as about to leave (ADR-0011), then refused before createOrder: a definite outcome, never "unknown"
    expect(types).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderExchangeRejected']);
    expect(r.sandbox.placements(refused)).toEqual({ received: 0, accepted: 0, refused: 0 });
    expect(r.sandbox.futures.openOrders(SANDBOX_ACCOUNT)).toEqual([]);
    expect(r.sandbox.futures.journal(SANDBOX_ACCOUNT).some((e) => e.kind === 'order')).toBe(false);
    const view = await orderView(r, refused);
    expect(view.status).toBe('exchange_rejected');
    const said = JSON.stringify(view);
    expect(said).toContain('FUTURES_SETTINGS_REFUSED');
    expect(said).toContain('Leverage 20 is not valid');

    // within the bracket: the next order goes, at 10x
    await setFutures(r, { leverage: 10, marginMode: 'cross' });
    const next = await orderOf(r, await alert(r, 'fut-after', '0.01'));
    await outcome(r, next, 'OrderFilled');
    expect(r.sandbox.futures.settings(SANDBOX_ACCOUNT, 'BTC/USDT')).toEqual({ leverage: 10, marginType: 'CROSSED' });
  });

  it('a network failure while setting sends no order and is not an unknown outcome: the order is tried again, settings first, and goes once', async () => {
    const r = await rig({ marketType: 'swap' });
    await setFutures(r, { leverage: 4, marginMode: 'cross' });
    // the leverage call is processed by the exchange but its answer never comes (the connection drops)
    r.sandbox.faults.inject({ kind: 'timeout', mode: 'destroy', method: 'POST', path: '/fapi/v1/leverage' });
    const lost = await orderOf(r, await alert(r, 'fut-net', '0.01'));
    const types = await outcome(r, lost, 'OrderFilled');
    expect(types.filter((t) => t === 'OrderSubmitted')).toHaveLength(2); // the first attempt sent nothing
    expect(types).not.toContain('OrderStatusUnknown');
    expect(types).not.toContain('OrderExchangeRejected');
    expect(r.sandbox.placements(lost)).toEqual({ received: 1, accepted: 1, refused: 0 });
    const journal = r.sandbox.futures.journal(SANDBOX_ACCOUNT);
    // 4x was applied by the lost call and is applied again (idempotent) before the order
    expect(journal.map((e) => e.kind)).toEqual(['leverage', 'leverage', 'order']);
    expect(journal[2]).toMatchObject({ clientOrderId: lost, leverage: 4, marginType: 'CROSSED' });
  });

  it('a reduce-only exit that would flip the position (closed at the exchange meanwhile) is refused by the exchange and reported as such', async () => {
    const r = await rig({ marketType: 'swap' });
    await setFutures(r, { leverage: 5, marginMode: 'isolated' });
    const entry = await orderOf(r, await alert(r, 'fut-entry', '0.01'));
    await outcome(r, entry, 'OrderFilled');
    // the position is closed at the exchange behind PATRIOT's back (e.g. by hand in the exchange's app)
    const market = r.sandbox.futures.positions(SANDBOX_ACCOUNT, 'BTC/USDT')[0]!;
    expect(market.amount.toFixed()).toBe('0.01');
    const btc = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', maxQty: '9000', minNotional: '5' };
    r.sandbox.futures.place(SANDBOX_ACCOUNT, { market: btc, clientOrderId: 'byhand', side: 'SELL', type: 'MARKET', quantity: new Dec('0.01'), reduceOnly: true }, Date.now());
    const exit = await orderOf(r, await alertWith(r, 'fut-exit', { action: 'exit_long' }));
    const types = await outcome(r, exit, 'OrderExchangeRejected');
    expect(types).toContain('OrderSubmitted');
    const view = await orderView(r, exit);
    expect([view.side, view.reduceOnly, view.status]).toEqual(['sell', true, 'exchange_rejected']);
    expect(JSON.stringify(view)).toContain('ReduceOnly Order is rejected.');
    expect(r.sandbox.placements(exit)).toMatchObject({ received: 1, accepted: 0, refused: 1 });
    expect(r.sandbox.futures.positions(SANDBOX_ACCOUNT, 'BTC/USDT')[0]!.amount.isZero()).toBe(true);
  });

  it('a stop on a futures account is held by PATRIOT (Binance futures stops are algo orders PATRIOT could not look up) and goes as one market order when the price crosses it', async () => {
    const r = await rig({ marketType: 'swap' });
    await setFutures(r, { leverage: 3, marginMode: 'cross' });
    const stop = await orderOf(r, await alertWith(r, 'fut-stop', { action: 'buy', quantity: '0.01', order_type: 'stop', stop_price: '99000' }));
    await waitUntil(async () => (await orderView(r, stop)).status === 'armed', 'the stop armed in PATRIOT');
    expect(r.sandbox.placements(stop)).toEqual({ received: 0, accepted: 0, refused: 0 });
    r.feed.setPrice('BTC/USDT', '99100');
    const types = await outcome(r, stop, 'OrderFilled');
    expect(types).toEqual(expect.arrayContaining(['OrderTriggered', 'OrderSubmitted', 'OrderFilled']));
    expect(r.sandbox.placements(stop)).toEqual({ received: 1, accepted: 1, refused: 0 });
    expect(r.sandbox.futures.journal(SANDBOX_ACCOUNT).filter((e) => e.kind === 'order')).toEqual([expect.objectContaining({ clientOrderId: stop, leverage: 3 })]);
    expect(r.sandbox.futures.positions(SANDBOX_ACCOUNT, 'BTC/USDT')[0]!.amount.toFixed()).toBe('0.01');
  });
});
