/**
 * Target-position sizing over real HTTP through the paper exchange (spot): the strategy is brought
 * to the alert's {{strategy.position_size}} / {{strategy.market_position}}; at the target nothing is
 * sent; a spot market cannot go short (SPOT_CANNOT_SHORT); flat closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dec, decToString } from '../../../domain/shared/decimal.js';
import { cleanupTempDirs, fetchJson, postAlert, quiesce, startTestServer, type OrderView, type Page, type SignalView, type TestServer } from '../../../../test/support/server.js';

let server: TestServer;
let strategy: { strategyId: string; secret: string };
const ACCOUNT = 'acc_demo_paper';

beforeAll(async () => {
  server = await startTestServer();
  server.runtime.feed.setPrice('BTC/USDT', '97000');
  const created = await fetchJson<{ strategy: { strategyId: string }; webhook: { secret: string } }>(server.runtime, '/api/v1/strategies', {
    json: { name: 'Follows the target', accounts: [{ accountId: ACCOUNT, sizing: { kind: 'target_position', multiplier: '1' }, orderTemplate: { type: 'market' } }], maxSignalAgeSeconds: 0 },
  });
  expect(created.status, created.text).toBe(201);
  strategy = { strategyId: created.body.strategy.strategyId, secret: created.body.webhook.secret };
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

let n = 0;
async function send(fields: Record<string, string>): Promise<{ signal: SignalView; orders: OrderView[] }> {
  n += 1;
  const res = await postAlert(server.runtime, { secret: strategy.secret, id: `target-${n}`, ticker: 'BINANCE:BTCUSDT', ...fields }, { strategyId: strategy.strategyId });
  expect(res.status, res.text).toBe(202);
  await quiesce(server.runtime);
  const signal = (await fetchJson<SignalView>(server.runtime, `/api/v1/signals/${res.body.signalId!}`)).body;
  const orders = (await fetchJson<Page<OrderView>>(server.runtime, `/api/v1/orders?signalId=${res.body.signalId!}`)).body.items;
  return { signal, orders };
}

async function own(): Promise<string> {
  const h = (await fetchJson<{ strategies: { strategyId: string; quantity: string }[] }>(server.runtime, `/api/v1/accounts/${ACCOUNT}/positions/${encodeURIComponent('BTC/USDT')}/strategies`)).body;
  return decToString(new Dec(h.strategies.find((s) => s.strategyId === strategy.strategyId)?.quantity ?? '0'));
}

describe('target position sizing through paper', () => {
  it('from flat to long 0.02 buys 0.02; again at the target sends nothing (ALREADY_AT_TARGET)', async () => {
    const first = await send({ action: 'buy', quantity: '0.02', position_size: '0.02', market_position: 'long' });
    expect(first.orders.map((o) => [o.side, o.quantity, o.status, o.reduceOnly])).toEqual([['buy', '0.02', 'filled', false]]);
    expect(await own()).toBe('0.02');
    const again = await send({ action: 'buy', quantity: '0.02', position_size: '0.02', market_position: 'long' });
    expect(again.orders).toEqual([]);
    expect(again.signal.skipped).toEqual([expect.objectContaining({ code: 'ALREADY_AT_TARGET' })]);
  });

  it("reads the target, not the order's contracts: down to long 0.005 sells 0.015, reduce-only", async () => {
    const down = await send({ action: 'sell', quantity: '1', position_size: '0.005', market_position: 'long' });
    expect(down.orders.map((o) => [o.side, o.quantity, o.reduceOnly])).toEqual([['sell', '0.015', true]]);
    expect(await own()).toBe('0.005');
  });

  it('a short target on a spot market is refused with SPOT_CANNOT_SHORT and nothing is sent; without a target, MISSING_TARGET_POSITION', async () => {
    const short = await send({ action: 'sell', position_size: '-0.01', market_position: 'short' });
    expect(short.orders).toEqual([]);
    expect(short.signal.skipped).toEqual([expect.objectContaining({ code: 'SPOT_CANNOT_SHORT' })]);
    const none = await send({ action: 'buy', quantity: '0.01' });
    expect(none.signal.skipped).toEqual([expect.objectContaining({ code: 'MISSING_TARGET_POSITION' })]);
    expect(await own()).toBe('0.005');
  });

  it('market_position flat closes the position', async () => {
    const flat = await send({ action: 'sell', position_size: '0', market_position: 'flat' });
    expect(flat.orders.map((o) => [o.side, o.quantity, o.reduceOnly, o.status])).toEqual([['sell', '0.005', true, 'filled']]);
    expect(await own()).toBe('0');
  });
});
