/**
 * The whole server trading a Binance-compatible exchange through the real ccxt client: an
 * account on "binance" whose URLs point at our sandbox, alerts in over HTTP, and every fault the
 * sandbox can throw at the order path. After each: exactly one order per clientOrderId reached
 * the exchange, and what PATRIOT recorded equals the exchange's state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxFault } from '../adapters/exchanges/sandbox/fault-spec.js';
import { cleanupTempDirs, fetchJson, waitUntil, type PositionView } from '../../test/support/server.js';
import { placementLedger } from '../adapters/exchanges/sandbox/placement-ledger.js';
import { ACCOUNT, API_SECRET, alert, closeRigs, expectFilledOnce, history, orderOf, rig, types, type Rig } from './test-support/ccxt-rig.js';

afterEach(async () => {
  await closeRigs();
  cleanupTempDirs();
});

describe('trading a Binance-compatible exchange through ccxt', () => {
  it('places a market order with our clientOrderId, records the fill, and the position equals the exchange balance', async () => {
    const r = await rig();
    const id = await orderOf(r, await alert(r, 'bn-1'));
    expect(await expectFilledOnce(r, id)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    const positions = (await fetchJson<{ items: PositionView[] }>(r.server.runtime, '/api/v1/positions')).body.items;
    const btc = (await r.sandbox.exchange.fetchBalances('sbx')).find((b) => b.asset === 'BTC');
    expect(positions.find((p) => p.accountId === ACCOUNT)?.quantity).toBe(btc?.total);
    // the credentials never reached a log line
    expect(r.server.logs.text()).not.toContain(API_SECRET);
  });

  const unknownThenFound = ['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled'];
  // when the exchange took the order, its user-data stream may report it before the failed placement
  // is recorded: then the outcome is known and nothing is recorded as unknown (both are one order)
  const reportedFirst = ['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled'];
  const faults: [string, SandboxFault, readonly (readonly string[])[]][] = [
    ['a timeout after the exchange took the order', { kind: 'timeout', mode: 'destroy' }, [unknownThenFound, reportedFirst]],
    ['a 500 (-1006) after the exchange took the order', { kind: 'http_error', status: 500, when: 'after' }, [unknownThenFound, reportedFirst]],
    ['a 504 (-1007, execution status unknown) after acceptance', { kind: 'http_error', status: 504, when: 'after' }, [unknownThenFound, reportedFirst]],
    // the duplicate answer is an unknown outcome (the order probably exists), never a rejection
    ['a duplicate-id answer for an order that exists', { kind: 'duplicate', placeOrder: true }, [unknownThenFound, reportedFirst]],
  ];
  for (const [name, fault, expected] of faults) {
    it(`given ${name}, then the order is found or sent once, never twice`, async () => {
      const r = await rig();
      r.sandbox.faults.inject(fault);
      const id = await orderOf(r, await alert(r, `bn-${fault.kind}`));
      expect(expected).toContainEqual(await expectFilledOnce(r, id));
    });
  }

  it('given a 502 from a proxy before the exchange saw the order, then once the exchange shows no such order it is recorded as not placed, and never sent again (ADR-0011)', async () => {
    const r = await rig();
    r.sandbox.faults.inject({ kind: 'http_error', status: 502, when: 'before' });
    const id = await orderOf(r, await alert(r, 'bn-502-before'));
    await waitUntil(async () => (await types(r, id)).includes('OrderExchangeRejected'), 'the order recorded as not placed', 20_000, 50);
    expect(await types(r, id)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderExchangeRejected']);
    expect((await history(r, id)).at(-1)?.data).toMatchObject({ code: 'NOT_PLACED' });
    await r.server.runtime.settle();
    expect(r.sandbox.exchange.placementAttempts('sbx', id)).toBe(0); // the proxy refused it: the exchange never saw it
    expect(await r.sandbox.exchange.fetchOrder('sbx', id)).toBeNull();
  });

  it('given an order taken but invisible to queries for a while, then "not found" is not taken as proof: no second order', async () => {
    const r = await rig({ visibilityMs: 4000 });
    r.sandbox.faults.inject({ kind: 'timeout', mode: 'destroy' });
    r.sandbox.faults.inject({ kind: 'invisible', seconds: 2 });
    const id = await orderOf(r, await alert(r, 'bn-invisible'));
    // placed once and filled once (expectFilledOnce checks the exchange); the lost answer makes it unknown,
    // unless the fill stream reports the order before the look-up records that
    expect([
      ['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled'],
      ['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled'],
    ]).toContainEqual(await expectFilledOnce(r, id));
  });

  it('given a duplicate-id answer while the exchange has no such order, then it is never resent: looked up, and recorded as not placed once every source shows nothing past the window', async () => {
    const r = await rig();
    r.sandbox.faults.inject({ kind: 'duplicate' }); // -2010 "Duplicate order sent." and nothing placed
    const id = await orderOf(r, await alert(r, 'bn-duplicate-without-order'));
    await waitUntil(async () => (await types(r, id)).includes('OrderExchangeRejected'), 'the order recorded as not placed', 20_000, 50);
    expect(await types(r, id)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderStatusUnknown', 'OrderExchangeRejected']);
    expect((await history(r, id)).at(-1)?.data).toMatchObject({ code: 'NOT_PLACED', reason: expect.stringContaining('trades') });
    await r.server.runtime.settle();
    expect(placementLedger(r.sandbox.exchange).count('sbx', id)).toEqual({ requests: 1, accepted: 0, refused: 1, afterAccepted: 0 });
  });

  it('given 429 then 418 (a ban for insisting), then the client backs off, and the order is placed once after the ban', async () => {
    const r = await rig();
    r.sandbox.faults.inject({ kind: 'rate_limit', retryAfterSeconds: 1, banSeconds: 1 });
    const id = await orderOf(r, await alert(r, 'bn-429'));
    await expectFilledOnce(r, id, 20_000);
    // the refused requests were definite "not placed" answers: each try is a new recorded attempt, one was placed
    expect(placementLedger(r.sandbox.exchange).count('sbx', id)).toMatchObject({ accepted: 1, afterAccepted: 0 });
  });

  it('given a resting limit order and a dropped user-data stream, then its fill still arrives (reconnect or polling) and is recorded once', async () => {
    const r = await rig({ orderType: 'limit' });
    const id = await orderOf(r, await alert(r, 'bn-limit'));
    await waitUntil(async () => (await types(r, id)).includes('OrderAccepted'), 'the limit order to rest on the exchange');
    expect((await r.sandbox.exchange.fetchOrder('sbx', id))?.status).toBe('open');
    // once the fill monitor has subscribed, cut its stream
    await waitUntil(() => r.sandbox.faults.dropUserDataStreams() > 0, 'the fill monitor to subscribe, then its stream to drop');
    await waitUntil(() => r.server.logs.text().includes('order stream down'), 'the monitor to notice');
    r.feed.setPrice('BTC/USDT', '90000'); // crosses the limit (5 % below 97,000)
    expect(await expectFilledOnce(r, id)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
  });
});

describe('when the exchange keeps failing', () => {
  it('the circuit opens: the next order waits (nothing is sent while it is open), the account shows it, and the order goes out once the exchange answers again', async () => {
    const r = await rig({ visibilityMs: 60_000, breakerCoolDownMs: 5000 }); // the failed ones stay unknown (looked up) during the test; the cool-down outlasts a slow alert
    const connection = async () => (await fetchJson<Record<string, unknown>>(r.server.runtime, `/api/v1/accounts/${ACCOUNT}/connection`)).body;
    expect(await connection()).toMatchObject({ accountId: ACCOUNT, exchange: 'binance', owner: 'this_node', circuit: 'closed' });
    // the order endpoint is down: placements and look-ups alike answer 503
    r.sandbox.faults.inject({ kind: 'http_error', status: 503, when: 'before', path: '/api/v3/order', times: 1000 });
    for (let i = 0; i < 5; i++) {
      const id = await orderOf(r, await alert(r, `bn-down-${i}`));
      await waitUntil(async () => (await types(r, id)).includes('OrderStatusUnknown'), 'the failed order to be unknown');
    }
    await waitUntil(async () => (await connection()).circuit === 'open', 'the circuit to open').catch(async (e: unknown) => {
      throw new Error(`${String(e)} ${JSON.stringify(await connection())} ${JSON.stringify(r.server.runtime.ccxt()?.breakerStates())} ${r.server.logs.text().slice(-2500)}`);
    });
    expect((await connection()).circuitRetryAt).toEqual(expect.any(String));
    // recorded to be told (issue 19): the breaker opened
    const health = async () => (await r.server.runtime.events.readStream(`health-${ACCOUNT}`)).filter((e) => e.type === 'ExchangeCircuitChanged').map((e) => (e.data as { state: string }).state);
    await waitUntil(async () => (await health()).includes('open'), 'the breaker opening recorded');
    const waiting = await orderOf(r, await alert(r, 'bn-while-open'));
    await waitUntil(() => r.server.logs.text().includes('order not placed; trying again'), 'the order to wait for the breaker');
    expect(await types(r, waiting)).not.toContain('OrderExchangeRejected');
    expect(r.sandbox.exchange.placementAttempts('sbx', waiting)).toBe(0);
    // the exchange answers again: the breaker lets a probe through, closes, and the order leaves — once
    r.sandbox.faults.clear();
    await waitUntil(async () => (await types(r, waiting)).includes('OrderFilled'), 'the waiting order to go out and fill', 20_000, 50);
    expect(r.sandbox.exchange.placementAttempts('sbx', waiting)).toBe(1);
    expect((await types(r, waiting)).filter((t) => t === 'OrderExchangeRejected')).toEqual([]);
    await waitUntil(async () => (await health()).join() === 'open,closed', 'the breaker closing recorded, once each');
    expect(r.server.logs.text()).not.toContain(API_SECRET);
  });

  it('an order still waiting for the circuit when PATRIOT_ORDER_RETRY_WITHIN_MS runs out is refused with the reason, and nothing is sent', async () => {
    const r = await rig({ visibilityMs: 60_000, breakerCoolDownMs: 60_000, orderRetryWithinMs: 3000 });
    await openCircuit(r);
    const waiting = await orderOf(r, await alert(r, 'bn-expires-while-open'));
    await waitUntil(async () => (await types(r, waiting)).includes('OrderExchangeRejected'), 'the order to be refused', 20_000, 50);
    expect((await history(r, waiting)).at(-1)?.data).toMatchObject({ code: 'CIRCUIT_OPEN', reason: expect.stringContaining('given up') });
    expect(await types(r, waiting)).not.toContain('OrderAccepted');
    expect(placementLedger(r.sandbox.exchange).count('sbx', waiting).requests).toBe(0);
    expect(r.sandbox.exchange.placementAttempts('sbx', waiting)).toBe(0);
  });
});

/** The order endpoint answers 503 to everything: five orders end unknown and the host's circuit opens. */
async function openCircuit(r: Rig): Promise<void> {
  r.sandbox.faults.inject({ kind: 'http_error', status: 503, when: 'before', path: '/api/v3/order', times: 1000 });
  for (let i = 0; i < 5; i++) {
    const id = await orderOf(r, await alert(r, `bn-open-${i}`));
    await waitUntil(async () => (await types(r, id)).includes('OrderStatusUnknown'), 'the failed order to be unknown');
  }
  await waitUntil(async () => (await fetchJson<{ circuit: string }>(r.server.runtime, `/api/v1/accounts/${ACCOUNT}/connection`)).body.circuit === 'open', 'the circuit to open');
}
