/**
 * The kill switch's actions (issue 17) over real HTTP against the paper exchange: engaging with
 * `flatten` cancels every open order, waits for them to end, then closes every strategy's position
 * (the closes pass the engaged switch; nothing else does); `cancelOrders` alone keeps positions;
 * the global switch does it on every account; bad combinations answer 422 and record nothing.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Dec } from '../domain/shared/decimal.js';
import {
  cleanupTempDirs, demoOf, fetchJson, marketAlert, postAlert, quiesce, paperServerForBlock, waitUntil,
  type OrderView, type Page, type SignalView,
} from '../../test/support/server.js';

afterAll(() => cleanupTempDirs());

interface Actions { requestId: string; cancelOrders: boolean; flatten: boolean; status: 'pending' | 'done'; cancelled?: string[]; closes?: { strategyId: string; symbol: string; signalId: string }[] }
interface KillSwitch { engaged: boolean; reason?: string; actions?: Actions; accountActions?: { accountId: string; requestId: string }[] }
const BTC = encodeURIComponent('BTC/USDT');

describe('the kill switch cancels open orders and flattens positions', () => {
  const serverOf = paperServerForBlock();
  let alerts = 0;
  afterEach(async () => {
    // each test starts released
    await fetchJson(serverOf().runtime, `/api/v1/accounts/${demoOf(serverOf().runtime).accountId}/kill-switch`, { method: 'PUT', json: { engaged: false } });
    await fetchJson(serverOf().runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: false } });
  });

  const accountId = () => demoOf(serverOf().runtime).accountId;
  async function alert(fields: Record<string, string>): Promise<OrderView> {
    const res = await postAlert(serverOf().runtime, marketAlert(demoOf(serverOf().runtime).secret, { id: `ks-${++alerts}`, ...fields }));
    expect(res.status, res.text).toBe(202);
    await quiesce(serverOf().runtime);
    const page = await fetchJson<Page<OrderView>>(serverOf().runtime, `/api/v1/orders?signalId=${res.body.signalId}`);
    return page.body.items[0]!;
  }
  const position = async () => new Dec((await fetchJson<{ quantity: string }>(serverOf().runtime, `/api/v1/accounts/${accountId()}/positions/${BTC}/strategies`)).body.quantity);
  const FINAL = ['filled', 'cancelled', 'rejected', 'exchange_rejected', 'expired'];
  const openOrders = async () => (await fetchJson<Page<OrderView>>(serverOf().runtime, `/api/v1/orders?accountId=${accountId()}&limit=500`)).body.items.filter((o) => !FINAL.includes(o.status));
  const killSwitch = async () => (await fetchJson<{ killSwitch: KillSwitch }>(serverOf().runtime, `/api/v1/accounts/${accountId()}`)).body.killSwitch;
  const put = (json: object) => fetchJson<KillSwitch & { error?: { code: string } }>(serverOf().runtime, `/api/v1/accounts/${accountId()}/kill-switch`, { method: 'PUT', json });

  it('flatten: the resting orders are cancelled first, then the position is closed with a market order that passes the engaged switch', async () => {
    const bought = await alert({ quantity: '0.02' });
    expect(bought.status).toBe('filled');
    const resting = [await alert({ order_type: 'limit', limit_price: '90000', quantity: '0.01' }), await alert({ order_type: 'limit', limit_price: '91000', quantity: '0.01' })];
    expect(resting.map((o) => o.status)).toEqual(['accepted', 'accepted']);
    expect((await position()).toFixed()).toBe('0.02');

    const engaged = await put({ engaged: true, reason: 'panic', flatten: true });
    expect(engaged.status, engaged.text).toBe(200);
    expect(engaged.body).toMatchObject({ engaged: true, reason: 'panic', actions: { cancelOrders: true, flatten: true } });
    const done = await waitUntil(async () => {
      await quiesce(serverOf().runtime);
      const ks = await killSwitch();
      return ks.actions?.status === 'done' ? ks.actions : undefined;
    }, 'the flatten to be done');
    expect(done.cancelled!.sort()).toEqual(resting.map((o) => o.clientOrderId).sort());
    expect(done.closes).toEqual([{ strategyId: demoOf(serverOf().runtime).strategyId, symbol: 'BTC/USDT', signalId: expect.any(String) }]);
    await waitUntil(async () => {
      await quiesce(serverOf().runtime);
      return (await position()).isZero();
    }, 'the position to be flat');
    for (const o of resting) expect((await serverOf().runtime.exchange.fetchOrder(accountId(), o.clientOrderId))?.status).toBe('cancelled');
    expect(await openOrders()).toEqual([]);
    const close = (await fetchJson<Page<OrderView>>(serverOf().runtime, `/api/v1/orders?signalId=${done.closes![0]!.signalId}`)).body.items[0]!;
    expect([close.side, close.type, close.status, close.quantity]).toEqual(['sell', 'market', 'filled', '0.02']);

    // the switch stays engaged: a new alert is refused, and the position stays flat
    expect((await killSwitch()).engaged).toBe(true);
    const refused = await alert({ quantity: '0.01' });
    expect(refused.status).toBe('rejected');
    expect(JSON.stringify(refused)).toContain('KILL_SWITCH_ACCOUNT');
    expect((await position()).isZero()).toBe(true);
  });

  it('cancelOrders alone: open orders are cancelled, the position stays; the switch already engaged still takes the request', async () => {
    await alert({ quantity: '0.01' });
    const resting = await alert({ order_type: 'limit', limit_price: '90000', quantity: '0.01' });
    expect((await put({ engaged: true, reason: 'first' })).status).toBe(200);
    const res = await put({ engaged: true, reason: 'again', cancelOrders: true });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ engaged: true, reason: 'first', actions: { cancelOrders: true, flatten: false } });
    const done = await waitUntil(async () => {
      await quiesce(serverOf().runtime);
      const ks = await killSwitch();
      return ks.actions?.status === 'done' && ks.actions.requestId === res.body.actions!.requestId ? ks.actions : undefined;
    }, 'the cancels to be recorded');
    expect(done.cancelled).toEqual([resting.clientOrderId]);
    expect(done.closes).toEqual([]);
    await waitUntil(async () => (await serverOf().runtime.exchange.fetchOrder(accountId(), resting.clientOrderId))?.status === 'cancelled', 'cancelled at the exchange');
    expect((await position()).toFixed()).toBe('0.01');
  });

  it('the global switch with flatten closes every account of the tenant and answers which accounts it acts on', async () => {
    await alert({ quantity: '0.01' });
    expect((await position()).isZero()).toBe(false);
    const res = await fetchJson<KillSwitch>(serverOf().runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: true, reason: 'halt', flatten: true } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.accountActions).toEqual([{ accountId: accountId(), requestId: expect.any(String) }]);
    await waitUntil(async () => {
      await quiesce(serverOf().runtime);
      return (await position()).isZero() && (await killSwitch()).actions?.status === 'done';
    }, 'every account flat');
    expect(await openOrders()).toEqual([]);
  });

  it('bad input: actions with a release, or an unknown field, answer 4xx and record nothing', async () => {
    const before = await serverOf().runtime.events.headPosition();
    const release = await put({ engaged: false, flatten: true });
    expect([release.status, release.body.error?.code]).toEqual([422, 'KILL_SWITCH_ACTIONS_NEED_ENGAGE']);
    const global = await fetchJson<{ error: { code: string } }>(serverOf().runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: false, cancelOrders: true } });
    expect([global.status, global.body.error.code]).toEqual([422, 'KILL_SWITCH_ACTIONS_NEED_ENGAGE']);
    expect((await put({ engaged: true, flatten: 'yes' })).status).toBe(400);
    expect((await put({ engaged: true, everything: true })).status).toBe(400);
    expect(await serverOf().runtime.events.headPosition()).toBe(before);
  });

  it('a flatten with nothing open and no position is done at once and sends nothing', async () => {
    await fetchJson(serverOf().runtime, `/api/v1/accounts/${accountId()}/positions/${BTC}/close`, { json: {} });
    await waitUntil(async () => {
      await quiesce(serverOf().runtime);
      return (await position()).isZero();
    }, 'flat first');
    const signalsBefore = (await fetchJson<Page<SignalView>>(serverOf().runtime, '/api/v1/signals?limit=500')).body.items.length;
    const res = await put({ engaged: true, flatten: true });
    expect(res.status).toBe(200);
    const done = await waitUntil(async () => {
      await quiesce(serverOf().runtime);
      const ks = await killSwitch();
      return ks.actions?.status === 'done' && ks.actions.requestId === res.body.actions!.requestId ? ks.actions : undefined;
    }, 'done');
    expect([done.cancelled, done.closes]).toEqual([[], []]);
    expect((await fetchJson<Page<SignalView>>(serverOf().runtime, '/api/v1/signals?limit=500')).body.items.length).toBe(signalsBefore);
  });
});
