import { describe, expect, it } from 'vitest';
import { PAPER_MARKETS } from '../paper/markets.js';
import { BinanceError } from './binance-errors.js';
import { parseNewOrder, quantityForQuote, randomClientOrderId } from './order-params.js';
import { RequestParams } from './request-params.js';
import { SymbolTable } from './symbols.js';

const symbols = new SymbolTable(PAPER_MARKETS);
const limit = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '90000', newClientOrderId: 'a'.repeat(32) };

function rejection(values: Record<string, string>): { code: number; msg: string } {
  try {
    parseNewOrder(RequestParams.of(values), symbols);
  } catch (error) {
    if (error instanceof BinanceError) return error.body();
    throw error;
  }
  throw new Error('expected a BinanceError');
}

describe('RequestParams', () => {
  it('lets the query string win over the body and treats empty values as absent', () => {
    const params = new RequestParams('a=1&c=', 'a=2&b=3');
    expect([params.get('a'), params.get('b'), params.get('c'), params.has('c')]).toEqual(['1', '3', undefined, false]);
  });
});

describe('parseNewOrder', () => {
  it('reads a LIMIT GTC and a MARKET order', () => {
    expect(parseNewOrder(RequestParams.of(limit), symbols)).toMatchObject({
      clientOrderId: 'a'.repeat(32),
      side: 'buy',
      type: 'limit',
      quantity: '0.01',
      price: '90000',
      respType: 'FULL',
    });
    const market = parseNewOrder(RequestParams.of({ symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', quantity: '1', newOrderRespType: 'ACK' }), symbols);
    expect(market).toMatchObject({ side: 'sell', type: 'market', quantity: '1', respType: 'ACK' });
    expect(market.market.symbol).toBe('ETH/USDT');
    expect(market.clientOrderId).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(parseNewOrder(RequestParams.of({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '100' }), symbols).quoteOrderQty).toBe('100');
  });

  it('answers Binance codes for missing, illegal and conflicting parameters', () => {
    const { symbol: _s, ...noSymbol } = limit;
    expect(rejection(noSymbol)).toEqual({ code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." });
    expect(rejection({ ...limit, symbol: 'XXXUSDT' })).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    expect(rejection({ ...limit, side: 'HOLD' })).toEqual({ code: -1117, msg: 'Invalid side.' });
    expect(rejection({ ...limit, type: 'LIMIT_MAKER' })).toEqual({ code: -1116, msg: 'Invalid orderType.' });
    expect(rejection({ ...limit, timeInForce: 'IOC' })).toEqual({ code: -1115, msg: 'Invalid timeInForce.' });
    expect(rejection({ ...limit, timeInForce: '' }).code).toBe(-1102);
    expect(rejection({ ...limit, price: '' })).toMatchObject({ code: -1102 });
    expect(rejection({ ...limit, quantity: '1e3' })).toMatchObject({ code: -1100, msg: expect.stringContaining("parameter 'quantity'") });
    expect(rejection({ ...limit, quantity: '0' })).toEqual({ code: -1013, msg: 'Invalid quantity.' });
    expect(rejection({ ...limit, price: '0.0' })).toEqual({ code: -1013, msg: 'Invalid price.' });
    expect(rejection({ ...limit, newClientOrderId: 'has space' }).code).toBe(-1100);
    expect(rejection({ ...limit, newClientOrderId: 'x'.repeat(37) }).code).toBe(-1100);
    expect(rejection({ ...limit, newOrderRespType: 'ALL' }).code).toBe(-1100);
    expect(rejection({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1', price: '5' })).toEqual({ code: -1106, msg: "Parameter 'price' sent when not required." });
    expect(rejection({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1', timeInForce: 'GTC' }).code).toBe(-1106);
    expect(rejection({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' })).toEqual({ code: -1102, msg: "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!" });
    expect(rejection({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1', quoteOrderQty: '5' }).code).toBe(-1128);
  });
});

describe('quantityForQuote and generated ids', () => {
  it('spends at most the quote amount, floored to the step', () => {
    expect(quantityForQuote('970', '97000', '0.00001')).toBe('0.01');
    expect(quantityForQuote('100', '97000', '0.00001')).toBe('0.00103');
    expect(quantityForQuote('0.5', '97000', '0.00001')).toBe('0');
    expect(quantityForQuote('100', '0', '0.00001')).toBe('0');
  });

  it('generates distinct 22-char ids', () => {
    const ids = new Set(Array.from({ length: 50 }, randomClientOrderId));
    expect(ids.size).toBe(50);
  });
});

describe('parseNewOrder: stop and take-profit orders (issue 17)', () => {
  const base = { symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01', newClientOrderId: 'b'.repeat(32) };
  it('reads STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT with stopPrice, and a trailing STOP_LOSS with trailingDelta', () => {
    expect(parseNewOrder(RequestParams.of({ ...base, type: 'STOP_LOSS', stopPrice: '95000' }), symbols)).toMatchObject({ type: 'stop_market', stopPrice: '95000' });
    expect(parseNewOrder(RequestParams.of({ ...base, type: 'STOP_LOSS_LIMIT', stopPrice: '95000', price: '94900', timeInForce: 'GTC' }), symbols)).toMatchObject({ type: 'stop_limit', stopPrice: '95000', price: '94900' });
    expect(parseNewOrder(RequestParams.of({ ...base, type: 'TAKE_PROFIT', stopPrice: '99000' }), symbols)).toMatchObject({ type: 'take_profit' });
    expect(parseNewOrder(RequestParams.of({ ...base, type: 'TAKE_PROFIT_LIMIT', stopPrice: '99000', price: '99000', timeInForce: 'GTC' }), symbols)).toMatchObject({ type: 'take_profit_limit' });
    expect(parseNewOrder(RequestParams.of({ ...base, type: 'STOP_LOSS', trailingDelta: '150' }), symbols)).toMatchObject({ type: 'stop_market', trailingDelta: 150 });
  });
  it('answers Binance codes: no stopPrice (-1102), a price on a STOP_LOSS (-1106), a trailingDelta outside 10..2000 (-1013)', () => {
    expect(rejection({ ...base, type: 'STOP_LOSS' }).code).toBe(-1102);
    expect(rejection({ ...base, type: 'STOP_LOSS', stopPrice: '95000', price: '1' }).code).toBe(-1106);
    expect(rejection({ ...base, type: 'STOP_LOSS', trailingDelta: '5' })).toEqual({ code: -1013, msg: 'Filter failure: TRAILING_DELTA' });
  });
});
