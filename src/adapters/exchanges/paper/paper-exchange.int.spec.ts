import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Balance, ExchangeOrder, OrderUpdate, PlaceOrderRequest, PlaceOrderResult } from '../../../application/ports/exchange.js';
import { Dec, ZERO, decToString } from '../../../domain/shared/decimal.js';
import { SeededRandom } from '../../marketdata/seeded-random.js';
import { SyntheticPriceFeed } from '../../marketdata/synthetic-price-feed.js';
import { PaperExchange, type PaperExchangeOptions } from './paper-exchange.js';

const T0 = Date.parse('2025-03-01T12:00:00.000Z');
let dir: string;
let now: number;
const clock = { now: () => now };
let feed: SyntheticPriceFeed;
const open: PaperExchange[] = [];
let counter = 0;

const cid = (n: number | string = ++counter): string => String(n).padStart(32, '0');
const d = (x: string | number) => new Dec(x);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function exchange(over: Partial<PaperExchangeOptions> = {}): PaperExchange {
  const ex = new PaperExchange({ path: join(dir, 'paper.db'), feed, clock, seed: 1, ...over });
  open.push(ex);
  return ex;
}

function buy(quantity: string, over: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return { clientOrderId: cid(), symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity, ...over };
}

function bal(balances: Balance[], asset: string): { total: string; available: string } {
  const b = balances.find((x) => x.asset === asset);
  return b ? { total: b.total, available: b.available } : { total: '0', available: '0' };
}

function accepted(result: PlaceOrderResult): ExchangeOrder {
  if (result.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(result)}`);
  return result.order;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'patriot-paper-'));
  now = T0;
  feed = new SyntheticPriceFeed({ clock, seed: 9 });
  feed.setPrice('BTC/USDT', '97000');
  feed.setPrice('ETH/USDT', '3400');
});

afterEach(() => {
  for (const ex of open.splice(0)) ex.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('PaperExchange: accounts and market orders', () => {
  it('openAccount is idempotent and accounts are isolated', async () => {
    const ex = exchange();
    expect(ex.openAccount('a', [{ asset: 'USDT', amount: '1000' }])).toBe(true);
    expect(ex.openAccount('a', [{ asset: 'USDT', amount: '5' }, { asset: 'BTC', amount: '1' }])).toBe(false);
    ex.openAccount('b', [{ asset: 'BTC', amount: '2' }]);
    expect(await ex.fetchBalances('a')).toEqual([{ asset: 'USDT', total: '1000', available: '1000' }]);
    expect(await ex.fetchBalances('b')).toEqual([{ asset: 'BTC', total: '2', available: '2' }]);
    expect(await ex.fetchBalances('nobody')).toEqual([]);
    expect(ex.markets().map((m) => m.symbol)).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
  });

  it('market buy fills at the slipped price with the taker fee and moves balances exactly', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '10000' }]);
    const id = cid();
    const order = accepted(await ex.placeOrder('a', buy('0.01', { clientOrderId: id })));
    expect(order).toMatchObject({ clientOrderId: id, exchangeOrderId: '1', status: 'filled', filledQuantity: '0.01', quantity: '0.01', type: 'market' });
    expect(order.fills).toEqual([
      {
        tradeId: '1',
        clientOrderId: id,
        exchangeOrderId: '1',
        symbol: 'BTC/USDT',
        side: 'buy',
        quantity: '0.01',
        price: '97048.5', // 97000 * 1.0005
        fee: '0.970485', // 970.485 * 0.001
        feeCurrency: 'USDT',
        liquidity: 'taker',
        time: '2025-03-01T12:00:00.000Z',
      },
    ]);
    const balances = await ex.fetchBalances('a');
    expect(bal(balances, 'USDT')).toEqual({ total: '9028.544515', available: '9028.544515' });
    expect(bal(balances, 'BTC')).toEqual({ total: '0.01', available: '0.01' });
    expect(await ex.fetchOrder('a', id)).toEqual(order);
  });

  it('market sell: slippage down, fee taken from the proceeds', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'BTC', amount: '1' }]);
    const order = accepted(await ex.placeOrder('a', buy('0.5', { side: 'sell' })));
    expect(order.fills[0]).toMatchObject({ price: '96951.5', fee: '48.47575', liquidity: 'taker' });
    const balances = await ex.fetchBalances('a');
    // 0.5 * 96951.5 = 48475.75, minus 48.47575
    expect(bal(balances, 'USDT')).toEqual({ total: '48427.27425', available: '48427.27425' });
    expect(bal(balances, 'BTC')).toEqual({ total: '0.5', available: '0.5' });
  });

  it('sell without base is INSUFFICIENT_BALANCE and nothing changes', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '10000' }]);
    const before = await ex.fetchBalances('a');
    const id = cid();
    const result = await ex.placeOrder('a', buy('0.01', { clientOrderId: id, side: 'sell' }));
    expect(result).toMatchObject({ kind: 'rejected', code: 'INSUFFICIENT_BALANCE' });
    expect(await ex.fetchBalances('a')).toEqual(before);
    expect(await ex.fetchOrder('a', id)).toBeNull();
    expect(await ex.fetchOpenOrders('a')).toEqual([]);
    // a buy that cannot pay notional + fee is refused as well
    expect(await ex.placeOrder('a', buy('0.103'))).toMatchObject({ kind: 'rejected', code: 'INSUFFICIENT_BALANCE' });
    expect(await ex.fetchBalances('a')).toEqual(before);
  });

  it('filters and unknowns: LOT_SIZE, PRICE_FILTER, MIN_NOTIONAL, UNKNOWN_SYMBOL, UNKNOWN_ACCOUNT, NO_PRICE', async () => {
    const ex = exchange({ feed: new SyntheticPriceFeed({ clock, seed: 1, markets: [] }) });
    const exWithPrices = exchange({ path: join(dir, 'other.db') });
    for (const e of [ex, exWithPrices]) e.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
    const code = async (e: PaperExchange, r: PlaceOrderRequest, account = 'a') => {
      const res = await e.placeOrder(account, r);
      return res.kind === 'rejected' ? res.code : res.kind;
    };
    expect(await code(exWithPrices, buy('0.000015'))).toBe('LOT_SIZE');
    expect(await code(exWithPrices, buy('0.000001'))).toBe('LOT_SIZE');
    expect(await code(exWithPrices, buy('9000.1'))).toBe('LOT_SIZE');
    expect(await code(exWithPrices, buy('0.001', { type: 'limit', limitPrice: '96000.001' }))).toBe('PRICE_FILTER');
    expect(await code(exWithPrices, buy('0.00005'))).toBe('MIN_NOTIONAL'); // 0.00005 * 97048.5 = 4.85
    expect(await code(exWithPrices, buy('0.0001', { type: 'limit', limitPrice: '40000' }))).toBe('MIN_NOTIONAL');
    expect(await code(exWithPrices, buy('1', { symbol: 'DOGE/USDT' }))).toBe('UNKNOWN_SYMBOL');
    expect(await code(exWithPrices, buy('0.001'), 'ghost')).toBe('UNKNOWN_ACCOUNT');
    expect(await code(exWithPrices, buy('abc'))).toBe('INVALID_ORDER');
    expect(await code(ex, buy('0.001'))).toBe('NO_PRICE');
    // a limit order needs no price: it rests until the feed quotes the symbol
    expect(await code(ex, buy('0.001', { type: 'limit', limitPrice: '90000' }))).toBe('accepted');
    expect(await exWithPrices.fetchBalances('a')).toEqual([{ asset: 'USDT', total: '100000', available: '100000' }]);
    expect(await exWithPrices.fetchOpenOrders('a')).toEqual([]);
  });
});

describe('PaperExchange: limit orders', () => {
  it('a resting buy locks quote and fills across crossing ticks at the limit as maker', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
    const id = cid();
    const order = accepted(await ex.placeOrder('a', buy('0.5', { clientOrderId: id, type: 'limit', limitPrice: '96000' })));
    expect(order).toMatchObject({ status: 'open', filledQuantity: '0', limitPrice: '96000', fills: [] });
    // lock = 0.5 * 96000 * 1.0002 = 48009.6
    expect(bal(await ex.fetchBalances('a'), 'USDT')).toEqual({ total: '100000', available: '51990.4' });
    expect(await ex.fetchOpenOrders('a')).toHaveLength(1);

    feed.setPrice('BTC/USDT', '96000.01'); // not crossing
    expect((await ex.fetchOrder('a', id))!.fills).toHaveLength(0);

    let ticks = 0;
    let last: ExchangeOrder | null = null;
    do {
      now += 250;
      feed.setPrice('BTC/USDT', '95990');
      last = await ex.fetchOrder('a', id);
      ticks++;
    } while (last!.status !== 'filled' && ticks < 50);
    expect(last!.status).toBe('filled');
    expect(last!.fills.length).toBeGreaterThan(1); // partial fills happened
    expect(last!.fills.length).toBe(ticks); // one fill per crossing tick
    let sum = ZERO;
    let fees = ZERO;
    for (const f of last!.fills) {
      expect(f).toMatchObject({ price: '96000', liquidity: 'maker', feeCurrency: 'USDT', side: 'buy' });
      expect(d(f.fee).equals(d(f.quantity).times(96000).times('0.0002'))).toBe(true);
      sum = sum.plus(f.quantity);
      fees = fees.plus(f.fee);
    }
    expect(decToString(sum)).toBe('0.5');
    expect(decToString(fees)).toBe('9.6');
    expect(last!.filledQuantity).toBe('0.5');
    const balances = await ex.fetchBalances('a');
    expect(bal(balances, 'USDT')).toEqual({ total: '51990.4', available: '51990.4' });
    expect(bal(balances, 'BTC')).toEqual({ total: '0.5', available: '0.5' });
    expect(await ex.fetchOpenOrders('a')).toEqual([]);
  });

  it('a resting sell locks base and fills when the price rises to the limit', async () => {
    const ex = exchange({ partialFills: false });
    ex.openAccount('a', [{ asset: 'ETH', amount: '2' }]);
    const id = cid();
    accepted(await ex.placeOrder('a', { clientOrderId: id, symbol: 'ETH/USDT', side: 'sell', type: 'limit', quantity: '1.5', limitPrice: '3500' }));
    expect(bal(await ex.fetchBalances('a'), 'ETH')).toEqual({ total: '2', available: '0.5' });
    // the base is locked: selling more than what is free fails
    expect(await ex.placeOrder('a', { clientOrderId: cid(), symbol: 'ETH/USDT', side: 'sell', type: 'market', quantity: '0.6' })).toMatchObject({
      code: 'INSUFFICIENT_BALANCE',
    });
    feed.setPrice('ETH/USDT', '3499.99');
    expect((await ex.fetchOrder('a', id))!.status).toBe('open');
    feed.setPrice('ETH/USDT', '3500');
    const filled = (await ex.fetchOrder('a', id))!;
    expect(filled).toMatchObject({ status: 'filled', filledQuantity: '1.5' });
    expect(filled.fills).toHaveLength(1);
    const balances = await ex.fetchBalances('a');
    expect(bal(balances, 'ETH')).toEqual({ total: '0.5', available: '0.5' });
    // 5250 - 1.05 maker fee
    expect(bal(balances, 'USDT')).toEqual({ total: '5248.95', available: '5248.95' });
  });

  it('a marketable limit order fills at once at the feed price as taker', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
    const order = accepted(await ex.placeOrder('a', buy('0.1', { type: 'limit', limitPrice: '98000' })));
    expect(order).toMatchObject({ status: 'filled', filledQuantity: '0.1' });
    expect(order.fills).toHaveLength(1);
    expect(order.fills[0]).toMatchObject({ price: '97000', liquidity: 'taker', fee: '9.7', quantity: '0.1' });
    expect(bal(await ex.fetchBalances('a'), 'USDT')).toEqual({ total: '90290.3', available: '90290.3' });
  });

  it('cancel unlocks the remaining funds; cancelling again changes nothing', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
    const updates: OrderUpdate[] = [];
    ex.onOrderUpdate((u) => updates.push(u));
    const id = cid();
    accepted(await ex.placeOrder('a', buy('1', { clientOrderId: id, type: 'limit', limitPrice: '90000' })));
    feed.setPrice('BTC/USDT', '89999'); // one partial fill
    const partial = (await ex.fetchOrder('a', id))!;
    expect(partial.status).toBe('partially_filled');
    const filledQty = d(partial.filledQuantity);
    expect(filledQty.greaterThan(0) && filledQty.lessThan(1)).toBe(true);

    const cancelled = (await ex.cancelOrder('a', id))!;
    expect(cancelled).toMatchObject({ status: 'cancelled', filledQuantity: partial.filledQuantity });
    expect(cancelled.fills).toEqual(partial.fills);
    const cost = filledQty.times(90000).times('1.0002');
    const usdt = decToString(d(100000).minus(cost));
    expect(bal(await ex.fetchBalances('a'), 'USDT')).toEqual({ total: usdt, available: usdt });
    expect(bal(await ex.fetchBalances('a'), 'BTC')).toEqual({ total: partial.filledQuantity, available: partial.filledQuantity });
    expect(await ex.fetchOpenOrders('a')).toEqual([]);

    expect(await ex.cancelOrder('a', id)).toEqual(cancelled);
    expect(await ex.cancelOrder('a', cid())).toBeNull();
    expect(await ex.cancelOrder('ghost', id)).toBeNull();
    feed.setPrice('BTC/USDT', '80000'); // a cancelled order never fills
    await ex.settle();
    await nextTurn();
    expect((await ex.fetchOrder('a', id))!.fills).toHaveLength(partial.fills.length);
    expect(updates.map((u) => [u.order.status, u.fill ? 'fill' : 'cancel'])).toEqual([
      ['partially_filled', 'fill'],
      ['cancelled', 'cancel'],
    ]);
  });
});

describe('PaperExchange: idempotency, durability, group commit', () => {
  it('rejects any reuse of a clientOrderId on the same account and counts attempts', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
    ex.openAccount('b', [{ asset: 'USDT', amount: '100000' }]);
    const id = cid();
    accepted(await ex.placeOrder('a', buy('0.01', { clientOrderId: id })));
    const before = await ex.fetchBalances('a');
    expect(await ex.placeOrder('a', buy('0.01', { clientOrderId: id }))).toMatchObject({ kind: 'rejected', code: 'DUPLICATE_CLIENT_ORDER_ID' });
    // also for a different request, and also once the first order is closed
    expect(await ex.placeOrder('a', buy('0.02', { clientOrderId: id, side: 'sell' }))).toMatchObject({ code: 'DUPLICATE_CLIENT_ORDER_ID' });
    expect(await ex.fetchBalances('a')).toEqual(before);
    expect(ex.placementAttempts('a', id)).toBe(3);
    expect(ex.placementAttempts('a', cid())).toBe(0);
    // other accounts have their own id space
    accepted(await ex.placeOrder('b', buy('0.01', { clientOrderId: id })));
    expect(ex.placementAttempts('b', id)).toBe(1);
  });

  it('placementAttempts still answers after close(), on a file and on :memory:, without keeping anything per order while open', async () => {
    for (const path of [join(dir, 'attempts.db'), ':memory:']) {
      const ex = exchange({ path });
      ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
      const twice = cid();
      const once = cid();
      accepted(await ex.placeOrder('a', buy('0.01', { clientOrderId: twice })));
      expect(await ex.placeOrder('a', buy('0.01', { clientOrderId: twice }))).toMatchObject({ code: 'DUPLICATE_CLIENT_ORDER_ID' });
      const queued = ex.placeOrder('a', buy('0.01', { clientOrderId: once })); // still queued at close: committed by it
      // nothing per order lives in the object once committed (the counts are in the database)
      expect(Object.values(ex).filter((v) => v instanceof Map && v.size > 0 && [...v.keys()].some((k) => String(k).includes(twice)))).toEqual([]);
      ex.close();
      accepted(await queued);
      expect(ex.placementAttempts('a', twice)).toBe(2);
      expect(ex.placementAttempts('a', once)).toBe(1);
      expect(ex.placementAttempts('a', cid())).toBe(0);
      expect(ex.placementAttempts('b', twice)).toBe(0);
    }
  });

  it('a rejected attempt does not reserve its clientOrderId', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '100' }]);
    const id = cid();
    expect(await ex.placeOrder('a', buy('0.01', { clientOrderId: id }))).toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    expect(await ex.placeOrder('a', buy('0.001', { clientOrderId: id }))).toMatchObject({ kind: 'accepted' });
    expect(ex.placementAttempts('a', id)).toBe(2);
  });

  it('restart on the same file restores everything; a resting order fills after restart exactly once', async () => {
    const path = join(dir, 'restart.db');
    const ex1 = exchange({ path });
    ex1.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
    const market = accepted(await ex1.placeOrder('a', buy('0.1')));
    const restingId = cid();
    accepted(await ex1.placeOrder('a', buy('0.3', { clientOrderId: restingId, type: 'limit', limitPrice: '95000' })));
    const balances1 = await ex1.fetchBalances('a');
    const open1 = await ex1.fetchOpenOrders('a');
    ex1.close();
    expect(() => ex1.openAccount('x')).toThrow(/closed/);
    await expect(ex1.fetchOrder('a', restingId)).rejects.toThrow(/closed/);

    const ex2 = exchange({ path });
    expect(ex2.openAccount('a', [{ asset: 'USDT', amount: '1' }])).toBe(false);
    expect(await ex2.fetchBalances('a')).toEqual(balances1);
    expect(await ex2.fetchOpenOrders('a')).toEqual(open1);
    expect(await ex2.fetchOrder('a', market.clientOrderId)).toEqual(market);
    expect(ex2.placementAttempts('a', restingId)).toBe(1);

    const updates: OrderUpdate[] = [];
    ex2.onOrderUpdate((u) => updates.push(u));
    let guard = 0;
    while ((await ex2.fetchOrder('a', restingId))!.status !== 'filled' && guard++ < 50) feed.setPrice('BTC/USDT', '94000');
    const done = (await ex2.fetchOrder('a', restingId))!;
    expect(done.filledQuantity).toBe('0.3');
    expect(decToString(done.fills.reduce((s, f) => s.plus(f.quantity), ZERO))).toBe('0.3');
    const tradeIds = [market.fills[0]!.tradeId, ...done.fills.map((f) => f.tradeId)];
    expect(new Set(tradeIds).size).toBe(tradeIds.length);
    ex2.close();

    // a third life: ticks keep coming, nothing fills twice, ids continue from the DB counters
    const ex3 = exchange({ path });
    feed.setPrice('BTC/USDT', '90000');
    feed.setPrice('BTC/USDT', '94000');
    expect(await ex3.fetchOrder('a', restingId)).toEqual(done);
    expect(await ex3.fetchOpenOrders('a')).toEqual([]);
    const next = accepted(await ex3.placeOrder('a', buy('0.01')));
    expect(Number(next.exchangeOrderId)).toBe(3);
    expect(Number(next.fills[0]!.tradeId)).toBe(done.fills.length + 2);
    await nextTurn();
    expect(updates.filter((u) => u.order.clientOrderId === restingId)).toHaveLength(done.fills.length);
    const spent = [market, done].flatMap((o) => o.fills).reduce((s, f) => s.plus(d(f.quantity).times(f.price)).plus(f.fee), ZERO);
    const spentNext = d(next.fills[0]!.quantity).times(next.fills[0]!.price).plus(next.fills[0]!.fee);
    expect(bal(await ex3.fetchBalances('a'), 'USDT').total).toBe(decToString(d(100000).minus(spent).minus(spentNext)));
  });

  it('group commit: 500 concurrent market orders over 10 accounts stay consistent', async () => {
    const ex = exchange();
    const accounts = Array.from({ length: 10 }, (_, i) => `acct-${i}`);
    for (const a of accounts) ex.openAccount(a, [{ asset: 'USDT', amount: '1000000' }, { asset: 'BTC', amount: '5' }]);
    const rng = new SeededRandom('group');
    const batchesBefore = ex.stats().batches;
    const requests = Array.from({ length: 500 }, (_, i) => ({
      account: accounts[i % 10]!,
      request: buy(decToString(d(rng.nextInt(6, 2000)).times('0.00001')), { side: rng.next() < 0.5 ? 'buy' : 'sell' }),
    }));
    // move the price in the middle of the burst: half the orders see each price
    const promises = requests.slice(0, 250).map((r) => ex.placeOrder(r.account, r.request));
    feed.setPrice('BTC/USDT', '97500');
    promises.push(...requests.slice(250).map((r) => ex.placeOrder(r.account, r.request)));
    const results = await Promise.all(promises);
    expect(results.filter((r) => r.kind !== 'accepted')).toEqual([]);
    expect(ex.stats().batches - batchesBefore).toBe(1); // one transaction, one fsync
    const prices = new Set(results.map((r) => accepted(r).fills[0]!.price));
    expect(prices).toEqual(new Set(['97048.5', '96951.5', '97548.75', '97451.25']));

    const tradeIds = new Set<string>();
    for (const account of accounts) {
      let usdt = d(1000000);
      let btc = d(5);
      results.forEach((r, i) => {
        if (requests[i]!.account !== account) return;
        for (const f of accepted(r).fills) {
          tradeIds.add(f.tradeId);
          const notional = d(f.quantity).times(f.price);
          if (f.side === 'buy') {
            usdt = usdt.minus(notional).minus(f.fee);
            btc = btc.plus(f.quantity);
          } else {
            usdt = usdt.plus(notional).minus(f.fee);
            btc = btc.minus(f.quantity);
          }
        }
      });
      const balances = await ex.fetchBalances(account);
      expect(bal(balances, 'USDT')).toEqual({ total: decToString(usdt), available: decToString(usdt) });
      expect(bal(balances, 'BTC')).toEqual({ total: decToString(btc), available: decToString(btc) });
    }
    expect(tradeIds.size).toBe(500);
  });
});

describe('PaperExchange: order updates and faults', () => {
  it('updates arrive in order, after placeOrder resolves, never re-entrantly', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
    const updates: OrderUpdate[] = [];
    let insidePlace = false;
    ex.onOrderUpdate((u) => {
      expect(insidePlace).toBe(false);
      updates.push(u);
    });
    insidePlace = true;
    const p1 = ex.placeOrder('a', buy('0.01'));
    const p2 = ex.placeOrder('a', buy('0.02'));
    insidePlace = false;
    const [r1, r2] = await Promise.all([p1, p2]);
    expect(updates).toHaveLength(0); // resolved before any update
    await nextTurn();
    expect(updates.map((u) => u.fill!.tradeId)).toEqual([accepted(r1).fills[0]!.tradeId, accepted(r2).fills[0]!.tradeId]);
    expect(updates[0]).toEqual({ accountId: 'a', order: accepted(r1), fill: accepted(r1).fills[0] });

    const id = cid();
    accepted(await ex.placeOrder('a', buy('0.5', { clientOrderId: id, type: 'limit', limitPrice: '96000' })));
    for (let i = 0; i < 30; i++) feed.setPrice('BTC/USDT', '95000');
    await ex.settle();
    await nextTurn();
    const mine = updates.filter((u) => u.order.clientOrderId === id);
    expect(mine.length).toBeGreaterThan(1);
    let prev = ZERO;
    mine.forEach((u, i) => {
      expect(u.order.fills).toHaveLength(i + 1);
      expect(u.order.fills[i]).toEqual(u.fill);
      expect(d(u.order.filledQuantity).greaterThan(prev)).toBe(true);
      prev = d(u.order.filledQuantity);
    });
    expect(mine.at(-1)!.order.status).toBe('filled');
    const ids = updates.map((u) => Number(u.fill!.tradeId));
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
  });

  it('fault unknown_after_accept: committed, filled, updates sent, but the caller hears unknown', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '10000' }]);
    const updates: OrderUpdate[] = [];
    ex.onOrderUpdate((u) => updates.push(u));
    ex.injectFault({ kind: 'unknown_after_accept' });
    const id = cid();
    expect(await ex.placeOrder('a', buy('0.01', { clientOrderId: id }))).toEqual({ kind: 'unknown', reason: 'timeout' });
    const order = (await ex.fetchOrder('a', id))!;
    expect(order).toMatchObject({ status: 'filled', filledQuantity: '0.01' });
    expect(bal(await ex.fetchBalances('a'), 'USDT').total).toBe('9028.544515');
    await nextTurn();
    expect(updates).toHaveLength(1);
    expect(ex.placementAttempts('a', id)).toBe(1);
    // the fault was consumed
    expect(await ex.placeOrder('a', buy('0.01'))).toMatchObject({ kind: 'accepted' });
  });

  it('fault unknown_before_accept: nothing stored, the caller hears unknown', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '10000' }]);
    ex.injectFault({ kind: 'unknown_before_accept' });
    const id = cid();
    expect(await ex.placeOrder('a', buy('0.01', { clientOrderId: id }))).toEqual({ kind: 'unknown', reason: 'timeout' });
    expect(await ex.fetchOrder('a', id)).toBeNull();
    expect(await ex.fetchBalances('a')).toEqual([{ asset: 'USDT', total: '10000', available: '10000' }]);
    expect(ex.placementAttempts('a', id)).toBe(1);
  });

  it('fault reject: the next call is rejected with that code, later ones are not', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '10000' }]);
    ex.injectFault({ kind: 'reject', code: 'RATE_LIMITED' });
    ex.injectFault({ kind: 'unknown_before_accept', reason: 'socket hang up' });
    expect(ex.pendingFaults()).toHaveLength(2);
    const id = cid();
    expect(await ex.placeOrder('a', buy('0.01', { clientOrderId: id }))).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED' });
    expect(await ex.placeOrder('a', buy('0.01'))).toEqual({ kind: 'unknown', reason: 'socket hang up' });
    expect(await ex.fetchOrder('a', id)).toBeNull();
    expect(await ex.placeOrder('a', buy('0.01', { clientOrderId: id }))).toMatchObject({ kind: 'accepted' });
  });

  it('operations queued in one turn apply in call order (a cancel sees the order placed just before it)', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
    const id = cid();
    const placed = ex.placeOrder('a', buy('0.1', { clientOrderId: id, type: 'limit', limitPrice: '90000' }));
    const cancelled = ex.cancelOrder('a', id);
    const balances = ex.fetchBalances('a');
    expect((accepted(await placed)).status).toBe('open');
    expect((await cancelled)!.status).toBe('cancelled');
    expect(await balances).toEqual([{ asset: 'USDT', total: '100000', available: '100000' }]);
  });

  it('an unexpected failure in one operation fails only that operation (savepoint retry)', async () => {
    const ex = exchange();
    ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
    const bad = buy('0.01');
    Object.defineProperty(bad, 'symbol', {
      get() {
        throw new Error('exploding request');
      },
    });
    const before = ex.stats().batches;
    const [r1, r2, r3] = await Promise.all([ex.placeOrder('a', buy('0.01')), ex.placeOrder('a', bad), ex.placeOrder('a', buy('0.02'))]);
    expect(ex.stats().batches - before).toBe(1);
    expect(r1).toMatchObject({ kind: 'accepted' });
    expect(r2).toMatchObject({ kind: 'rejected', code: 'INTERNAL_ERROR' });
    expect(accepted(r3).exchangeOrderId).toBe(String(Number(accepted(r1).exchangeOrderId) + 1)); // no id gap
    expect(ex.placementAttempts('a', bad.clientOrderId)).toBe(1);
    const spent = [r1, r3].map((r) => accepted(r).fills[0]!).reduce((t, f) => t.plus(d(f.quantity).times(f.price)).plus(f.fee), ZERO);
    expect(bal(await ex.fetchBalances('a'), 'USDT').total).toBe(decToString(d(100000).minus(spent)));
  });

  it('a throwing update listener does not stop the others', async () => {
    const errors: unknown[] = [];
    const ex = exchange({ onListenerError: (e) => errors.push(e) });
    ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
    const seen: OrderUpdate[] = [];
    ex.onOrderUpdate(() => {
      throw new Error('listener boom');
    });
    const off = ex.onOrderUpdate((u) => seen.push(u));
    await ex.placeOrder('a', buy('0.01'));
    await nextTurn();
    expect(seen).toHaveLength(1);
    expect(errors).toHaveLength(1);
    off();
    await ex.placeOrder('a', buy('0.01'));
    await nextTurn();
    expect(seen).toHaveLength(1);
  });

  it('close() commits what is already queued, then refuses new work', async () => {
    const path = join(dir, 'close.db');
    const ex = exchange({ path });
    ex.openAccount('a', [{ asset: 'USDT', amount: '10000' }]);
    const id = cid();
    const pending = ex.placeOrder('a', buy('0.01', { clientOrderId: id }));
    ex.close();
    ex.close(); // idempotent
    expect(await pending).toMatchObject({ kind: 'accepted' });
    await expect(ex.placeOrder('a', buy('0.01'))).rejects.toThrow(/closed/);
    const again = exchange({ path });
    expect((await again.fetchOrder('a', id))!.status).toBe('filled');
  });

  it('works on :memory: and keeps the same results for the same seed', async () => {
    const fillsFor = async () => {
      const f = new SyntheticPriceFeed({ clock, seed: 9 });
      f.setPrice('BTC/USDT', '97000');
      const ex = exchange({ path: ':memory:', feed: f, seed: 42 });
      ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }]);
      accepted(await ex.placeOrder('a', buy('0.9', { clientOrderId: cid('x'), type: 'limit', limitPrice: '96000' })));
      for (let i = 0; i < 3; i++) f.setPrice('BTC/USDT', '95000');
      return (await ex.fetchOrder('a', cid('x')))!.fills.map((x) => x.quantity);
    };
    const a = await fillsFor();
    expect(a.length).toBeGreaterThan(0);
    expect(await fillsFor()).toEqual(a);
  });
});
