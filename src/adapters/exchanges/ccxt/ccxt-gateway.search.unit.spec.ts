import { RequestTimeout } from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { OrderSearch } from '../../../application/ports/exchange.js';
import { ccxtErrorFor } from './test-support/ccxt-errors.js';
import { CID, marketSell, setup } from './test-support/gateway-harness.js';

const T = 1_700_000_000_000;
const lost: OrderSearch = { symbol: 'BTC/USDT', side: 'sell', type: 'market', quantity: '0.002', sentFrom: T };
const notFound = () => ccxtErrorFor('binance', 400, '{"code":-2013,"msg":"Order does not exist."}');
const trade = (id: string, order: string, amount = 0.002) => ({ id, order, side: 'sell', amount, price: 43000, takerOrMaker: 'taker', timestamp: T + 5, fee: { cost: 0.01, currency: 'USDT' } });

describe('CcxtExchangeGateway.searchOrder: an order whose answer was lost, looked for in every source', () => {
  it('asks the order query, the orders and open orders since a minute before the send, and the trades; nothing anywhere is absent', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('fetchOrder', notFound());
    expect(await gateway.searchOrder('acc1', CID, lost)).toEqual({ kind: 'absent', sources: ['order query', 'order list', 'open orders', 'trades'] });
    expect(ex.callsOf('fetchOrders')).toEqual([['BTC/USDT', T - 60_000, 1000, {}]]);
    expect(ex.callsOf('fetchMyTrades')).toEqual([['BTC/USDT', T - 60_000, 1000, {}]]);
  });

  it('inside the window (quick), the order query alone', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('fetchOrder', notFound());
    expect(await gateway.searchOrder('acc1', CID, { ...lost, quick: true })).toEqual({ kind: 'absent', sources: ['order query'] });
    expect(ex.callsOf('fetchOrders')).toEqual([]);
    expect(ex.callsOf('fetchMyTrades')).toEqual([]);
  });

  it('found in the order list while the query does not show it: adopted with its fills', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('fetchOrder', notFound());
    ex.script('fetchOrders', [{ id: '77', clientOrderId: CID, symbol: 'BTC/USDT', type: 'market', side: 'sell', status: 'closed', amount: 0.002, filled: 0.002 }]);
    ex.script('fetchMyTrades', [trade('t9', '77')]);
    const found = await gateway.searchOrder('acc1', CID, lost);
    expect(found).toMatchObject({ kind: 'found', source: 'order list', order: { exchangeOrderId: '77', status: 'filled', fills: [{ tradeId: 't9' }] } });
  });

  it('found by its trades alone: the only unnamed order whose fills are exactly what was sent', async () => {
    const { gateway, exchange, logs } = setup();
    const ex = await exchange();
    ex.script('fetchOrder', notFound(), notFound()); // by clientOrderId, then by the candidate's id: neither shows it yet
    ex.script('fetchOrders', [{ id: '70', clientOrderId: 'f'.repeat(32), symbol: 'BTC/USDT', side: 'sell', status: 'closed', amount: 0.002, filled: 0.002 }]);
    ex.script('fetchMyTrades', [trade('t1', '70'), trade('t2', '77', 0.001), trade('t3', '77', 0.001)]);
    const found = await gateway.searchOrder('acc1', CID, lost);
    expect(found).toMatchObject({ kind: 'found', source: 'trades', order: { clientOrderId: CID, exchangeOrderId: '77', status: 'filled', filledQuantity: '0.002' } });
    expect(found.kind === 'found' && found.order.fills.map((f) => f.tradeId)).toEqual(['t2', 't3']);
    expect(logs.some((l) => l.message.includes('adopted by its trades'))).toBe(true);
  });

  it('a source that fails, or fills that could be another lost order\'s, make it inconclusive (never absent)', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('fetchOrder', notFound());
    ex.script('fetchMyTrades', new RequestTimeout('binance GET myTrades timed out'));
    expect(await gateway.searchOrder('acc1', CID, lost)).toMatchObject({ kind: 'inconclusive', unread: ['trades'] });

    // another order sent by this gateway meanwhile whose answer was lost too: the fill could be that one's
    const other = 'e'.repeat(32);
    ex.script('createOrder', new RequestTimeout('binance POST timed out'));
    expect((await gateway.placeOrder('acc1', marketSell({ clientOrderId: other }))).kind).toBe('unknown');
    ex.script('fetchOrder', notFound(), notFound());
    ex.script('fetchMyTrades', [trade('t2', '77')]);
    expect(await gateway.searchOrder('acc1', CID, lost)).toMatchObject({ kind: 'inconclusive', unread: ['trades'], reason: expect.stringContaining('other order') });
  });
});
