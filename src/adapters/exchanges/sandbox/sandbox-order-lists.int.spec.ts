/**
 * One-cancels-other order lists (issue 17) through the real, unmodified ccxt binance client's
 * implicit API (privatePostOrderListOco, privateGetOrderList, privateDeleteOrderList,
 * privateGetOpenOrderList), signed by ccxt as any private call: placement, the legs as orders,
 * fills and triggers on the feed, cancels, Binance's errors, a lost answer, the user-data stream.
 */
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { clientOrderId, failure, restClient, startSandbox, type BinanceClient, type SandboxFixture } from './test-support/sandbox-fixture.js';
import { eventually } from './test-support/polling.js';

let fx: SandboxFixture;
let client: BinanceClient;

beforeEach(async () => {
  fx = await startSandbox();
  client = restClient(fx.sandbox);
  await client.loadMarkets();
});

afterEach(async () => {
  await client.close();
  await fx.sandbox.close();
});

type Json = Record<string, unknown>;

interface Ids {
  readonly list: string;
  readonly limit: string;
  readonly stop: string;
}
const newIds = (): Ids => ({ list: clientOrderId(), limit: clientOrderId(), stop: clientOrderId() });

/** A SELL OCO: take-profit LIMIT_MAKER above the market (97000), stop below. */
function sellOco(ids: Ids, over: Json = {}): Promise<Json> {
  return client.privatePostOrderListOco({
    symbol: 'BTCUSDT',
    side: 'SELL',
    quantity: '0.5',
    listClientOrderId: ids.list,
    aboveType: 'LIMIT_MAKER',
    aboveClientOrderId: ids.limit,
    abovePrice: '99000',
    belowType: 'STOP_LOSS',
    belowClientOrderId: ids.stop,
    belowStopPrice: '95000',
    ...over,
  }) as Promise<Json>;
}

const order = (id: string) => client.fetchOrder('', 'BTC/USDT', { clientOrderId: id });
const lastError = () => JSON.parse(client.last_http_response as string) as Json;

/** The feed's price moves; the paper exchange applies the tick before any later request. */
async function price(value: string): Promise<void> {
  fx.sandbox.setPrice('BTC/USDT', value);
  await fx.sandbox.exchange.settle();
}

describe('POST /api/v3/orderList/oco via ccxt', () => {
  it('places both legs: Binance-shaped answer, each leg an order with the list id, the base held once', async () => {
    const ids = newIds();
    const answer = await sellOco(ids);
    const listId = answer.orderListId as number;
    expect(answer).toMatchObject({
      contingencyType: 'OCO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listClientOrderId: ids.list,
      symbol: 'BTCUSDT',
      orders: [
        { symbol: 'BTCUSDT', orderId: expect.any(Number), clientOrderId: ids.stop },
        { symbol: 'BTCUSDT', orderId: expect.any(Number), clientOrderId: ids.limit },
      ],
    });
    expect(typeof listId).toBe('number');
    expect(typeof answer.transactionTime).toBe('number');
    const reports = answer.orderReports as Json[];
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatchObject({ clientOrderId: ids.stop, orderListId: listId, type: 'STOP_LOSS', side: 'SELL', status: 'NEW', stopPrice: '95000.00000000', origQty: '0.50000000' });
    expect(reports[1]).toMatchObject({ clientOrderId: ids.limit, orderListId: listId, type: 'LIMIT_MAKER', side: 'SELL', status: 'NEW', price: '99000.00000000' });

    const limitLeg = await order(ids.limit);
    expect(limitLeg).toMatchObject({ clientOrderId: ids.limit, status: 'open', price: 99000, amount: 0.5, info: { orderListId: listId, type: 'LIMIT_MAKER' } });
    expect(await order(ids.stop)).toMatchObject({ clientOrderId: ids.stop, status: 'open', info: { orderListId: listId, type: 'STOP_LOSS', stopPrice: '95000.00000000' } });
    expect((await client.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual([ids.stop, ids.limit]);
    const plain = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 90000, { clientOrderId: clientOrderId() });
    expect(plain.info).toMatchObject({ orderListId: -1 });

    const balance = await client.fetchBalance();
    expect(balance.BTC).toMatchObject({ total: 1, free: 0.5, used: 0.5 });
    const status = { orderListId: listId, contingencyType: 'OCO', listStatusType: 'EXEC_STARTED', listOrderStatus: 'EXECUTING', listClientOrderId: ids.list, symbol: 'BTCUSDT', orders: answer.orders };
    expect(await client.privateGetOrderList({ orderListId: listId })).toMatchObject(status);
    expect(await client.privateGetOrderList({ origClientOrderId: ids.list })).toMatchObject(status);
    expect(await client.privateGetOpenOrderList()).toMatchObject([status]);
    expect(fx.sandbox.placements(ids.limit)).toEqual({ received: 1, accepted: 1, refused: 0 });
    expect(fx.sandbox.placements(ids.stop)).toEqual({ received: 1, accepted: 1, refused: 0 });
  });

  it('the limit leg filling expires the stop leg: the list is ALL_DONE, the trade carries the list id', async () => {
    const ids = newIds();
    const listId = (await sellOco(ids)).orderListId;
    await price('99000');
    expect(await order(ids.limit)).toMatchObject({ status: 'closed', filled: 0.5 });
    expect(await order(ids.stop)).toMatchObject({ status: 'expired', filled: 0 });
    expect(await client.privateGetOrderList({ orderListId: listId })).toMatchObject({ listStatusType: 'ALL_DONE', listOrderStatus: 'ALL_DONE' });
    expect(await client.privateGetOpenOrderList()).toEqual([]);
    const trades = await client.fetchMyTrades('BTC/USDT');
    expect(trades.map((t) => t.info.orderListId)).toEqual([listId]);
    expect((await client.fetchBalance()).BTC).toMatchObject({ total: 0.5, free: 0.5, used: 0 });
  });

  it('the stop triggering expires the limit leg and sells at market with the base the list held', async () => {
    const ids = newIds();
    await sellOco(ids, { quantity: '1' });
    await price('94900');
    expect(await order(ids.limit)).toMatchObject({ status: 'expired', filled: 0 });
    expect(await order(ids.stop)).toMatchObject({ status: 'closed', filled: 1 });
    expect((await client.fetchBalance()).BTC?.total ?? 0).toBe(0);
  });

  it('a BUY list: the STOP_LOSS_LIMIT above, the LIMIT_MAKER below; the stop triggers and fills at its limit', async () => {
    const ids = newIds();
    const answer = await client.privatePostOrderListOco({
      symbol: 'BTCUSDT', side: 'BUY', quantity: '0.1', listClientOrderId: ids.list,
      aboveType: 'STOP_LOSS_LIMIT', aboveClientOrderId: ids.stop, aboveStopPrice: '99000', abovePrice: '99500', aboveTimeInForce: 'GTC',
      belowType: 'LIMIT_MAKER', belowClientOrderId: ids.limit, belowPrice: '95000',
    }) as Json;
    expect((answer.orderReports as Json[]).map((r) => r.type)).toEqual(['STOP_LOSS_LIMIT', 'LIMIT_MAKER']);
    await price('99200');
    expect(await order(ids.limit)).toMatchObject({ status: 'expired' });
    expect(await order(ids.stop)).toMatchObject({ status: 'closed', filled: 0.1 });
    expect((await client.fetchBalance()).BTC).toMatchObject({ total: 1.1 });
  });

  it('cancelling one leg (DELETE /api/v3/order) cancels both; DELETE /api/v3/orderList cancels a list and answers its reports', async () => {
    const first = newIds();
    await sellOco(first);
    const cancelled = await client.cancelOrder('', 'BTC/USDT', { clientOrderId: first.stop });
    expect(cancelled.status).toBe('canceled');
    expect(await order(first.limit)).toMatchObject({ status: 'canceled' });
    expect((await client.fetchBalance()).BTC).toMatchObject({ free: 1, used: 0 });

    const second = newIds();
    const listId = (await sellOco(second)).orderListId;
    const answer = (await client.privateDeleteOrderList({ symbol: 'BTCUSDT', orderListId: listId })) as Json;
    expect(answer).toMatchObject({ orderListId: listId, listStatusType: 'ALL_DONE', listOrderStatus: 'ALL_DONE', listClientOrderId: second.list });
    expect((answer.orderReports as Json[]).map((r) => [r.origClientOrderId, r.status, r.orderListId])).toEqual([
      [second.stop, 'CANCELED', listId],
      [second.limit, 'CANCELED', listId],
    ]);
    expect(await order(second.limit)).toMatchObject({ status: 'canceled' });
    expect(await failure(client.privateDeleteOrderList({ symbol: 'BTCUSDT', listClientOrderId: second.list }))).toBeInstanceOf(ccxt.OrderNotFound);
    expect(lastError()).toEqual({ code: -2011, msg: 'Unknown order list sent.' });
    expect(await failure(client.privateGetOrderList({ orderListId: 424242 }))).toBeInstanceOf(ccxt.OrderNotFound);
    expect(lastError()).toEqual({ code: -2013, msg: 'Order list does not exist.' });
  });
});

describe('POST /api/v3/orderList/oco: refusals', () => {
  it('prices on the wrong side of the market: -2010 "The relationship of the prices ..."; nothing is placed', async () => {
    for (const over of [{ abovePrice: '96000' }, { belowStopPrice: '98000' }]) {
      const ids = newIds();
      expect(await failure(sellOco(ids, over))).toBeInstanceOf(ccxt.InvalidOrder);
      expect(lastError()).toEqual({ code: -2010, msg: 'The relationship of the prices for the orders is not correct.' });
      expect(await failure(order(ids.limit))).toBeInstanceOf(ccxt.OrderNotFound);
      expect(await failure(order(ids.stop))).toBeInstanceOf(ccxt.OrderNotFound);
      expect(fx.sandbox.placements(ids.limit)).toMatchObject({ received: 1, accepted: 0, refused: 1 });
    }
    expect((await client.fetchBalance()).BTC).toMatchObject({ free: 1, used: 0 });
  });

  it('compositions and parameters the sandbox does not take are refused with Binance codes', async () => {
    const cases: Array<[Json, number]> = [
      [{ aboveType: 'STOP_LOSS', aboveStopPrice: '99000', abovePrice: undefined }, -1014], // a SELL's stop above
      [{ belowType: 'TAKE_PROFIT' }, -1014],
      [{ belowType: 'LIMIT' }, -1116],
      [{ belowType: 'STOP_LOSS_LIMIT', belowPrice: '94900' }, -1102], // belowTimeInForce missing
      [{ belowType: 'STOP_LOSS_LIMIT', belowPrice: '94900', belowTimeInForce: 'IOC' }, -1115],
      [{ belowPrice: '94900' }, -1106], // a STOP_LOSS takes no price
      [{ aboveTimeInForce: 'GTC' }, -1106],
      [{ abovePrice: undefined }, -1102],
      [{ belowTrailingDelta: '100' }, -1020],
      [{ abovePrice: '99000.001' }, -1013],
      [{ quantity: '100' }, -2010], // insufficient balance
    ];
    for (const [over, code] of cases) {
      const error = await failure(sellOco(newIds(), over));
      expect(error, JSON.stringify(over)).toBeInstanceOf(ccxt.BaseError);
      expect(lastError().code, JSON.stringify(over)).toBe(code);
    }
    expect(await client.fetchOpenOrders('BTC/USDT')).toEqual([]);
  });

  it('a resting stop holds its base as on Binance: a take-profit of the same base is refused beside it', async () => {
    const stop = await client.createOrder('BTC/USDT', 'market', 'sell', 1, undefined, { stopLossPrice: 95000, clientOrderId: clientOrderId() });
    expect(stop.info).toMatchObject({ type: 'STOP_LOSS', orderListId: -1 });
    expect((await client.fetchBalance()).BTC).toMatchObject({ free: 0, used: 1 });
    expect(await failure(client.createOrder('BTC/USDT', 'limit', 'sell', 1, 99000, { clientOrderId: clientOrderId() }))).toBeInstanceOf(ccxt.InsufficientFunds);
  });
});

describe('POST /api/v3/orderList/oco: lost answers', () => {
  it('a 500 after placing: the list exists, and GET /api/v3/order finds each leg by its clientOrderId', async () => {
    const ids = newIds();
    fx.sandbox.faults.inject({ kind: 'http_error', status: 500, when: 'after', path: '/api/v3/orderList/oco' });
    expect(await failure(sellOco(ids))).toBeInstanceOf(ccxt.OperationFailed); // -1006: execution status unknown
    const limitLeg = await order(ids.limit);
    const stopLeg = await order(ids.stop);
    expect(limitLeg.info.orderListId).toBeGreaterThanOrEqual(0);
    expect(stopLeg.info.orderListId).toBe(limitLeg.info.orderListId);
    expect(fx.sandbox.placements(ids.limit)).toEqual({ received: 1, accepted: 1, refused: 0 });
    expect(await client.privateGetOrderList({ origClientOrderId: ids.list })).toMatchObject({ listStatusType: 'EXEC_STARTED' });
  });

  it('no answer at all (the connection dropped after placing): both legs exist; a blind re-send is refused as a duplicate', async () => {
    const ids = newIds();
    fx.sandbox.faults.inject({ kind: 'timeout', mode: 'destroy', path: '/api/v3/orderList/oco' });
    expect(await failure(sellOco(ids))).toBeInstanceOf(ccxt.NetworkError);
    expect(await order(ids.stop)).toMatchObject({ status: 'open' });
    expect(await failure(sellOco(ids))).toBeInstanceOf(ccxt.InvalidOrder);
    expect(lastError()).toEqual({ code: -2010, msg: 'Duplicate order sent.' });
    expect(fx.sandbox.placements(ids.limit)).toMatchObject({ received: 2, accepted: 1, refused: 1 });
  });

  it('a 5xx before processing places nothing', async () => {
    const ids = newIds();
    fx.sandbox.faults.inject({ kind: 'http_error', status: 503, path: '/api/v3/orderList/oco' });
    expect(await failure(sellOco(ids))).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect(await failure(order(ids.limit))).toBeInstanceOf(ccxt.OrderNotFound);
  });
});

describe('order lists on the user-data stream', () => {
  it('each leg reports with "g" = the list id; listStatus EXEC_STARTED on placement and ALL_DONE when it ends', async () => {
    const { listenKey } = (await client.publicPostUserDataStream()) as { listenKey: string };
    const socket = new WebSocket(`${fx.sandbox.wsUrl}/${listenKey}`);
    const events: Json[] = [];
    socket.on('message', (data) => events.push(JSON.parse(String(data)) as Json));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    try {
      const ids = newIds();
      const listId = (await sellOco(ids)).orderListId;
      await price('99000');
      await eventually(() => events.some((e) => e.e === 'listStatus' && e.L === 'ALL_DONE'), 'the list ALL_DONE');
      const relevant = events.filter((e) => e.e === 'executionReport' || e.e === 'listStatus').map((e) => (e.e === 'listStatus' ? ['list', e.l, e.g] : [e.c, e.x, e.g]));
      expect(relevant).toEqual([
        [ids.stop, 'NEW', listId],
        [ids.limit, 'NEW', listId],
        ['list', 'EXEC_STARTED', listId],
        [ids.limit, 'TRADE', listId],
        [ids.stop, 'EXPIRED', listId],
        ['list', 'ALL_DONE', listId],
      ]);
      expect(events.find((e) => e.e === 'listStatus')).toMatchObject({ s: 'BTCUSDT', c: 'OCO', L: 'EXECUTING', C: ids.list, O: [{ s: 'BTCUSDT', c: ids.stop }, { s: 'BTCUSDT', c: ids.limit }] });
      expect(events.find((e) => e.e === 'executionReport' && e.c === ids.limit)).toMatchObject({ o: 'LIMIT_MAKER' });
    } finally {
      socket.close();
    }
  });
});
