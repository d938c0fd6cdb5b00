/**
 * Positions per strategy and closes through the real ccxt client against the Binance sandbox:
 * two strategies share one binance account; a close by API sells only the named strategy's share
 * (placed once, recorded as on the exchange); an exit of the wrong side sends nothing; a close of
 * every share leaves the exchange balance at what was there before.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../adapters/system/system-clock.js';
import { configureStrategy } from '../application/commands/configure.js';
import { KeyedMutex } from '../application/shared/keyed-mutex.js';
import { Dec } from '../domain/shared/decimal.js';
import { cleanupTempDirs, fetchJson, postAlert, quiesce, waitUntil, type SignalView } from '../../test/support/server.js';
import { webhookSecretKey } from './runtime.js';
import { DEMO_TENANT } from './demo.js';
import { ACCOUNT, STRATEGY, WEBHOOK_SECRET, alert, alertWith, closeRigs, expectFilledOnce, history, orderOf, rig, types, type Rig } from './test-support/ccxt-rig.js';
import type { SizingRule } from '../domain/strategies/strategy.js';
import { recordSecrets } from '../../test/support/secret-scan.js';

const SECOND = 'strat_bn_second';
const SECOND_SECRET = 'webhook-secret-for-second-strategy';
recordSecrets(SECOND_SECRET);
const BTC = encodeURIComponent('BTC/USDT');

afterEach(async () => {
  await closeRigs();
});
afterAll(() => cleanupTempDirs());

/** A second strategy of the demo tenant on the rig's binance account, sized by `sizing`, with its webhook secret. */
async function secondStrategy(r: Rig, name: string, sizing: SizingRule): Promise<void> {
  const { runtime } = r.server;
  await runtime.kv.set(webhookSecretKey(SECOND), SECOND_SECRET);
  const configured = await configureStrategy({ store: runtime.events, mutex: new KeyedMutex(), clock: systemClock }, {
    strategyId: SECOND, tenantId: DEMO_TENANT, name, symbolMap: {}, risk: {}, maxSignalAgeSeconds: 0,
    accounts: [{ accountId: ACCOUNT, sizing, orderTemplate: { type: 'market' } }],
  }, () => DEMO_TENANT, 'test');
  expect(configured.ok).toBe(true);
}

describe('positions per strategy through ccxt against the sandbox', () => {
  it("one strategy's close sells only its share at the exchange; the wrong side's exit sends nothing; closing every share flattens", async () => {
    const r = await rig();
    const { runtime } = r.server;
    await secondStrategy(r, 'second', { kind: 'fixed_quantity', quantity: '0.02' });
    const btcAtExchange = async () => new Dec((await r.sandbox.exchange.fetchBalances('sbx')).find((b) => b.asset === 'BTC')?.total ?? '0');

    await expectFilledOnce(r, await orderOf(r, await alert(r, 'pos-first', '0.01')));
    const second = await postAlert(runtime, { secret: SECOND_SECRET, action: 'buy', ticker: 'BINANCE:BTCUSDT' }, { strategyId: SECOND });
    expect(second.status, second.text).toBe(202);
    await expectFilledOnce(r, await orderOf(r, second.body.signalId!));
    expect((await btcAtExchange()).toFixed()).toBe('0.03');

    // the wrong side: nothing is sent, and the signal says why
    const exitShort = await postAlert(runtime, { secret: SECOND_SECRET, action: 'exit_short', ticker: 'BINANCE:BTCUSDT' }, { strategyId: SECOND });
    await quiesce(runtime);
    const skipped = (await fetchJson<SignalView>(runtime, `/api/v1/signals/${exitShort.body.signalId!}`)).body;
    expect(skipped.skipped).toEqual([expect.objectContaining({ code: 'NO_SHORT_TO_CLOSE' })]);

    // the first strategy's close by API: only its 0.01 leaves
    const closed = await fetchJson<{ signals: { strategyId: string; signalId: string }[] }>(runtime, `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/close`, { json: { strategyId: STRATEGY } });
    expect(closed.status, closed.text).toBe(202);
    const closeOrder = await orderOf(r, closed.body.signals[0]!.signalId);
    expect(await expectFilledOnce(r, closeOrder)).toEqual(['OrderApproved', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled']);
    const atExchange = await r.sandbox.exchange.fetchOrder('sbx', closeOrder);
    expect([atExchange?.side, atExchange?.filledQuantity]).toEqual(['sell', '0.01']);
    expect((await btcAtExchange()).toFixed()).toBe('0.02');

    // every remaining share: the account ends flat here and at the exchange
    const rest = await fetchJson<{ signals: { strategyId: string; signalId: string }[] }>(runtime, `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/close`, { json: {} });
    expect(rest.status, rest.text).toBe(202);
    expect(rest.body.signals.map((s) => s.strategyId)).toEqual([SECOND]);
    await expectFilledOnce(r, await orderOf(r, rest.body.signals[0]!.signalId));
    expect((await btcAtExchange()).isZero()).toBe(true);
    await waitUntil(async () => {
      const h = (await fetchJson<{ quantity: string; strategies: unknown[] }>(runtime, `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/strategies`)).body;
      return new Dec(h.quantity).isZero() && h.strategies.length === 0;
    }, 'the account flat in PATRIOT');
  });

  it('two closes of one strategy while the first close is still on its way to the exchange: one sell, and the other strategy keeps its share', async () => {
    const r = await rig();
    const { runtime } = r.server;
    await secondStrategy(r, 'second', { kind: 'fixed_quantity', quantity: '0.02' });
    const btcAtExchange = async () => new Dec((await r.sandbox.exchange.fetchBalances('sbx')).find((b) => b.asset === 'BTC')?.total ?? '0').toFixed();
    await expectFilledOnce(r, await orderOf(r, await alert(r, 'twice-buy', '0.01')));
    const second = await postAlert(runtime, { secret: SECOND_SECRET, action: 'buy', ticker: 'BINANCE:BTCUSDT' }, { strategyId: SECOND });
    await expectFilledOnce(r, await orderOf(r, second.body.signalId!));
    expect(await btcAtExchange()).toBe('0.03');

    // the exchange answers the next order 8 s late: the first close's sell is on its way while the second close is routed
    r.sandbox.faults.inject({ kind: 'latency', ms: 8000, method: 'POST', path: '/api/v3/order' });
    const first = await orderOf(r, await alertWith(r, 'twice-close-1', { action: 'close' }));
    await waitUntil(async () => (await types(r, first)).includes('OrderSubmitted'), 'the first close on its way');
    const again = (await postAlert(runtime, { secret: WEBHOOK_SECRET, id: 'twice-close-2', action: 'exit_long', ticker: 'BINANCE:BTCUSDT' }, { strategyId: STRATEGY })).body.signalId!;
    const processed = await waitUntil(async () => (await runtime.events.readAll(0, 100_000)).find((e) => e.type === 'SignalProcessed' && (e.data as { signalId: string }).signalId === again), 'the second close routed');
    expect((processed.data as { skipped: { code: string }[] }).skipped).toEqual([expect.objectContaining({ code: 'NO_LONG_TO_CLOSE' })]);
    await expectFilledOnce(r, first);
    // the precondition held: the second close was routed before the first one filled
    const filled = (await history(r, first)).find((e) => e.type === 'OrderFilled')!;
    expect(processed.globalPosition).toBeLessThan(filled.globalPosition);
    await quiesce(runtime);
    // one sell of 0.01: the other strategy's 0.02 is still there
    expect(await btcAtExchange()).toBe('0.02');
    expect((await runtime.events.readAll(0, 100_000)).filter((e) => e.type === 'OrderApproved' && (e.data as { side: string }).side === 'sell').map((e) => (e.data as { clientOrderId: string }).clientOrderId)).toEqual([first]);
  });

  it('target position through ccxt: long 0.02 from flat, then 0.005, then flat; the exchange balance follows exactly', async () => {
    const r = await rig();
    const { runtime } = r.server;
    await secondStrategy(r, 'target', { kind: 'target_position', multiplier: '1' });
    const btcAtExchange = async () => new Dec((await r.sandbox.exchange.fetchBalances('sbx')).find((b) => b.asset === 'BTC')?.total ?? '0').toFixed();
    const target = async (id: string, size: string, side: string) => {
      const sent = await postAlert(runtime, { secret: SECOND_SECRET, id, action: 'buy', ticker: 'BINANCE:BTCUSDT', position_size: size, market_position: side }, { strategyId: SECOND });
      expect(sent.status, sent.text).toBe(202);
      await expectFilledOnce(r, await orderOf(r, sent.body.signalId!));
    };
    await target('t1', '0.02', 'long');
    expect(await btcAtExchange()).toBe('0.02');
    await target('t2', '0.005', 'long');
    expect(await btcAtExchange()).toBe('0.005');
    await target('t3', '0', 'flat');
    expect(await btcAtExchange()).toBe('0');
  });

  it('percent of the quote balance through ccxt, then a 50 % close: the sandbox holds exactly what PATRIOT recorded', async () => {
    const r = await rig();
    const { runtime } = r.server;
    await secondStrategy(r, 'percent', { kind: 'percent_of_balance', percent: '10' });
    const btcAtExchange = async () => new Dec((await r.sandbox.exchange.fetchBalances('sbx')).find((b) => b.asset === 'BTC')?.total ?? '0');
    const sent = await postAlert(runtime, { secret: SECOND_SECRET, id: 'p1', action: 'buy', ticker: 'BINANCE:BTCUSDT' }, { strategyId: SECOND });
    const buy = await orderOf(r, sent.body.signalId!);
    await expectFilledOnce(r, buy);
    const bought = await btcAtExchange();
    // 10 % of 100,000 USDT at about 97,000: about 0.103 BTC, never more than 10,000 USDT worth at the reference price
    expect(bought.greaterThan('0.1') && bought.lessThan('0.11')).toBe(true);
    const half = await postAlert(runtime, { secret: SECOND_SECRET, id: 'p2', action: 'close', ticker: 'BINANCE:BTCUSDT', qty: '50%' }, { strategyId: SECOND });
    await expectFilledOnce(r, await orderOf(r, half.body.signalId!));
    const left = await btcAtExchange();
    expect(left.greaterThanOrEqualTo(bought.dividedBy(2))).toBe(true);
    expect(left.minus(bought.dividedBy(2)).lessThan('0.00001')).toBe(true);
  });
});
