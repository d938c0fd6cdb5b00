/**
 * An order accepted (and filled) whose answer was lost, while the exchange's order queries lag
 * and its user-data stream is silent: PATRIOT must never send that clientOrderId again (Binance
 * accepts a reused id once the first order is filled: a second real order), and must not
 * conclude the order absent while a fill of it could exist unseen. Through the real ccxt client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { placementLedger } from '../adapters/exchanges/sandbox/placement-ledger.js';
import { cleanupTempDirs, fetchJson, waitUntil, type OrderView, type Page } from '../../test/support/server.js';
import { ACCOUNT, alert, closeRigs, expectFilledOnce, orderOf, rig, types, type Rig } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
  cleanupTempDirs();
});

/** Once the fill monitor's stream is open, it goes silent (open, answering pings, no events). */
async function silenceStream(r: Rig): Promise<void> {
  await waitUntil(() => r.sandbox.faults.silenceUserDataStreams() > 0, 'the fill monitor to connect, then its stream to go silent');
}

async function orderView(r: Rig, id: string): Promise<OrderView | undefined> {
  const page = await fetchJson<Page<OrderView>>(r.server.runtime, `/api/v1/orders?accountId=${ACCOUNT}&limit=200`);
  return page.body.items.find((o) => o.clientOrderId === id);
}

function expectPlacedOnce(r: Rig, id: string): void {
  expect(placementLedger(r.sandbox.exchange).count('sbx', id)).toEqual({ requests: 1, accepted: 1, refused: 0, afterAccepted: 0 });
}

describe('an order whose answer was lost, invisible to order queries, with the user-data stream silent', () => {
  it('invisible for longer than the visibility window: found through its trades, recorded filled once, never sent again', async () => {
    const r = await rig({ visibilityMs: 1500 });
    await silenceStream(r);
    r.sandbox.faults.inject({ kind: 'timeout', mode: 'destroy' });
    r.sandbox.faults.inject({ kind: 'invisible', seconds: 100 });
    const id = await orderOf(r, await alert(r, 'lost-invisible-trades'));
    expect(await expectFilledOnce(r, id, 30_000)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']);
    expectPlacedOnce(r, id);
    // the order query still does not show it: it was found by its trades
    expect(r.server.logs.text()).toContain('order adopted by its trades');
  });

  it('invisible everywhere: it stays unknown (the user sees why), is never resent, and is adopted once the exchange shows it', async () => {
    const r = await rig({ visibilityMs: 8000 });
    await silenceStream(r);
    r.sandbox.faults.inject({ kind: 'timeout', mode: 'destroy' });
    r.sandbox.faults.inject({ kind: 'invisible', seconds: 4, everywhere: true });
    const id = await orderOf(r, await alert(r, 'lost-invisible-everywhere'));
    const unknown = await waitUntil(async () => {
      const view = await orderView(r, id);
      return view?.status === 'unknown' ? view : undefined;
    }, 'the order to be shown as unknown');
    expect(unknown.statusReason).toEqual(expect.any(String));
    expect(placementLedger(r.sandbox.exchange).count('sbx', id).requests).toBe(1);
    expect(await expectFilledOnce(r, id, 30_000)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']);
    expectPlacedOnce(r, id);
  });

  it('a source that cannot be read past the window: absence is not concluded — unknown, with the source named, until it answers; then adopted', async () => {
    const r = await rig({ visibilityMs: 1000 });
    await silenceStream(r);
    r.sandbox.faults.inject({ kind: 'http_error', status: 503, when: 'before', method: 'GET', path: '/api/v3/myTrades', times: 100_000 });
    r.sandbox.faults.inject({ kind: 'timeout', mode: 'destroy' });
    r.sandbox.faults.inject({ kind: 'invisible', seconds: 100 });
    const id = await orderOf(r, await alert(r, 'lost-trades-unreadable'));
    const unknown = await waitUntil(async () => {
      const view = await orderView(r, id);
      return view?.status === 'unknown' && view.statusReason?.includes('trades could not be checked') ? view : undefined;
    }, 'the order to be unknown, naming the source that could not be read', 30_000);
    expect(unknown.statusReason).toContain('never sent twice');
    // well past the window, still nothing concluded and nothing resent
    await waitUntil(() => r.server.logs.text().split('order not found yet; looking again').length > 6, 'several look-ups past the window');
    expect(await types(r, id)).not.toContain('OrderExchangeRejected');
    expect(placementLedger(r.sandbox.exchange).count('sbx', id).requests).toBe(1);
    r.sandbox.faults.clear(); // the trades answer again (the order itself is still invisible)
    await expectFilledOnce(r, id, 30_000);
    expectPlacedOnce(r, id);
  });
});
