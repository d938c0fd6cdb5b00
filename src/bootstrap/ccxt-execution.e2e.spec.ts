/**
 * The whole server trading a Binance-compatible exchange through the real ccxt client: an
 * account on "binance" whose URLs point at our sandbox, alerts in over HTTP, and every fault the
 * sandbox can throw at the order path. After each: exactly one order per clientOrderId reached
 * the exchange, and what PATRIOT recorded equals the exchange's state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinanceSandbox } from '../adapters/exchanges/sandbox/binance-sandbox.js';
import type { SandboxFault } from '../adapters/exchanges/sandbox/fault-spec.js';
import { SyntheticPriceFeed } from '../adapters/marketdata/synthetic-price-feed.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { configureStrategy, openAccount } from '../application/commands/configure.js';
import { KeyedMutex } from '../application/shared/keyed-mutex.js';
import type { RecordedEvent } from '../application/ports/event-store.js';
import { cleanupTempDirs, fetchJson, makeTempDir, postAlert, startTestServer, waitUntil, type OrderView, type Page, type PositionView, type TestServer } from '../../test/support/server.js';
import { webhookSecretKey } from './runtime.js';
import { DEMO_TENANT } from './demo.js';

const API_KEY = 'sandboxKeyForPatriot01';
const API_SECRET = 'sandbox-secret-never-logged-7f3a9c';
const WEBHOOK_SECRET = 'webhook-secret-for-binance-strategy';
const ACCOUNT = 'acc_bn';
const STRATEGY = 'strat_bn';

interface Rig {
  readonly sandbox: BinanceSandbox;
  readonly feed: SyntheticPriceFeed;
  readonly server: TestServer;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) {
    await rig.server.close();
    await rig.sandbox.close();
  }
  cleanupTempDirs();
});

/** A sandbox with a funded API account, and PATRIOT with a binance account on it and a strategy trading it. */
async function rig(options: { visibilityMs?: number; orderType?: 'market' | 'limit' } = {}): Promise<Rig> {
  const feed = new SyntheticPriceFeed({ clock: systemClock, seed: 3 });
  feed.setPrice('BTC/USDT', '97000');
  const sandbox = await BinanceSandbox.start({
    feed, partialFills: false,
    accounts: [{ apiKey: API_KEY, secret: API_SECRET, accountId: 'sbx', balances: [{ asset: 'USDT', amount: '100000' }] }],
  });
  const dir = makeTempDir('patriot-ccxt-');
  const credentialsFile = join(dir, 'credentials.json');
  writeFileSync(credentialsFile, JSON.stringify({ [ACCOUNT]: { apiKey: API_KEY, secret: API_SECRET } }));
  const server = await startTestServer({
    dataDir: join(dir, 'data'),
    config: { credentialsFile, exchangeUrls: { binance: sandbox.httpUrl }, exchangeVisibilityMs: options.visibilityMs ?? 1500 },
    lookupDelaysMs: [100, 200, 400],
    logLevel: 'info',
  });
  const { runtime } = server;
  const deps = { store: runtime.events, mutex: new KeyedMutex(), clock: systemClock };
  const opened = await openAccount(deps, {
    accountId: ACCOUNT, tenantId: DEMO_TENANT, name: 'Binance (sandbox)', exchange: 'binance', quoteAsset: 'USDT',
    initialBalances: [{ asset: 'USDT', amount: '100000' }], risk: {},
  }, 'test');
  expect(opened.ok).toBe(true);
  await runtime.kv.set(webhookSecretKey(STRATEGY), WEBHOOK_SECRET);
  // a limit buy 5 % below the reference price rests on the book
  const template = options.orderType === 'limit' ? { type: 'limit' as const, offsetBps: '500' } : { type: 'market' as const };
  const configured = await configureStrategy(deps, {
    strategyId: STRATEGY, tenantId: DEMO_TENANT, name: 'binance', symbolMap: {}, risk: {}, maxSignalAgeSeconds: 0,
    accounts: [{ accountId: ACCOUNT, sizing: { kind: 'signal_quantity', multiplier: '1' }, orderTemplate: template }],
  }, () => DEMO_TENANT, 'test');
  expect(configured.ok).toBe(true);
  await waitUntil(() => runtime.node.ownedAccounts().includes(ACCOUNT), 'the node to own the binance account');
  const r = { sandbox, feed, server };
  rigs.push(r);
  return r;
}

async function alert(r: Rig, id: string, quantity = '0.01'): Promise<string> {
  const answer = await postAlert(r.server.runtime, { secret: WEBHOOK_SECRET, id, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity }, { strategyId: STRATEGY });
  expect(answer.status, answer.text).toBe(202);
  return answer.body.signalId!;
}

async function orderOf(r: Rig, signalId: string): Promise<string> {
  return waitUntil(async () => {
    const approved = (await r.server.runtime.events.readAll(0, 10_000)).find((e) => e.type === 'OrderApproved' && (e.data as { signalId: string }).signalId === signalId);
    return approved ? (approved.data as { clientOrderId: string }).clientOrderId : undefined;
  }, 'the order to be approved');
}

const history = (r: Rig, clientOrderId: string): Promise<RecordedEvent[]> => r.server.runtime.events.readStream(`order-${clientOrderId}`);
const types = async (r: Rig, clientOrderId: string) => (await history(r, clientOrderId)).map((e) => e.type);

/** Waits for the order to be filled in the log, then checks the exchange holds exactly it, placed once, in the same state. */
async function expectFilledOnce(r: Rig, clientOrderId: string, withinMs = 15_000): Promise<string[]> {
  await waitUntil(async () => (await types(r, clientOrderId)).includes('OrderFilled'), `order ${clientOrderId} filled in the log`, withinMs, 50);
  const atExchange = await r.sandbox.exchange.fetchOrder('sbx', clientOrderId);
  expect(atExchange?.status).toBe('filled');
  expect(r.sandbox.exchange.placementAttempts('sbx', clientOrderId)).toBe(1);
  await r.server.runtime.settle();
  const orders = (await fetchJson<Page<OrderView>>(r.server.runtime, `/api/v1/orders?accountId=${ACCOUNT}`)).body.items;
  const ours = orders.find((o) => o.clientOrderId === clientOrderId)!;
  expect(ours).toMatchObject({ status: 'filled', filledQuantity: atExchange!.filledQuantity, exchangeOrderId: atExchange!.exchangeOrderId });
  return types(r, clientOrderId);
}

describe('trading a Binance-compatible exchange through ccxt', () => {
  it('places a market order with our clientOrderId, records the fill, and the position equals the exchange balance', async () => {
    const r = await rig();
    const id = await orderOf(r, await alert(r, 'bn-1'));
    expect(await expectFilledOnce(r, id)).toEqual(['OrderApproved', 'OrderAccepted', 'OrderFilled']);
    const positions = (await fetchJson<{ items: PositionView[] }>(r.server.runtime, '/api/v1/positions')).body.items;
    const btc = (await r.sandbox.exchange.fetchBalances('sbx')).find((b) => b.asset === 'BTC');
    expect(positions.find((p) => p.accountId === ACCOUNT)?.quantity).toBe(btc?.total);
    // the credentials never reached a log line
    expect(r.server.logs.text()).not.toContain(API_SECRET);
  });

  const faults: [string, SandboxFault, readonly string[]][] = [
    ['a timeout after the exchange took the order', { kind: 'timeout', mode: 'destroy' }, ['OrderApproved', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']],
    ['a 500 (-1006) after the exchange took the order', { kind: 'http_error', status: 500, when: 'after' }, ['OrderApproved', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']],
    ['a 504 (-1007, execution status unknown) after acceptance', { kind: 'http_error', status: 504, when: 'after' }, ['OrderApproved', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']],
    ['a 502 from a proxy before the exchange saw the order', { kind: 'http_error', status: 502, when: 'before' }, ['OrderApproved', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']],
    // the duplicate answer is an unknown outcome (the order probably exists), never a rejection
    ['a duplicate-id answer for an order that exists', { kind: 'duplicate', placeOrder: true }, ['OrderApproved', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']],
  ];
  for (const [name, fault, expected] of faults) {
    it(`given ${name}, then the order is found or sent once, never twice`, async () => {
      const r = await rig();
      r.sandbox.faults.inject(fault);
      const id = await orderOf(r, await alert(r, `bn-${fault.kind}`));
      expect(await expectFilledOnce(r, id)).toEqual(expected);
    });
  }

  it('given an order taken but invisible to queries for a while, then "not found" is not taken as proof: no second order', async () => {
    const r = await rig({ visibilityMs: 4000 });
    r.sandbox.faults.inject({ kind: 'timeout', mode: 'destroy' });
    r.sandbox.faults.inject({ kind: 'invisible', seconds: 2 });
    const id = await orderOf(r, await alert(r, 'bn-invisible'));
    expect(await expectFilledOnce(r, id)).toEqual(['OrderApproved', 'OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']);
  });

  it('given 429 then 418 (a ban for insisting), then the client backs off, and the order is placed once after the ban', async () => {
    const r = await rig();
    r.sandbox.faults.inject({ kind: 'rate_limit', retryAfterSeconds: 1, banSeconds: 1 });
    const id = await orderOf(r, await alert(r, 'bn-429'));
    await expectFilledOnce(r, id, 20_000);
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
    expect(await expectFilledOnce(r, id)).toEqual(['OrderApproved', 'OrderAccepted', 'OrderFilled']);
  });
});
