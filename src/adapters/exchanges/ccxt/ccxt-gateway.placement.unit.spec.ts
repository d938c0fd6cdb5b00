import { NetworkError, RequestTimeout } from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { PlaceOrderRequest } from '../../../application/ports/exchange.js';
import { ExchangeCallError } from './ccxt-gateway.js';
import { ccxtErrorFor } from './test-support/ccxt-errors.js';
import { API_KEY, CID, SECRET, limitBuy, marketSell, setup } from './test-support/gateway-harness.js';

describe('CcxtExchangeGateway.placeOrder', () => {
  it('sends createOrder with ccxt numbers and the clientOrderId param, maps the answer to decimal strings', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('createOrder', (symbol: unknown, type: unknown, side: unknown, amount: unknown, price: unknown, params: unknown) => ({
      id: '28457',
      clientOrderId: (params as { clientOrderId: string }).clientOrderId,
      symbol,
      type,
      side,
      status: 'open',
      amount,
      price,
      filled: 0.0004,
      trades: [{ id: '12345', order: '28457', amount: 0.0004, price: 43000.01, side: 'buy', takerOrMaker: 'taker', fee: { cost: 0.0000004, currency: 'BTC' }, timestamp: 1_700_000_000_000 }],
    }));
    const result = await gateway.placeOrder('acc1', limitBuy());
    expect(ex.callsOf('createOrder')).toEqual([['BTC/USDT', 'limit', 'buy', 0.001, 43000.01, { clientOrderId: CID }]]);
    expect(result).toEqual({
      kind: 'accepted',
      order: {
        clientOrderId: CID,
        exchangeOrderId: '28457',
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        quantity: '0.001',
        limitPrice: '43000.01',
        filledQuantity: '0.0004',
        status: 'partially_filled',
        fills: [
          {
            tradeId: '12345',
            clientOrderId: CID,
            exchangeOrderId: '28457',
            symbol: 'BTC/USDT',
            side: 'buy',
            quantity: '0.0004',
            price: '43000.01',
            fee: '0.0000004',
            feeCurrency: 'BTC',
            liquidity: 'taker',
            time: '2023-11-14T22:13:20.000Z',
          },
        ],
      },
    });
  });

  it('fetches the order trades when the answer reports more filled than its fills', async () => {
    const { gateway, exchange } = setup();
    const ex = await exchange();
    ex.script('createOrder', { id: '9', clientOrderId: CID, symbol: 'BTC/USDT', type: 'market', side: 'sell', status: 'closed', amount: 0.002, filled: 0.002, trades: [] });
    ex.script('fetchMyTrades', [
      { id: 't1', order: '9', amount: 0.0015, price: 43000, takerOrMaker: 'taker', fee: { cost: 0.0645, currency: 'USDT' } },
      { id: 't2', order: '9', amount: 0.0005, price: 42999.5, takerOrMaker: 'taker', fee: { cost: 0.0215, currency: 'USDT' } },
      { id: 'other', order: '8', amount: 1, price: 1 },
    ]);
    const result = await gateway.placeOrder('acc1', marketSell());
    expect(ex.callsOf('fetchMyTrades')).toEqual([['BTC/USDT', undefined, undefined, { orderId: '9' }]]);
    expect(result.kind === 'accepted' && result.order.fills.map((f) => [f.tradeId, f.quantity, f.price, f.fee])).toEqual([
      ['t1', '0.0015', '43000', '0.0645'],
      ['t2', '0.0005', '42999.5', '0.0215'],
    ]);
    expect(result).toMatchObject({ kind: 'accepted', order: { status: 'filled', filledQuantity: '0.002', type: 'market' } });
  });

  it('fills in a sparse create answer (ids only, Bybit/OKX) from the request', async () => {
    const { gateway, exchange } = setup({ account: { exchangeId: 'bybit' } });
    const ex = await exchange();
    ex.script('createOrder', { id: '1321003749386327552', clientOrderId: CID });
    const result = await gateway.placeOrder('acc1', limitBuy());
    expect(result).toMatchObject({ kind: 'accepted', order: { exchangeOrderId: '1321003749386327552', side: 'buy', type: 'limit', quantity: '0.001', limitPrice: '43000.01', status: 'open', filledQuantity: '0' } });
  });

  describe('pre-validation: precision and limits refusals never call createOrder', () => {
    const cases: [string, PlaceOrderRequest, string][] = [
      ['below one step', limitBuy({ quantity: '0.000001' }), 'LOT_SIZE'],
      ['below the minimum notional', limitBuy({ quantity: '0.0001', limitPrice: '100' }), 'MIN_NOTIONAL'],
      ['above the maximum quantity', limitBuy({ quantity: '9000.1' }), 'MAX_QTY'],
      ['a market order above MARKET_LOT_SIZE', marketSell({ quantity: '101' }), 'MAX_QTY'],
      ['a price above the band', limitBuy({ limitPrice: '2000000' }), 'PRICE_FILTER'],
      ['a garbage quantity', limitBuy({ quantity: 'lots' }), 'INVALID_ORDER'],
      ['an unknown symbol', limitBuy({ symbol: 'DOGE/USDT' }), 'UNKNOWN_SYMBOL'],
    ];
    it.each(cases)('%s', async (_name, request, code) => {
      const { gateway, instances } = setup();
      expect(await gateway.placeOrder('acc1', request)).toMatchObject({ kind: 'rejected', code });
      expect(instances().flatMap((i) => i.callsOf('createOrder'))).toEqual([]);
    });
    it('checks a market order notional against the reference price', async () => {
      const { gateway, instances } = setup({ referencePrice: () => '1000' });
      expect(await gateway.placeOrder('acc1', marketSell({ quantity: '0.001' }))).toMatchObject({ kind: 'rejected', code: 'MIN_NOTIONAL' });
      expect(instances()).toHaveLength(0);
    });
    it('rounds the quantity down and an off-tick limit price to the passive side before sending', async () => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      await gateway.placeOrder('acc1', limitBuy({ quantity: '0.0012345', limitPrice: '43000.019' }));
      expect(ex.callsOf('createOrder')[0]?.slice(0, 5)).toEqual(['BTC/USDT', 'limit', 'buy', 0.00123, 43000.01]);
    });
  });

  describe('circuit breaker', () => {
    it("opens after N consecutive unknown outcomes, answers new orders 'not placed' (CIRCUIT_OPEN) without sending, probes after the cool-down", async () => {
      const { gateway, exchange, scheduler } = setup({ breaker: { failureThreshold: 3, coolDownMs: 30_000 } });
      const changes: string[] = [];
      gateway.onBreakerStateChange((c) => changes.push(`${c.key}:${c.to}`));
      const ex = await exchange();
      const timeout = () => new RequestTimeout('binance POST https://api.binance.com/api/v3/order request timed out (10000 ms)');
      ex.script('createOrder', timeout(), timeout(), timeout());
      for (let i = 0; i < 3; i++) expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('unknown');
      const refused = await gateway.placeOrder('acc1', limitBuy());
      expect(refused).toMatchObject({ kind: 'not_placed', code: 'CIRCUIT_OPEN', retryAfterMs: expect.any(Number) }); // nothing sent: the executor tries again after the cool-down
      expect(ex.callsOf('createOrder')).toHaveLength(3);
      expect(gateway.breakerStates()).toMatchObject([{ key: 'binance:spot', state: 'open', consecutiveFailures: 3 }]);
      await scheduler.advance(30_000);
      expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('accepted');
      expect(changes).toEqual(['binance:spot:open', 'binance:spot:half_open', 'binance:spot:closed']);
    });

    it('a refusal (the exchange answered) is not a failure', async () => {
      const { gateway, exchange } = setup({ breaker: { failureThreshold: 2 } });
      const ex = await exchange();
      for (let i = 0; i < 3; i++) ex.script('createOrder', ccxtErrorFor('binance', 400, '{"code":-1013,"msg":"Filter failure: LOT_SIZE"}'));
      for (let i = 0; i < 3; i++) await gateway.placeOrder('acc1', limitBuy());
      expect(gateway.breakerStates()[0]?.state).toBe('closed');
    });
  });

  describe('credentials never leak', () => {
    it('into results, errors or logs, even when ccxt puts the request URL, headers or body in its message', async () => {
      const { gateway, exchange, logs } = setup();
      const ex = await exchange();
      const url = `https://api.binance.com/api/v3/order?symbol=BTCUSDT&side=BUY&timestamp=1700000000000&signature=3f1c8e0a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e`;
      const leaky = () => new NetworkError(`binance GET ${url} fetch failed: headers {"X-MBX-APIKEY":"${API_KEY}"} secret=${SECRET}`);
      ex.script('createOrder', leaky());
      ex.script('fetchOrder', leaky());
      const placed = await gateway.placeOrder('acc1', limitBuy());
      const looked = await gateway.fetchOrder('acc1', CID, 'BTC/USDT').catch((e: unknown) => e);
      expect(looked).toBeInstanceOf(ExchangeCallError);
      const everything = JSON.stringify({ placed, looked: (looked as Error).message, logs });
      expect(everything).toContain('fetch failed');
      for (const secret of [API_KEY, SECRET, '3f1c8e0a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e']) expect(everything).not.toContain(secret);
    });
  });
});
