/**
 * A close that names the account (the positions API, the dashboard's close button, the kill
 * switch's flatten) over real HTTP through the paper exchange (issue 17): it closes the strategy's
 * whole position there whatever the strategy's sizing (a percent_of_position strategy's own close
 * alert closes its percent, a close asked by hand does not), and it closes a position the strategy
 * still holds on an account it no longer trades (the flatten leaves nothing open).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dec } from '../../../domain/shared/decimal.js';
import { cleanupTempDirs, fetchJson, postAlert, quiesce, startTestServer, waitUntil, type OrderView, type Page, type TestServer } from '../../../../test/support/server.js';

let server: TestServer;
const ACCOUNT = 'acc_demo_paper';
const BTC = encodeURIComponent('BTC/USDT');

beforeAll(async () => {
  server = await startTestServer();
  server.runtime.feed.setPrice('BTC/USDT', '97000');
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

interface Created { strategyId: string; secret: string }
const link = (accountId: string, sizing: object) => [{ accountId, sizing, orderTemplate: { type: 'market' } }];

async function strategy(name: string, sizing: object): Promise<Created> {
  const created = await fetchJson<{ strategy: { strategyId: string }; webhook: { secret: string } }>(server.runtime, '/api/v1/strategies', {
    json: { name, accounts: link(ACCOUNT, sizing), maxSignalAgeSeconds: 0 },
  });
  expect(created.status, created.text).toBe(201);
  return { strategyId: created.body.strategy.strategyId, secret: created.body.webhook.secret };
}

async function reconfigure(s: Created, name: string, accounts: object[]): Promise<void> {
  const res = await fetchJson(server.runtime, `/api/v1/strategies/${s.strategyId}`, { method: 'PUT', json: { name, accounts, maxSignalAgeSeconds: 0 } });
  expect(res.status, res.text).toBe(200);
}

let n = 0;
async function buy(s: Created, quantity: string): Promise<void> {
  const res = await postAlert(server.runtime, { secret: s.secret, id: `named-${++n}`, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity }, { strategyId: s.strategyId });
  expect(res.status, res.text).toBe(202);
  await quiesce(server.runtime);
}

const own = async (s: Created) => {
  const holders = (await fetchJson<{ strategies: { strategyId: string; quantity: string }[] }>(server.runtime, `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/strategies`)).body;
  return new Dec(holders.strategies.find((h) => h.strategyId === s.strategyId)?.quantity ?? '0').toFixed();
};

async function closeByApi(s: Created): Promise<OrderView[]> {
  const closed = await fetchJson<{ signals: { signalId: string }[] }>(server.runtime, `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/close`, { json: { strategyId: s.strategyId } });
  expect(closed.status, closed.text).toBe(202);
  await quiesce(server.runtime);
  return (await fetchJson<Page<OrderView>>(server.runtime, `/api/v1/orders?signalId=${closed.body.signals[0]!.signalId}`)).body.items;
}

describe('a close that names the account closes the whole position', () => {
  it("a percent_of_position strategy: its own close alert sells its percent; the API's close sells everything", async () => {
    const s = await strategy('named close, percent', { kind: 'fixed_quantity', quantity: '0.04' });
    await buy(s, '0.04');
    expect(await own(s)).toBe('0.04');
    await reconfigure(s, 'named close, percent', link(ACCOUNT, { kind: 'percent_of_position', percent: '50' }));
    const alert = await postAlert(server.runtime, { secret: s.secret, id: `named-${++n}`, action: 'close', ticker: 'BINANCE:BTCUSDT' }, { strategyId: s.strategyId });
    expect(alert.status, alert.text).toBe(202);
    await quiesce(server.runtime);
    expect(await own(s)).toBe('0.02');
    const orders = await closeByApi(s);
    expect(orders.map((o) => [o.side, o.quantity, o.status])).toEqual([['sell', '0.02', 'filled']]);
    expect(await own(s)).toBe('0');
  });

  it('a strategy moved to another account still closes what it holds on the first one: by the API, and by the kill switch\'s flatten', async () => {
    const other = await fetchJson<{ accountId: string }>(server.runtime, '/api/v1/accounts', { json: { name: 'second paper', exchange: 'paper' } });
    expect(other.status, other.text).toBe(201);
    const moved = await strategy('named close, moved', { kind: 'fixed_quantity', quantity: '0.01' });
    await buy(moved, '0.01');
    const flattened = await strategy('named close, flattened', { kind: 'fixed_quantity', quantity: '0.03' });
    await buy(flattened, '0.03');
    for (const s of [moved, flattened]) await reconfigure(s, 'moved away', link(other.body.accountId, { kind: 'fixed_quantity', quantity: '0.01' }));
    expect([await own(moved), await own(flattened)]).toEqual(['0.01', '0.03']);

    const orders = await closeByApi(moved);
    expect(orders.map((o) => [o.accountId, o.side, o.quantity, o.status])).toEqual([[ACCOUNT, 'sell', '0.01', 'filled']]);
    expect(await own(moved)).toBe('0');

    const engaged = await fetchJson(server.runtime, `/api/v1/accounts/${ACCOUNT}/kill-switch`, { method: 'PUT', json: { engaged: true, reason: 'flatten test', flatten: true } });
    expect(engaged.status, engaged.text).toBe(200);
    await waitUntil(async () => {
      await quiesce(server.runtime);
      const holders = (await fetchJson<{ quantity: string }>(server.runtime, `/api/v1/accounts/${ACCOUNT}/positions/${BTC}/strategies`)).body;
      return new Dec(holders.quantity).isZero();
    }, 'the account flat after the flatten');
    expect(await own(flattened)).toBe('0');
    const atExchange = await server.runtime.exchange.fetchBalances(ACCOUNT);
    expect(new Dec(atExchange.find((b) => b.asset === 'BTC')?.total ?? '0').isZero()).toBe(true);
  });
});
