/**
 * The kill switch's flatten (issue 17) through the real ccxt client against the Binance sandbox:
 * with a filled position, a bracket whose children rest on the exchange and a resting limit order,
 * engaging the account's kill switch with `flatten` leaves the account with zero open orders and
 * zero position at the sandbox, each order placed once, and PATRIOT's state equal to the exchange's.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Dec } from '../domain/shared/decimal.js';
import { cleanupTempDirs, fetchJson, waitUntil, type OrderView } from '../../test/support/server.js';
import { ACCOUNT, alertWith, closeRigs, expectFilledOnce, orderOf, rig, types } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
});
afterAll(() => cleanupTempDirs());


describe('the kill switch flattens an account at the exchange', () => {
  it('flatten: every open order is cancelled at the sandbox, then the position is sold; zero open orders and zero BTC remain', async () => {
    const r = await rig();
    const { runtime } = r.server;
    const btcAtExchange = async () => new Dec((await r.sandbox.exchange.fetchBalances('sbx')).find((b) => b.asset === 'BTC')?.total ?? '0');

    await expectFilledOnce(r, await orderOf(r, await alertWith(r, 'ks-buy', { action: 'buy', quantity: '0.02' })));
    const bracketSignal = await alertWith(r, 'ks-bracket', { action: 'buy', take_profit: '99000', stop_loss: '95000' });
    const entry = await orderOf(r, bracketSignal);
    await waitUntil(async () => {
      const page = (await fetchJson<{ items: OrderView[] }>(runtime, `/api/v1/orders?signalId=${bracketSignal}&limit=50`)).body.items;
      return page.filter((o) => o.clientOrderId !== entry && o.status === 'accepted').length === 2;
    }, 'the bracket children on the exchange', 20_000, 100);
    const resting = await orderOf(r, await alertWith(r, 'ks-resting', { action: 'buy', order_type: 'limit', limit_price: '90000' }));
    await waitUntil(async () => (await types(r, resting)).includes('OrderAccepted'), 'the resting order accepted', 15_000, 50);
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toHaveLength(3);
    expect((await btcAtExchange()).toFixed()).toBe('0.03');

    const engaged = await fetchJson<{ engaged: boolean; actions?: { requestId: string } }>(runtime, `/api/v1/accounts/${ACCOUNT}/kill-switch`, { method: 'PUT', json: { engaged: true, reason: 'flatten test', flatten: true } });
    expect(engaged.status, engaged.text).toBe(200);
    const done = await waitUntil(async () => {
      const account = (await fetchJson<{ killSwitch: { actions?: { status: string; closes?: { signalId: string }[]; cancelled?: string[] } } }>(runtime, `/api/v1/accounts/${ACCOUNT}`)).body;
      return account.killSwitch.actions?.status === 'done' ? account.killSwitch.actions : undefined;
    }, 'the flatten to be recorded', 30_000, 100);
    expect(done.cancelled).toHaveLength(3);
    expect(done.closes).toHaveLength(1);
    const close = await orderOf(r, done.closes![0]!.signalId);
    expect(await expectFilledOnce(r, close, 20_000)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);

    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toEqual([]);
    expect((await btcAtExchange()).isZero()).toBe(true);
    const atExchange = await r.sandbox.exchange.fetchOrder('sbx', close);
    expect([atExchange?.side, atExchange?.type, atExchange?.filledQuantity]).toEqual(['sell', 'market', '0.03']);
    await waitUntil(async () => {
      const h = (await fetchJson<{ quantity: string }>(runtime, `/api/v1/accounts/${ACCOUNT}/positions/${encodeURIComponent('BTC/USDT')}/strategies`)).body;
      return new Dec(h.quantity).isZero();
    }, 'the account flat in PATRIOT');
    // the price now crosses where the stop and the take-profit were: nothing is placed again
    r.feed.setPrice('BTC/USDT', '94000');
    const afterDrop = await alertWith(r, 'ks-after', { action: 'buy' });
    const routed = await waitUntil(async () => {
      const s = (await fetchJson<{ outcome: string; orders: { reasons?: { code: string }[] }[] }>(runtime, `/api/v1/signals/${afterDrop}`)).body;
      return s.outcome !== undefined && s.outcome !== 'pending' ? s : undefined;
    }, 'the alert after the flatten to be routed');
    expect(JSON.stringify(routed)).toContain('KILL_SWITCH_ACCOUNT');
    expect(await r.sandbox.exchange.fetchOpenOrders('sbx')).toEqual([]);
    expect((await btcAtExchange()).isZero()).toBe(true);
    for (const id of [entry, resting, close]) expect(r.sandbox.exchange.placementAttempts('sbx', id)).toBe(1);
  });
});
