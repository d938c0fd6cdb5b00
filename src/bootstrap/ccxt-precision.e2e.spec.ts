/**
 * Rounding to the exchange's own step and tick is never silent. PATRIOT routes with the
 * exchange's own rules (its market list), so an order is rounded when it is decided and what was
 * asked for is recorded beside it (`requestedQuantity`, `requestedLimitPrice`); a quantity that
 * rounds to nothing is refused before anything is sent. Through the real ccxt client against a
 * sandbox whose BTC/USDT has a coarse step (0.0001) and tick (1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Market } from '../application/ports/exchange.js';
import { PAPER_MARKETS } from '../adapters/exchanges/paper/markets.js';
import { cleanupTempDirs, fetchJson, waitUntil, type OrderView, type Page } from '../../test/support/server.js';
import { ACCOUNT, alert, closeRigs, expectFilledOnce, history, orderOf, rig, types, type Rig } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
  cleanupTempDirs();
});

/** BTC/USDT in steps of 0.0001 BTC and ticks of 1 USDT. */
const COARSE: readonly Market[] = PAPER_MARKETS.map((m) => (m.symbol === 'BTC/USDT' ? { ...m, stepSize: '0.0001', minQty: '0.0001', tickSize: '1' } : m));

async function orderView(r: Rig, id: string): Promise<OrderView> {
  await r.server.runtime.settle();
  const page = await fetchJson<Page<OrderView & { sentQuantity?: string; sentPrice?: string; adjustments?: string[]; requestedQuantity?: string; requestedLimitPrice?: string }>>(r.server.runtime, `/api/v1/orders?accountId=${ACCOUNT}&limit=200`);
  return page.body.items.find((o) => o.clientOrderId === id)!;
}

describe('an order rounded to the exchange\'s rules', () => {
  it('a quantity rounded down to the step: what was asked for is recorded and shown beside what was sent, and filling it completes the order', async () => {
    const r = await rig({ sandboxMarkets: COARSE });
    const id = await orderOf(r, await alert(r, 'round-qty', '0.000123'));
    await expectFilledOnce(r, id);
    const approved = (await history(r, id)).find((e) => e.type === 'OrderApproved')!;
    expect(approved.data).toMatchObject({ quantity: '0.0001', requestedQuantity: '0.000123' });
    expect(await orderView(r, id)).toMatchObject({ quantity: '0.0001', requestedQuantity: '0.000123', filledQuantity: '0.0001', status: 'filled' });
    expect((await r.sandbox.exchange.fetchOrder('sbx', id))?.quantity).toBe('0.0001');
  });

  it("a limit price off the exchange's tick: rounded in the passive direction when decided, the price asked for recorded and shown", async () => {
    const r = await rig({ sandboxMarkets: COARSE, orderType: 'limit', limitOffsetBps: '333' });
    const id = await orderOf(r, await alert(r, 'round-price', '0.001'));
    await waitUntil(async () => (await types(r, id)).includes('OrderAccepted'), 'the limit order to rest on the exchange');
    const view = await orderView(r, id);
    // 3.33 % below the exchange's 97,000 is 93,769.9; a buy rounds down to the tick of 1
    expect(view).toMatchObject({ limitPrice: '93769', requestedLimitPrice: '93769.9', status: 'accepted' });
    expect((await r.sandbox.exchange.fetchOrder('sbx', id))?.limitPrice).toBe('93769');
  });

  it('a quantity that rounds to nothing is refused when decided (BELOW_MIN_QUANTITY) and never sent', async () => {
    const r = await rig({ sandboxMarkets: COARSE });
    const answer = await alert(r, 'round-to-zero', '0.00009');
    const processed = await waitUntil(async () => (await r.server.runtime.events.readStream(`signal-${answer}`)).find((e) => e.type === 'SignalProcessed'), 'the signal to be routed');
    expect(processed.data).toMatchObject({ orders: [], skipped: [expect.objectContaining({ code: 'BELOW_MIN_QUANTITY', message: expect.stringContaining('rounds down to 0 at step 0.0001') })] });
    expect(r.sandbox.placementStats()).toEqual({});
  });
});
