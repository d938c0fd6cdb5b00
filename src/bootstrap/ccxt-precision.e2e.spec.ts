/**
 * Rounding to the exchange's own step and tick is never silent: when the exchange's rules are
 * coarser than the ones an order was sized with, what actually went out is recorded on the order
 * and shown by the API; a quantity that rounds to nothing is refused with a clear code, not sent.
 * Through the real ccxt client against a sandbox whose BTC/USDT is coarser than PATRIOT's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Market } from '../application/ports/exchange.js';
import { PAPER_MARKETS } from '../adapters/exchanges/paper/markets.js';
import { placementLedger } from '../adapters/exchanges/sandbox/placement-ledger.js';
import { cleanupTempDirs, fetchJson, waitUntil, type OrderView, type Page } from '../../test/support/server.js';
import { ACCOUNT, alert, closeRigs, expectFilledOnce, history, orderOf, rig, types, type Rig } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
  cleanupTempDirs();
});

/** BTC/USDT in steps of 0.0001 BTC and ticks of 1 USDT (PATRIOT routes with 0.00001 and 0.01). */
const COARSE: readonly Market[] = PAPER_MARKETS.map((m) => (m.symbol === 'BTC/USDT' ? { ...m, stepSize: '0.0001', minQty: '0.0001', tickSize: '1' } : m));

async function orderView(r: Rig, id: string): Promise<OrderView> {
  await r.server.runtime.settle();
  const page = await fetchJson<Page<OrderView & { sentQuantity?: string; sentPrice?: string; adjustments?: string[] }>>(r.server.runtime, `/api/v1/orders?accountId=${ACCOUNT}&limit=200`);
  return page.body.items.find((o) => o.clientOrderId === id)!;
}

describe('an order rounded to the exchange\'s rules', () => {
  it('a quantity rounded down to the step: the quantity sent is recorded and shown, and filling it completes the order', async () => {
    const r = await rig({ sandboxMarkets: COARSE });
    const id = await orderOf(r, await alert(r, 'round-qty', '0.000123'));
    await expectFilledOnce(r, id);
    const accepted = (await history(r, id)).find((e) => e.type === 'OrderAccepted')!;
    expect(accepted.data).toMatchObject({ sentQuantity: '0.0001', adjustments: [expect.stringContaining('rounded down to 0.0001')] });
    expect(await orderView(r, id)).toMatchObject({ quantity: '0.00012', sentQuantity: '0.0001', filledQuantity: '0.0001', status: 'filled' });
  });

  it('a limit price off the exchange\'s tick: the price sent is recorded and shown', async () => {
    const r = await rig({ sandboxMarkets: COARSE, orderType: 'limit', limitOffsetBps: '333' });
    const id = await orderOf(r, await alert(r, 'round-price', '0.001'));
    await waitUntil(async () => (await types(r, id)).includes('OrderAccepted'), 'the limit order to rest on the exchange');
    const view = await orderView(r, id);
    expect(view.limitPrice).toBe('93769.9'); // 3.33 % below 97,000, on PATRIOT's tick
    expect(view).toMatchObject({ sentPrice: '93769', status: 'accepted' }); // a buy rounded down to the exchange's tick
    expect((await r.sandbox.exchange.fetchOrder('sbx', id))?.limitPrice).toBe('93769');
  });

  it('a quantity that rounds to nothing is refused with LOT_SIZE and never sent', async () => {
    const r = await rig({ sandboxMarkets: COARSE });
    const id = await orderOf(r, await alert(r, 'round-to-zero', '0.00009'));
    await waitUntil(async () => (await types(r, id)).includes('OrderExchangeRejected'), 'the order to be refused');
    expect((await history(r, id)).at(-1)?.data).toMatchObject({ code: 'LOT_SIZE', reason: expect.stringContaining('below one step') });
    expect(placementLedger(r.sandbox.exchange).count('sbx', id).requests).toBe(0);
    expect((await orderView(r, id)).status).toBe('exchange_rejected');
  });
});
