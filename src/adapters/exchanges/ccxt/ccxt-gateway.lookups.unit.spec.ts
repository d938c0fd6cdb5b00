import { OrderNotFound, RequestTimeout } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { ExchangeCallError } from './ccxt-gateway.js';
import { ccxtErrorFor } from './test-support/ccxt-errors.js';
import { CID, limitBuy, setup } from './test-support/gateway-harness.js';

describe('CcxtExchangeGateway.fetchOrder', () => {
  it('looks a Binance order up by clientOrderId (fetchOrder(undefined, symbol, { clientOrderId })) and completes its fills', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('fetchOrder', { id: '77', clientOrderId: CID, symbol: 'BTC/USDT', type: 'market', side: 'sell', status: 'closed', amount: 0.002, filled: 0.002 });
    ex.script('fetchMyTrades', [{ id: 't9', order: '77', amount: 0.002, price: 43000, takerOrMaker: 'taker', fee: { cost: 0.086, currency: 'USDT' }, datetime: '2024-01-01T00:00:00.000Z' }]);
    const order = await gateway.fetchOrder('acc1', CID, 'BTC/USDT');
    expect(ex.callsOf('fetchOrder')).toEqual([[undefined, 'BTC/USDT', { clientOrderId: CID }]]);
    expect(order).toMatchObject({ exchangeOrderId: '77', status: 'filled', filledQuantity: '0.002', fills: [{ tradeId: 't9', time: '2024-01-01T00:00:00.000Z' }] });
  });

  it('returns null only when the exchange says the order does not exist', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('fetchOrder', ccxtErrorFor('binance', 400, '{"code":-2013,"msg":"Order does not exist."}'));
    expect(await gateway.fetchOrder('acc1', CID, 'BTC/USDT')).toBeNull();
  });

  it('throws when the look-up is inconclusive (timeout, 5xx, rate limit, incomplete fills)', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('fetchOrder', new RequestTimeout('binance GET timed out'), ccxtErrorFor('binance', 502, 'Bad Gateway'));
    await expect(gateway.fetchOrder('acc1', CID, 'BTC/USDT')).rejects.toMatchObject({ classification: { kind: 'unknown' } });
    await expect(gateway.fetchOrder('acc1', CID, 'BTC/USDT')).rejects.toBeInstanceOf(ExchangeCallError);
    ex.script('fetchOrder', { id: '77', clientOrderId: CID, symbol: 'BTC/USDT', type: 'market', side: 'sell', status: 'closed', amount: 0.002, filled: 0.002 });
    ex.script('fetchMyTrades', new RequestTimeout('binance GET myTrades timed out'));
    await expect(gateway.fetchOrder('acc1', CID, 'BTC/USDT')).rejects.toBeInstanceOf(ExchangeCallError);
  });

  it('does not trust "not found" within the grace window after sending (Binance may not show a new order for a while)', async () => {
    const { gateway, exchange, scheduler } = setup({ notFoundGraceMs: 60_000 });
    const ex = await exchange();
    ex.script('createOrder', new RequestTimeout('binance POST timed out'));
    expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('unknown');
    ex.script('fetchOrder', new OrderNotFound('binance {"code":-2013,"msg":"Order does not exist."}'), new OrderNotFound('binance {"code":-2013,"msg":"Order does not exist."}'));
    await scheduler.advance(59_999);
    await expect(gateway.fetchOrder('acc1', CID, 'BTC/USDT')).rejects.toMatchObject({ classification: { kind: 'not_found' } });
    await scheduler.advance(1);
    expect(await gateway.fetchOrder('acc1', CID, 'BTC/USDT')).toBeNull();
  });

  it('uses the symbol it sent the order with when none is given', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    await gateway.placeOrder('acc1', limitBuy({ symbol: 'ETH/USDT', quantity: '0.01', limitPrice: '2000' }));
    ex.script('fetchOrder', ccxtErrorFor('binance', 400, '{"code":-2013,"msg":"Order does not exist."}'));
    expect(await gateway.fetchOrder('acc1', CID)).toBeNull();
    expect(ex.callsOf('fetchOrder')[0]?.[1]).toBe('ETH/USDT');
    await expect(gateway.fetchOrder('acc1', 'e'.repeat(32))).rejects.toThrow(/symbol/);
  });

  it('Bybit: open orders by orderLinkId, then the order history; neither → null', async () => {
    const { gateway, exchange } = setup({ account: { exchangeId: 'bybit' } });
    const ex = await exchange();
    ex.script('fetchCanceledAndClosedOrders', [{ id: 'b1', clientOrderId: CID, symbol: 'BTC/USDT', type: 'limit', side: 'buy', status: 'canceled', amount: 0.001, price: 43000, filled: 0 }]);
    expect(await gateway.fetchOrder('acc1', CID, 'BTC/USDT')).toMatchObject({ exchangeOrderId: 'b1', status: 'cancelled' });
    expect(ex.callsOf('fetchOpenOrders')).toEqual([['BTC/USDT', undefined, undefined, { orderLinkId: CID }]]);
    expect(ex.callsOf('fetchCanceledAndClosedOrders')).toEqual([['BTC/USDT', undefined, undefined, { orderLinkId: CID }]]);
    expect(ex.callsOf('fetchOrder')).toEqual([]);
    expect(await gateway.fetchOrder('acc1', CID, 'BTC/USDT')).toBeNull();
  });
});

describe('CcxtExchangeGateway.cancelOrder, fetchOpenOrders, fetchBalances', () => {
  const openOrder = { id: '55', clientOrderId: CID, symbol: 'BTC/USDT', type: 'limit', side: 'buy', status: 'open', amount: 0.001, price: 43000, filled: 0 };

  it('cancels by clientOrderId and reports the order as the exchange now has it', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('cancelOrder', { ...openOrder, status: 'canceled' });
    ex.script('fetchOrder', { ...openOrder, status: 'canceled' });
    expect(await gateway.cancelOrder('acc1', CID, 'BTC/USDT')).toMatchObject({ status: 'cancelled', exchangeOrderId: '55' });
    expect(ex.callsOf('cancelOrder')).toEqual([[undefined, 'BTC/USDT', { clientOrderId: CID }]]);
  });

  it('an "unknown order" cancel of an order that already filled returns the filled order; of nothing returns null', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    const unknownOrder = () => ccxtErrorFor('binance', 400, '{"code":-2011,"msg":"Unknown order sent."}');
    ex.script('cancelOrder', unknownOrder(), unknownOrder());
    ex.script('fetchOrder', { ...openOrder, status: 'closed', filled: 0.001, trades: [{ id: 'x1', amount: 0.001, price: 43000 }] });
    expect(await gateway.cancelOrder('acc1', CID, 'BTC/USDT')).toMatchObject({ status: 'filled', fills: [{ tradeId: 'x1' }] });
    ex.script('fetchOrder', ccxtErrorFor('binance', 400, '{"code":-2013,"msg":"Order does not exist."}'));
    expect(await gateway.cancelOrder('acc1', CID, 'BTC/USDT')).toBeNull();
  });

  it('a cancel that fails inconclusively throws', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('cancelOrder', new RequestTimeout('binance DELETE timed out'));
    await expect(gateway.cancelOrder('acc1', CID, 'BTC/USDT')).rejects.toBeInstanceOf(ExchangeCallError);
  });

  it('lists open orders of the account (without a symbol), skipping other markets', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('fetchOpenOrders', [openOrder, { ...openOrder, id: '56', clientOrderId: 'web_abc', symbol: 'ETH/USDT', side: 'sell' }, { ...openOrder, symbol: 'XRP/BTC' }]);
    const orders = await gateway.fetchOpenOrders('acc1');
    expect(ex.callsOf('fetchOpenOrders')).toEqual([[undefined, undefined, undefined, {}]]);
    expect(orders.map((o) => [o.clientOrderId, o.symbol, o.status, o.limitPrice])).toEqual([
      [CID, 'BTC/USDT', 'open', '43000'],
      ['web_abc', 'ETH/USDT', 'open', '43000'],
    ]);
  });

  it('maps balances to decimal strings, leaving out empty assets', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('fetchBalance', {
      info: {},
      BTC: { free: 0.5, used: 0.00012345, total: 0.50012345 },
      USDT: { free: 1000.1, used: 0, total: 1000.1 },
      BNB: { free: 0, used: 0, total: 0 },
      free: { BTC: 0.5 },
      total: { BTC: 0.50012345 },
    });
    expect(await gateway.fetchBalances('acc1')).toEqual([
      { asset: 'BTC', total: '0.50012345', available: '0.5' },
      { asset: 'USDT', total: '1000.1', available: '1000.1' },
    ]);
  });
});
