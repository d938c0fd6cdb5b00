import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExchangeOrder, OrderUpdate, PlaceOrderListRequest, PlaceOrderListResult, PlaceOrderRequest, PlaceOrderResult } from '../../../application/ports/exchange.js';
import { Dec, decToString } from '../../../domain/shared/decimal.js';
import { SyntheticPriceFeed } from '../../marketdata/synthetic-price-feed.js';
import { PaperExchange, type PaperExchangeOptions } from './paper-exchange.js';

/** One-cancels-other order lists on the paper exchange (issue 17): Binance spot's OCO, simulated. */
const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const clock = { now: () => T0 };
let dir: string;
let feed: SyntheticPriceFeed;
let ex: PaperExchange;
let updates: OrderUpdate[];
let counter = 0;
const cid = (): string => String(++counter).padStart(32, '0');

function open(over: Partial<PaperExchangeOptions> = {}): PaperExchange {
  const exchange = new PaperExchange({ path: join(dir, 'paper.db'), feed, clock, seed: 1, partialFills: false, ...over });
  exchange.onOrderUpdate((update) => updates.push(update));
  return exchange;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'patriot-paper-oco-'));
  feed = new SyntheticPriceFeed({ clock, seed: 9 });
  feed.setPrice('BTC/USDT', '97000');
  updates = [];
  ex = open();
  ex.openAccount('a', [{ asset: 'USDT', amount: '100000' }, { asset: 'BTC', amount: '1' }]);
});
afterEach(() => {
  ex.close();
  rmSync(dir, { recursive: true, force: true });
});

function list(over: Partial<PlaceOrderListRequest> = {}): PlaceOrderListRequest {
  return {
    listClientOrderId: cid(),
    symbol: 'BTC/USDT',
    side: 'sell',
    quantity: '0.5',
    limitLeg: { clientOrderId: cid(), price: '99000' },
    stopLeg: { clientOrderId: cid(), stopPrice: '95000' },
    ...over,
  };
}
const buyList = (over: Partial<PlaceOrderListRequest> = {}): PlaceOrderListRequest =>
  list({ side: 'buy', limitLeg: { clientOrderId: cid(), price: '95000' }, stopLeg: { clientOrderId: cid(), stopPrice: '99000' }, ...over });

function accepted(result: PlaceOrderListResult): { limitLeg: ExchangeOrder; stopLeg: ExchangeOrder } {
  if (result.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(result)}`);
  return result;
}
function placed(result: PlaceOrderResult): ExchangeOrder {
  if (result.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(result)}`);
  return result.order;
}
async function tick(price: string): Promise<void> {
  feed.setPrice('BTC/USDT', price);
  await ex.settle();
  await new Promise<void>((resolve) => setImmediate(resolve)); // the updates of the tick are emitted a turn later
}
async function balance(asset: string): Promise<{ total: string; available: string }> {
  const found = (await ex.fetchBalances('a')).find((b) => b.asset === asset);
  return { total: found?.total ?? '0', available: found?.available ?? '0' };
}
const status = async (clientOrderId: string) => (await ex.fetchOrder('a', clientOrderId))?.status;
const sell = (over: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({ clientOrderId: cid(), symbol: 'BTC/USDT', side: 'sell', type: 'limit', quantity: '0.6', limitPrice: '99500', ...over });

describe('PaperExchange: one-cancels-other order lists', () => {
  it('places both legs at once: each its own open order with the list id; the list holds the base once', async () => {
    const request = list();
    const { limitLeg, stopLeg } = accepted(await ex.placeOrderList('a', request));
    expect(limitLeg).toMatchObject({ clientOrderId: request.limitLeg.clientOrderId, type: 'limit', limitPrice: '99000', quantity: '0.5', status: 'open' });
    expect(stopLeg).toMatchObject({ clientOrderId: request.stopLeg.clientOrderId, type: 'stop_market', stopPrice: '95000', quantity: '0.5', status: 'open' });
    expect(limitLeg.orderListId).toMatch(/^\d+$/);
    expect(stopLeg.orderListId).toBe(limitLeg.orderListId);
    expect(Number(stopLeg.exchangeOrderId)).toBeLessThan(Number(limitLeg.exchangeOrderId));
    expect(await ex.fetchOrder('a', request.stopLeg.clientOrderId)).toEqual(stopLeg);
    expect((await ex.fetchOpenOrders('a')).map((o) => o.clientOrderId)).toEqual([request.stopLeg.clientOrderId, request.limitLeg.clientOrderId]);
    expect(await balance('BTC')).toEqual({ total: '1', available: '0.5' });
    const byId = await ex.fetchOrderList('a', { orderListId: limitLeg.orderListId! });
    expect(byId).toMatchObject({ orderListId: limitLeg.orderListId, listClientOrderId: request.listClientOrderId, symbol: 'BTC/USDT', limitLeg, stopLeg });
    expect(await ex.fetchOrderList('a', { listClientOrderId: request.listClientOrderId })).toEqual(byId);
    expect(await ex.fetchOrderList('b', { listClientOrderId: request.listClientOrderId })).toBeNull();
    expect(await ex.fetchOpenOrderLists('a')).toEqual([byId]);
    expect(ex.placementAttempts('a', request.limitLeg.clientOrderId)).toBe(1);
    expect(ex.placementAttempts('a', request.stopLeg.clientOrderId)).toBe(1);
    expect(ex.placesOrderLists()).toBe(false);
  });

  it('refuses prices that do not straddle the market, on either side (OCO_PRICES_WRONG_SIDE), creating and holding nothing', async () => {
    const wrong = [
      list({ limitLeg: { clientOrderId: cid(), price: '96000' } }), // sell: limit below the market
      list({ stopLeg: { clientOrderId: cid(), stopPrice: '98000' } }), // sell: stop above it
      buyList({ limitLeg: { clientOrderId: cid(), price: '98000' } }), // buy: limit above the market
      buyList({ stopLeg: { clientOrderId: cid(), stopPrice: '96000' } }), // buy: stop below it
    ];
    for (const request of wrong) {
      expect(await ex.placeOrderList('a', request)).toMatchObject({ kind: 'rejected', code: 'OCO_PRICES_WRONG_SIDE' });
      expect(await ex.fetchOrder('a', request.limitLeg.clientOrderId)).toBeNull();
      expect(await ex.fetchOrder('a', request.stopLeg.clientOrderId)).toBeNull();
    }
    expect(await balance('BTC')).toEqual({ total: '1', available: '1' });
    expect(await balance('USDT')).toEqual({ total: '100000', available: '100000' });
    expect(await ex.fetchOpenOrders('a')).toEqual([]);
  });

  it('is atomic: a bad leg, a used id, a small notional or missing funds refuse the whole list', async () => {
    const first = list();
    accepted(await ex.placeOrderList('a', first));
    const used = placed(await ex.placeOrder('a', sell({ quantity: '0.1' })));
    const cases: Array<[PlaceOrderListRequest, string]> = [
      [list({ stopLeg: { clientOrderId: cid(), stopPrice: '95000.001' } }), 'PRICE_FILTER'],
      [list({ quantity: '0.500001' }), 'LOT_SIZE'],
      [list({ limitLeg: { clientOrderId: used.clientOrderId, price: '99000' } }), 'DUPLICATE_CLIENT_ORDER_ID'],
      [list({ stopLeg: { clientOrderId: first.stopLeg.clientOrderId, stopPrice: '95000' } }), 'DUPLICATE_CLIENT_ORDER_ID'],
      [list({ listClientOrderId: first.listClientOrderId }), 'DUPLICATE_CLIENT_ORDER_ID'],
      [list({ quantity: '0.0001', stopLeg: { clientOrderId: cid(), stopPrice: '95000', limitPrice: '40000' } }), 'MIN_NOTIONAL'],
      [list({ quantity: '0.5' }), 'INSUFFICIENT_BALANCE'], // 0.5 + 0.1 held, 0.4 left
    ];
    for (const [request, code] of cases) {
      expect(await ex.placeOrderList('a', request), code).toMatchObject({ kind: 'rejected', code });
      if (request.limitLeg.clientOrderId !== used.clientOrderId) expect(await ex.fetchOrder('a', request.limitLeg.clientOrderId)).toBeNull();
      if (request.stopLeg.clientOrderId !== first.stopLeg.clientOrderId) expect(await ex.fetchOrder('a', request.stopLeg.clientOrderId)).toBeNull();
    }
    const sameIds = list();
    const twin = { ...sameIds, stopLeg: { clientOrderId: sameIds.limitLeg.clientOrderId, stopPrice: '95000' } };
    expect(await ex.placeOrderList('a', twin)).toMatchObject({ kind: 'rejected', code: 'DUPLICATE_CLIENT_ORDER_ID' });
    expect(await ex.fetchOpenOrders('a')).toHaveLength(3);
    expect(await balance('BTC')).toEqual({ total: '1', available: '0.4' });
  });

  it('holds the base once: a second sell of it is refused while the list rests, and accepted once the list is cancelled', async () => {
    const request = list({ quantity: '1' });
    accepted(await ex.placeOrderList('a', request));
    expect(await ex.placeOrder('a', sell({ quantity: '0.1' }))).toMatchObject({ kind: 'rejected', code: 'INSUFFICIENT_BALANCE' });
    await ex.cancelOrder('a', request.stopLeg.clientOrderId);
    expect(await balance('BTC')).toEqual({ total: '1', available: '1' });
    placed(await ex.placeOrder('a', sell({ quantity: '0.1' })));
  });

  it('a fill of the limit leg expires the stop leg at once (an update for each)', async () => {
    const request = list();
    accepted(await ex.placeOrderList('a', request));
    await tick('99000');
    expect(await ex.fetchOrder('a', request.limitLeg.clientOrderId)).toMatchObject({ status: 'filled', filledQuantity: '0.5' });
    expect(await status(request.stopLeg.clientOrderId)).toBe('expired');
    expect(updates.map((u) => [u.order.clientOrderId, u.order.status])).toEqual([
      [request.limitLeg.clientOrderId, 'filled'],
      [request.stopLeg.clientOrderId, 'expired'],
    ]);
    expect(await balance('BTC')).toEqual({ total: '0.5', available: '0.5' });
    await tick('90000');
    expect(await status(request.stopLeg.clientOrderId)).toBe('expired');
    expect(await ex.fetchOpenOrderLists('a')).toEqual([]);
  });

  it('a partial fill of the limit leg expires the stop leg; the limit leg keeps resting', async () => {
    ex.close();
    ex = open({ partialFills: true, seed: 4 });
    const request = list();
    accepted(await ex.placeOrderList('a', request));
    await tick('99100');
    const limitLeg = await ex.fetchOrder('a', request.limitLeg.clientOrderId);
    expect(limitLeg?.status).toBe('partially_filled');
    expect(await status(request.stopLeg.clientOrderId)).toBe('expired');
    // the limit leg holds what it has left to sell: total - available
    const left = new Dec(0.5).minus(limitLeg!.filledQuantity);
    expect(await balance('BTC')).toEqual({ total: decToString(new Dec(0.5).plus(left)), available: '0.5' });
    expect((await ex.fetchOpenOrderLists('a')).map((l) => l.listClientOrderId)).toEqual([request.listClientOrderId]);
  });

  it('the stop trigger expires the limit leg first, then sells at market with the base it released', async () => {
    const request = list({ quantity: '1' });
    accepted(await ex.placeOrderList('a', request));
    await tick('94900');
    expect(await status(request.limitLeg.clientOrderId)).toBe('expired');
    const stop = await ex.fetchOrder('a', request.stopLeg.clientOrderId);
    expect(stop).toMatchObject({ status: 'filled', filledQuantity: '1', type: 'stop_market' });
    expect(stop?.fills[0]?.liquidity).toBe('taker');
    expect(updates.map((u) => [u.order.clientOrderId, u.order.status])).toEqual([
      [request.limitLeg.clientOrderId, 'expired'],
      [request.stopLeg.clientOrderId, 'filled'],
    ]);
    expect(await balance('BTC')).toEqual({ total: '0', available: '0' });
  });

  it('a stop-limit leg rests as a limit once triggered and releases its hold when it fills on a later tick', async () => {
    const request = list({ stopLeg: { clientOrderId: cid(), stopPrice: '95000', limitPrice: '94500' } });
    const { stopLeg } = accepted(await ex.placeOrderList('a', request));
    expect(stopLeg).toMatchObject({ type: 'stop_limit', stopPrice: '95000', limitPrice: '94500' });
    await tick('94000'); // triggered below its limit: a sell at 94500 rests
    expect(await status(request.limitLeg.clientOrderId)).toBe('expired');
    expect(await status(request.stopLeg.clientOrderId)).toBe('open');
    expect(await balance('BTC')).toEqual({ total: '1', available: '0.5' });
    await tick('94600');
    expect(await status(request.stopLeg.clientOrderId)).toBe('filled');
    expect(await balance('BTC')).toEqual({ total: '0.5', available: '0.5' });
  });

  it('a buy list holds the quote once at the higher of its prices; its stop buys at market after expiring the limit leg', async () => {
    const request = buyList({ quantity: '0.5', stopLeg: { clientOrderId: cid(), stopPrice: '99000', limitPrice: '99500' } });
    accepted(await ex.placeOrderList('a', request));
    // 0.5 x 99500 plus the taker fee (10 bps)
    expect(await balance('USDT')).toEqual({ total: '100000', available: '50200.25' });
    await tick('99200');
    expect(await status(request.limitLeg.clientOrderId)).toBe('expired');
    expect(await status(request.stopLeg.clientOrderId)).toBe('filled');
    expect(await balance('BTC')).toEqual({ total: '1.5', available: '1.5' });
    const usdt = await balance('USDT');
    expect(usdt.available).toBe(usdt.total);
  });

  it('a partial fill of a buy list limit leg trims its hold to what the leg still needs', async () => {
    ex.close();
    ex = open({ partialFills: true, seed: 4 });
    const request = buyList();
    accepted(await ex.placeOrderList('a', request));
    await tick('94900');
    const limitLeg = (await ex.fetchOrder('a', request.limitLeg.clientOrderId))!;
    expect(limitLeg.status).toBe('partially_filled');
    expect(await status(request.stopLeg.clientOrderId)).toBe('expired');
    const left = new Dec(0.5).minus(limitLeg.filledQuantity);
    const usdt = await balance('USDT');
    expect(decToString(new Dec(usdt.total).minus(usdt.available))).toBe(decToString(left.times(95000).times('1.0002'))); // maker fee 2 bps
  });

  it('cancelling either leg cancels both, releases the hold and pushes an update for each', async () => {
    for (const which of ['limitLeg', 'stopLeg'] as const) {
      updates = [];
      const request = list();
      accepted(await ex.placeOrderList('a', request));
      const cancelled = await ex.cancelOrder('a', request[which].clientOrderId);
      expect(cancelled).toMatchObject({ clientOrderId: request[which].clientOrderId, status: 'cancelled' });
      expect(await status(request.limitLeg.clientOrderId)).toBe('cancelled');
      expect(await status(request.stopLeg.clientOrderId)).toBe('cancelled');
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(updates.map((u) => u.order.status)).toEqual(['cancelled', 'cancelled']);
      expect(await balance('BTC')).toEqual({ total: '1', available: '1' });
    }
  });

  it('a restart keeps the link: the legs still carry the list id and the stop still expires the limit leg', async () => {
    const request = list();
    const { limitLeg } = accepted(await ex.placeOrderList('a', request));
    ex.close();
    ex = open();
    expect(await ex.fetchOrder('a', request.limitLeg.clientOrderId)).toMatchObject({ orderListId: limitLeg.orderListId, status: 'open' });
    await tick('94000');
    expect(await status(request.limitLeg.clientOrderId)).toBe('expired');
    expect(await status(request.stopLeg.clientOrderId)).toBe('filled');
    expect(await balance('BTC')).toEqual({ total: '0.5', available: '0.5' });
  });

  it('a file from before order lists opens unchanged and gets the table', async () => {
    const before = placed(await ex.placeOrder('a', sell({ quantity: '0.1' })));
    ex.close();
    const db = new Database(join(dir, 'paper.db'));
    db.exec('DROP TABLE paper_order_lists');
    db.close();
    ex = open();
    const order = await ex.fetchOrder('a', before.clientOrderId);
    expect(order).toMatchObject({ status: 'open' });
    expect(order).not.toHaveProperty('orderListId');
    accepted(await ex.placeOrderList('a', list()));
  });
});

describe('PaperExchange: holdsConditionalFunds', () => {
  const stop = (over: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({ clientOrderId: cid(), symbol: 'BTC/USDT', side: 'sell', type: 'stop_market', quantity: '1', stopPrice: '95000', ...over });

  it('off (the default): a waiting stop holds nothing, so a take-profit of the same base is accepted beside it', async () => {
    placed(await ex.placeOrder('a', stop()));
    expect(await balance('BTC')).toEqual({ total: '1', available: '1' });
    placed(await ex.placeOrder('a', sell({ quantity: '1' })));
  });

  it('on: a waiting sell stop holds its base (a take-profit of it is refused) until cancelled', async () => {
    ex.close();
    ex = open({ holdsConditionalFunds: true });
    const waiting = placed(await ex.placeOrder('a', stop()));
    expect(await balance('BTC')).toEqual({ total: '1', available: '0' });
    expect(await ex.placeOrder('a', sell({ quantity: '1' }))).toMatchObject({ kind: 'rejected', code: 'INSUFFICIENT_BALANCE' });
    expect(await ex.placeOrder('a', stop())).toMatchObject({ kind: 'rejected', code: 'INSUFFICIENT_BALANCE' });
    await ex.cancelOrder('a', waiting.clientOrderId);
    expect(await balance('BTC')).toEqual({ total: '1', available: '1' });
  });

  it('on: a held stop releases its hold when it triggers and fills; a held buy stop-limit holds quote at its limit', async () => {
    ex.close();
    ex = open({ holdsConditionalFunds: true });
    const sellStop = placed(await ex.placeOrder('a', stop({ quantity: '0.5' })));
    const buyStop = placed(await ex.placeOrder('a', stop({ side: 'buy', type: 'stop_limit', quantity: '0.1', stopPrice: '98000', limitPrice: '98100' })));
    expect(await balance('USDT')).toEqual({ total: '100000', available: '90188.038' }); // 0.1 x 98100 + 2 bps
    await tick('94000');
    expect(await status(sellStop.clientOrderId)).toBe('filled');
    expect(await balance('BTC')).toEqual({ total: '0.5', available: '0.5' });
    await tick('98050');
    expect(await status(buyStop.clientOrderId)).toBe('filled');
    const usdt = await balance('USDT');
    expect(usdt.available).toBe(usdt.total);
  });

  it('on: a held stop keeps its hold across a restart (even with the option off then) and releases it on cancel', async () => {
    ex.close();
    ex = open({ holdsConditionalFunds: true });
    const waiting = placed(await ex.placeOrder('a', stop({ quantity: '0.4' })));
    ex.close();
    ex = open({ holdsConditionalFunds: false }); // the hold is the order's, whatever the option says now
    expect(await balance('BTC')).toEqual({ total: '1', available: '0.6' });
    await ex.cancelOrder('a', waiting.clientOrderId);
    expect(await balance('BTC')).toEqual({ total: '1', available: '1' });
  });
});
