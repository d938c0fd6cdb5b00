/**
 * Through the unmodified ccxt client against the sandbox: an account trades its own exchange's
 * markets at its own exchange's prices. A symbol outside BTC/ETH/SOL trades; moving the sandbox's
 * price ±40 % moves sizing, caps, marks and equity; a dropped market-data stream fails over with
 * no decision on a stale price; with every source silent, orders are refused STALE_PRICE and
 * nothing is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureStrategy } from '../application/commands/configure.js';
import { KeyedMutex } from '../application/shared/keyed-mutex.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { Dec } from '../domain/shared/decimal.js';
import { cleanupTempDirs, fetchJson, postAlert, waitUntil } from '../../test/support/server.js';
import { ACCOUNT, closeRigs, expectFilledOnce, rig, type Rig } from './test-support/ccxt-rig.js';
import { webhookSecretKey } from './runtime.js';
import { DEMO_TENANT } from './demo.js';

const QUOTE_STRATEGY = 'strat_bn_quote';
const CAPPED_STRATEGY = 'strat_bn_capped';
const SECRET = 'webhook-secret-for-quote-strategy';

interface Prices { items: { symbol: string; price: string; source: string; ageMs: number; stale: boolean }[]; connections: { id: string; state: string }[] }
interface SignalView { signalId: string; orders: { clientOrderId: string; outcome: string }[]; skipped: { code: string; message: string }[] }

let r: Rig;
beforeAll(async () => {
  r = await rig({ marketData: { maxPriceAgeMs: 3000, priceWaitMs: 1000, marketsRefreshMs: 3_600_000, balancesRefreshMs: 60_000 } });
  const { runtime } = r.server;
  const deps = { store: runtime.events, mutex: new KeyedMutex(), clock: systemClock };
  for (const [strategyId, sizing, risk] of [
    [QUOTE_STRATEGY, { kind: 'quote_amount', amount: '1000' }, { maxOrderNotional: '1200' }],
    [CAPPED_STRATEGY, { kind: 'signal_quantity', multiplier: '1' }, { maxOrderNotional: '1200' }],
  ] as const) {
    await runtime.kv.set(webhookSecretKey(strategyId), SECRET);
    const configured = await configureStrategy(deps, {
      strategyId, tenantId: DEMO_TENANT, name: strategyId, symbolMap: {}, risk, maxSignalAgeSeconds: 0,
      accounts: [{ accountId: ACCOUNT, sizing, orderTemplate: { type: 'market' } }],
    }, () => DEMO_TENANT, 'test');
    expect(configured.ok).toBe(true);
  }
}, 60_000);
afterAll(async () => {
  await closeRigs();
  cleanupTempDirs();
});

async function send(strategyId: string, id: string, ticker: string, quantity?: string): Promise<SignalView> {
  const answer = await postAlert(r.server.runtime, { secret: SECRET, id, action: 'buy', ticker, ...(quantity !== undefined ? { quantity } : {}) }, { strategyId });
  expect(answer.status, answer.text).toBe(202);
  const signalId = (answer.body as { signalId: string }).signalId;
  return waitUntil(async () => {
    const view = await fetchJson<SignalView & { outcome: string }>(r.server.runtime, `/api/v1/signals/${signalId}`);
    return view.status === 200 && view.body.outcome !== 'pending' ? view.body : undefined;
  }, `signal ${id} routed`, 20_000);
}

const pricesOf = async (symbols: string) => (await fetchJson<Prices>(r.server.runtime, `/api/v1/prices?accountId=${ACCOUNT}&symbols=${symbols}`)).body;

/** Waits until PATRIOT's price of the symbol equals the sandbox's (its own exchange's) price. */
async function priceSeen(symbol: string, price: string): Promise<Prices['items'][number]> {
  return waitUntil(async () => {
    const item = (await pricesOf(symbol)).items.find((i) => i.symbol === symbol);
    return item && new Dec(item.price).equals(new Dec(price)) ? item : undefined;
  }, `${symbol} at ${price} from the exchange`, 10_000);
}

describe("an exchange account trades its own exchange's markets and prices", () => {
  it('trades a symbol outside BTC/ETH/SOL (DOGE), sized on the exchange\'s own DOGE price, placed once', async () => {
    const doge = r.sandbox.setPrice('DOGE/USDT', '0.4');
    await priceSeen('DOGE/USDT', doge.price);
    const signal = await send(QUOTE_STRATEGY, 'doge-1', 'BINANCE:DOGEUSDT');
    expect(signal.skipped).toEqual([]);
    const id = signal.orders[0]!.clientOrderId;
    await expectFilledOnce(r, id);
    const order = await fetchJson<{ symbol: string; quantity: string }>(r.server.runtime, `/api/v1/orders/${id}`);
    expect(order.body).toMatchObject({ symbol: 'DOGE/USDT', quantity: '2500' });
    expect(r.sandbox.placements(id)).toMatchObject({ received: 1, accepted: 1 });
  });

  it('moves sizing, the notional cap, the mark and equity with the exchange\'s price, ±40 %', async () => {
    const { runtime } = r.server;
    const base = r.sandbox.setPrice('BTC/USDT', '100000');
    await priceSeen('BTC/USDT', base.price);
    for (const [pct, label] of [[40, 'up'], [-40, 'down']] as const) {
      const moved = r.sandbox.setPrice('BTC/USDT', new Dec(base.price).times(1 + pct / 100).toFixed(2));
      const seen = await priceSeen('BTC/USDT', moved.price);
      // the account's own exchange, by its stream or (a loaded machine, the stream a moment late) its REST poll: never a synthetic price
      expect(seen.source).toMatch(/^binance:spot@[0-9a-f]+:(ws-a|ws-b|rest)$/);
      // a 1,000 USDT buy costs about 1,000 USDT at the exchange, whatever the price
      const signal = await send(QUOTE_STRATEGY, `btc-quote-${label}`, 'BINANCE:BTCUSDT');
      const id = signal.orders[0]!.clientOrderId;
      await expectFilledOnce(r, id);
      const fills = await fetchJson<{ items: { clientOrderId: string; quantity: string; price: string }[] }>(runtime, `/api/v1/fills?accountId=${ACCOUNT}&limit=50`);
      const cost = fills.body.items.filter((f) => f.clientOrderId === id).reduce((sum, f) => sum.plus(new Dec(f.quantity).times(f.price)), new Dec(0));
      expect(cost.greaterThan(990) && cost.lessThanOrEqualTo(1005), `cost ${cost.toFixed()} at ${moved.price}`).toBe(true);
      // 0.01 BTC is 1,400 at +40 % (over the 1,200 cap) and 600 at -40 % (within it)
      const capped = await send(CAPPED_STRATEGY, `btc-cap-${label}`, 'BINANCE:BTCUSDT', '0.01');
      expect(capped.orders[0]!.outcome).toBe(pct > 0 ? 'rejected' : 'approved');
      if (pct < 0) await expectFilledOnce(r, capped.orders[0]!.clientOrderId);
      // the position is marked at the exchange's price, and equity follows it
      const positions = await fetchJson<{ items: { symbol: string; markPrice?: string; markSource?: string; unrealizedPnl?: string }[] }>(runtime, `/api/v1/positions?accountId=${ACCOUNT}`);
      const btc = positions.body.items.find((p) => p.symbol === 'BTC/USDT')!;
      expect(new Dec(btc.markPrice!).equals(new Dec(moved.price))).toBe(true);
      expect(btc.markSource).toMatch(/binance/);
      await runtime.snapshotNow();
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const to = new Date(Date.now() + 3_600_000).toISOString();
      const curve = await fetchJson<{ points: { unrealizedPnl: string }[] }>(runtime, `/api/v1/accounts/${ACCOUNT}/equity?from=${from}&to=${to}`);
      const unrealized = positions.body.items.reduce((sum, p) => sum.plus(p.unrealizedPnl ?? '0'), new Dec(0));
      expect(new Dec(curve.body.points.at(-1)!.unrealizedPnl).equals(unrealized), `equity valued at ${moved.price}`).toBe(true);
    }
  });

  it('a dropped market-data connection fails over: decisions keep a fresh price from the other', async () => {
    await waitUntil(async () => (await pricesOf('BTC/USDT')).connections.filter((c) => c.state === 'streaming').length === 2, 'both connections streaming', 15_000);
    expect(r.sandbox.faults.dropMarketStreams({ count: 1 })).toBeGreaterThan(0);
    const moved = r.sandbox.setPrice('BTC/USDT', '71234.5');
    const seen = await priceSeen('BTC/USDT', moved.price);
    expect(seen.stale).toBe(false);
    const signal = await send(CAPPED_STRATEGY, 'btc-after-drop', 'BINANCE:BTCUSDT', '0.01');
    expect(signal.skipped).toEqual([]);
    expect(signal.orders[0]!.outcome).toBe('approved');
    await expectFilledOnce(r, signal.orders[0]!.clientOrderId);
  });

  it('with every source of prices silent, the price goes stale: STALE_PRICE, nothing sent; prices come back, orders go again', async () => {
    const before = r.sandbox.placementStats();
    const silence = r.sandbox.faults.silenceMarketStreams({});
    r.sandbox.faults.inject({ kind: 'http_error', status: 503, when: 'before', method: 'GET', path: '/api/v3/ticker/24hr', times: 100_000 });
    r.sandbox.faults.inject({ kind: 'http_error', status: 503, when: 'before', method: 'GET', path: '/api/v3/ticker/bookTicker', times: 100_000 });
    await waitUntil(async () => (await pricesOf('BTC/USDT')).items.find((i) => i.symbol === 'BTC/USDT')?.stale === true, 'the BTC price to go stale', 20_000);
    const signal = await send(CAPPED_STRATEGY, 'btc-stale', 'BINANCE:BTCUSDT', '0.01');
    expect(signal.orders).toEqual([]);
    expect(signal.skipped).toEqual([expect.objectContaining({ code: 'STALE_PRICE', message: expect.stringContaining('binance') })]);
    expect(Object.keys(r.sandbox.placementStats()).length).toBe(Object.keys(before).length); // nothing reached the exchange

    r.sandbox.faults.remove(silence);
    r.sandbox.faults.clear();
    const moved = r.sandbox.setPrice('BTC/USDT', '72000');
    await priceSeen('BTC/USDT', moved.price);
    const again = await send(CAPPED_STRATEGY, 'btc-back', 'BINANCE:BTCUSDT', '0.01');
    expect(again.orders[0]!.outcome).toBe('approved');
  });
});
