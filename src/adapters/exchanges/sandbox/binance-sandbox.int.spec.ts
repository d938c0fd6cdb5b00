/**
 * The sandbox through the real, unmodified ccxt binance client: markets, orders with PATRIOT's
 * 32-hex clientOrderIds, look-ups, cancels, open orders, trades, balances and Binance's errors.
 */
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dec } from '../../../domain/shared/decimal.js';
import { ACCOUNT_ID, clientOrderId, failure, restClient, startSandbox, type BinanceClient, type SandboxFixture } from './test-support/sandbox-fixture.js';

let fx: SandboxFixture;
let client: BinanceClient;

beforeEach(async () => {
  fx = await startSandbox();
  client = restClient(fx.sandbox);
});

afterEach(async () => {
  await client.close();
  await fx.sandbox.close();
});

describe('BinanceSandbox via ccxt: markets', () => {
  it('loadMarkets reads the sandbox listing (50+ spot markets) with their filters; the halted one is inactive', async () => {
    const markets = await client.loadMarkets();
    expect(Object.keys(markets).length).toBeGreaterThanOrEqual(50);
    expect(Object.keys(markets)).toEqual(expect.arrayContaining(['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'SHIB/USDT', 'ETH/BTC', 'BTC/FDUSD', 'BTC/USDC']));
    const doge = markets['DOGE/USDT']!;
    expect(doge).toMatchObject({ id: 'DOGEUSDT', base: 'DOGE', quote: 'USDT', active: true });
    expect(doge.precision).toMatchObject({ amount: 1, price: 0.00001 });
    expect(doge.limits.amount).toEqual({ min: 1, max: 9000000 });
    expect(doge.limits.cost?.min).toBe(1);
    const shib = markets['SHIB/USDT']!;
    expect(shib.precision).toMatchObject({ amount: 1, price: 1e-8 });
    expect(markets['FTT/USDT']).toMatchObject({ active: false, info: { status: 'BREAK' } });
    const halted = await failure(client.createOrder('FTT/USDT', 'market', 'buy', 10));
    expect(halted).toBeInstanceOf(ccxt.MarketClosed);
    expect(JSON.parse(client.last_http_response as string)).toEqual({ code: -1013, msg: 'Market is closed.' });
    const btc = markets['BTC/USDT']!;
    expect(btc).toMatchObject({ id: 'BTCUSDT', base: 'BTC', quote: 'USDT', spot: true, type: 'spot', active: true });
    expect(btc.precision).toMatchObject({ amount: 0.00001, price: 0.01 });
    expect(btc.limits.amount).toEqual({ min: 0.00001, max: 9000 });
    expect(btc.limits.cost?.min).toBe(5);
    expect(btc.limits.market).toEqual({ min: 0.00001, max: 9000 });
    expect(await client.fetchTime()).toBeGreaterThan(0);
  });

  it('fetchTicker quotes the feed price and every answer carries the used weight', async () => {
    fx.feed.setPrice('ETH/USDT', '3456.78');
    const ticker = await client.fetchTicker('ETH/USDT');
    expect(ticker.last).toBe(3456.78);
    expect(ticker.symbol).toBe('ETH/USDT');
    expect(Number(client.last_response_headers!['X-Mbx-Used-Weight-1m'])).toBeGreaterThan(0);
  });
});

describe('BinanceSandbox via ccxt: orders', () => {
  it('a market buy with our clientOrderId fills at once (FULL answer with fills) and moves the balance', async () => {
    const id = clientOrderId();
    const order = await client.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: id });
    expect(order).toMatchObject({ clientOrderId: id, symbol: 'BTC/USDT', type: 'market', side: 'buy', status: 'closed', amount: 0.01, filled: 0.01 });
    expect(order.id).toMatch(/^\d+$/);
    expect(order.trades).toHaveLength(1);
    const cost = new Dec(order.trades[0]!.price!).times('0.01');
    expect(order.cost).toBeCloseTo(cost.toNumber(), 6);
    expect(order.fee).toMatchObject({ currency: 'USDT' });

    const balance = await client.fetchBalance();
    expect(balance['BTC']!.free).toBeCloseTo(1.01, 8);
    const spent = cost.plus(new Dec(order.fee!.cost!));
    expect(new Dec(100000).minus(spent).toNumber()).toBeCloseTo(balance['USDT']!.free!, 6);
  });

  it('a resting limit order is found by clientOrderId and by id, listed as open, locks funds, and cancels once', async () => {
    const id = clientOrderId();
    const placed = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 90000, { clientOrderId: id });
    expect(placed).toMatchObject({ clientOrderId: id, status: 'open', price: 90000, amount: 0.01, filled: 0, timeInForce: 'GTC' });

    const byClientId = await client.fetchOrder('', 'BTC/USDT', { clientOrderId: id });
    expect(byClientId).toMatchObject({ id: placed.id, clientOrderId: id, status: 'open' });
    expect(byClientId.timestamp).toBe(placed.timestamp);
    const byId = await client.fetchOrder(placed.id!, 'BTC/USDT');
    expect(byId.clientOrderId).toBe(id);

    const open = await client.fetchOpenOrders('BTC/USDT');
    expect(open.map((o) => o.clientOrderId)).toEqual([id]);
    expect(await client.fetchOpenOrders('ETH/USDT')).toEqual([]);
    const balance = await client.fetchBalance();
    expect(balance['USDT']!.used).toBeGreaterThanOrEqual(900);

    const cancelled = await client.cancelOrder(placed.id!, 'BTC/USDT');
    expect(cancelled).toMatchObject({ id: placed.id, status: 'canceled' });
    expect(cancelled.info).toMatchObject({ origClientOrderId: id, status: 'CANCELED' });
    expect(await client.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect((await client.fetchOrder('', 'BTC/USDT', { clientOrderId: id })).status).toBe('canceled');
    expect((await client.fetchBalance())['USDT']!.used).toBe(0);

    const again = await failure(client.cancelOrder('', 'BTC/USDT', { clientOrderId: id }));
    expect(again).toBeInstanceOf(ccxt.OrderNotFound);
    expect(again.message).toContain('-2011');
  });

  it('a marketable limit order trades as taker; myTrades lists every fill of the symbol', async () => {
    const first = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.002, 97500, { clientOrderId: clientOrderId() });
    expect(first.status).toBe('closed');
    const second = await client.createOrder('BTC/USDT', 'market', 'sell', 0.001, undefined, { clientOrderId: clientOrderId() });
    const trades = await client.fetchMyTrades('BTC/USDT');
    expect(trades.map((t) => t.order)).toEqual([first.id, second.id]);
    expect(trades[0]).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', amount: 0.002, price: 97000, takerOrMaker: 'taker' });
    expect(trades[1]).toMatchObject({ side: 'sell', amount: 0.001 });
    expect(trades[0]!.fee).toMatchObject({ currency: 'USDT' });
    expect(await client.fetchMyTrades('ETH/USDT')).toEqual([]);
    const orders = await client.fetchOrders('BTC/USDT');
    expect(orders.map((o) => o.id)).toEqual([first.id, second.id]);
  });

  it('answers ACK and RESULT placements in their shapes, and sizes a market buy by quote (quoteOrderQty)', async () => {
    const ack = await client.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { newOrderRespType: 'ACK' });
    expect(Object.keys(ack.info).sort()).toEqual(['clientOrderId', 'orderId', 'orderListId', 'symbol', 'transactTime']);
    const result = await client.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { newOrderRespType: 'RESULT' });
    expect(result.info.status).toBe('FILLED');
    expect(result.info.fills).toBeUndefined();
    const byCost = await client.createMarketBuyOrderWithCost('BTC/USDT', 970);
    expect(byCost.amount).toBe(0.01);
  });
});

describe('BinanceSandbox via ccxt: Binance errors', () => {
  it('maps paper rejections to -1013 filter failures and -2010 rejections', async () => {
    const lot = await failure(client.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000011', price: '90000' }));
    expect(lot).toBeInstanceOf(ccxt.InvalidOrder);
    expect(lot.message).toContain('"code":-1013');
    expect(lot.message).toContain('Filter failure: LOT_SIZE');

    const price = await failure(client.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '90000.001' }));
    expect(price).toBeInstanceOf(ccxt.InvalidOrder);
    expect(price.message).toContain('Filter failure: PRICE_FILTER');

    const notional = await failure(client.createOrder('BTC/USDT', 'limit', 'buy', 0.00001, 90000));
    expect(notional).toBeInstanceOf(ccxt.BadRequest);
    expect(notional.message).toContain('-1013');
    expect(notional.message).toContain('Filter failure: NOTIONAL');

    const funds = await failure(client.createOrder('BTC/USDT', 'market', 'buy', 5));
    expect(funds).toBeInstanceOf(ccxt.InsufficientFunds);
    expect(funds.message).toContain('Account has insufficient balance for requested action.');
    // ccxt matches this message before the code and drops the body from the error: the wire has it
    expect(JSON.parse(client.last_http_response as string)).toEqual({ code: -2010, msg: 'Account has insufficient balance for requested action.' });

    const id = clientOrderId();
    await client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 90000, { clientOrderId: id });
    const dup = await failure(client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 90000, { clientOrderId: id }));
    expect(dup).toBeInstanceOf(ccxt.InvalidOrder);
    expect(dup.message).toContain('{"code":-2010,"msg":"Duplicate order sent."}');
    expect(fx.sandbox.exchange.placementAttempts(ACCOUNT_ID, id)).toBe(2);
    expect((await client.fetchOpenOrders('BTC/USDT')).length).toBe(1);
  });

  it('answers unknown orders with -2013, unknown symbols with -1121 and bad parameters with -1102 / -1100', async () => {
    const missing = await failure(client.fetchOrder('', 'BTC/USDT', { clientOrderId: clientOrderId() }));
    expect(missing).toBeInstanceOf(ccxt.OrderNotFound);
    expect(missing.message).toContain('{"code":-2013,"msg":"Order does not exist."}');
    const missingId = await failure(client.fetchOrder('424242', 'BTC/USDT'));
    expect(missingId).toBeInstanceOf(ccxt.OrderNotFound);

    const symbol = await failure(client.privateGetOrder({ symbol: 'NOSUCHUSDT', origClientOrderId: 'x' }));
    expect(symbol).toBeInstanceOf(ccxt.BadSymbol);
    expect(symbol.message).toContain('-1121');

    const noTif = await failure(client.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '90000' }));
    expect(noTif).toBeInstanceOf(ccxt.BadRequest);
    expect(noTif.message).toContain(`{"code":-1102,"msg":"Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."}`);

    const badId = await failure(client.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'not/allowed' }));
    expect(badId).toBeInstanceOf(ccxt.BadRequest);
    expect(badId.message).toContain('-1100');
    expect(badId.message).toContain('newClientOrderId');
  });
});
