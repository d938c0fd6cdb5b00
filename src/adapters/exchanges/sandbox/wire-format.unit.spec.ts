import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { ExchangeFill, ExchangeOrder } from '../../../application/ports/exchange.js';
import { PAPER_MARKETS } from '../paper/markets.js';
import { RejectCode } from '../paper/filters.js';
import { fromPaperRejection } from './binance-errors.js';
import { binanceCcxtUrls } from './ccxt-urls.js';
import { symbolInfo } from './exchange-info.js';
import { binanceDecimal } from './symbols.js';
import { accountPosition, executionReport } from './user-data-events.js';
import { balanceView, cancelView, myTradeView, orderView, placementView, timesOf } from './wire-format.js';

const T0 = Date.parse('2026-01-02T03:04:05.000Z');
const fill = (tradeId: string, quantity: string, price: string, at: number, liquidity: 'maker' | 'taker' = 'maker'): ExchangeFill => ({
  tradeId,
  clientOrderId: 'c'.repeat(32),
  exchangeOrderId: '7',
  symbol: 'BTC/USDT',
  side: 'buy',
  quantity,
  price,
  fee: '0.0194',
  feeCurrency: 'USDT',
  liquidity,
  time: new Date(at).toISOString(),
});
const partly: ExchangeOrder = {
  clientOrderId: 'c'.repeat(32),
  exchangeOrderId: '7',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'limit',
  quantity: '0.01',
  limitPrice: '97000',
  filledQuantity: '0.004',
  status: 'partially_filled',
  fills: [fill('11', '0.001', '97000', T0 + 10), fill('12', '0.003', '96999.99', T0 + 20)],
};

describe('Binance wire format', () => {
  it('prints amounts with 8 decimals (more only when the value has them)', () => {
    expect([binanceDecimal('0'), binanceDecimal('97000'), binanceDecimal('0.00001'), binanceDecimal('0.123456789')]).toEqual([
      '0.00000000',
      '97000.00000000',
      '0.00001000',
      '0.123456789',
    ]);
  });

  it('renders GET order, placement (ACK / RESULT / FULL) and cancel answers', () => {
    const times = timesOf(partly, { createdAt: T0, updatedAt: T0 }, T0 + 99);
    expect(times).toEqual({ createdAt: T0, updatedAt: T0 + 20 });
    expect(orderView(partly, 'BTCUSDT', times)).toMatchObject({
      symbol: 'BTCUSDT',
      orderId: 7,
      orderListId: -1,
      clientOrderId: 'c'.repeat(32),
      price: '97000.00000000',
      origQty: '0.01000000',
      executedQty: '0.00400000',
      cummulativeQuoteQty: '387.99997000',
      status: 'PARTIALLY_FILLED',
      timeInForce: 'GTC',
      type: 'LIMIT',
      side: 'BUY',
      time: T0,
      updateTime: T0 + 20,
      isWorking: true,
    });
    expect(Object.keys(placementView(partly, 'BTCUSDT', T0, 'ACK'))).toEqual(['symbol', 'orderId', 'orderListId', 'clientOrderId', 'transactTime']);
    expect(placementView(partly, 'BTCUSDT', T0, 'RESULT')).not.toHaveProperty('fills');
    expect(placementView(partly, 'BTCUSDT', T0, 'FULL').fills).toEqual([
      { price: '97000.00000000', qty: '0.00100000', commission: '0.01940000', commissionAsset: 'USDT', tradeId: 11 },
      { price: '96999.99000000', qty: '0.00300000', commission: '0.01940000', commissionAsset: 'USDT', tradeId: 12 },
    ]);
    expect(cancelView({ ...partly, status: 'cancelled' }, 'BTCUSDT', 'cancel1', T0)).toMatchObject({
      origClientOrderId: 'c'.repeat(32),
      clientOrderId: 'cancel1',
      status: 'CANCELED',
      executedQty: '0.00400000',
    });
  });

  it('renders myTrades, balances and the user-data events', () => {
    expect(myTradeView(partly.fills[1]!, 'BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      id: 12,
      orderId: 7,
      orderListId: -1,
      price: '96999.99000000',
      qty: '0.00300000',
      quoteQty: '290.99997000',
      commission: '0.01940000',
      commissionAsset: 'USDT',
      time: T0 + 20,
      isBuyer: true,
      isMaker: true,
      isBestMatch: true,
    });
    expect(balanceView({ asset: 'USDT', total: '100', available: '60.5' })).toEqual({ asset: 'USDT', free: '60.50000000', locked: '39.50000000' });

    const times = { createdAt: T0, updatedAt: T0 };
    const trade = executionReport('TRADE', partly, 'BTCUSDT', times, T0 + 30, partly.fills[1]);
    expect(trade).toMatchObject({ e: 'executionReport', x: 'TRADE', X: 'PARTIALLY_FILLED', i: 7, l: '0.00300000', L: '96999.99000000', z: '0.00400000', t: 12, m: true, T: T0 + 20, O: T0, N: 'USDT' });
    expect(executionReport('NEW', partly, 'BTCUSDT', times, T0)).toMatchObject({ x: 'NEW', X: 'NEW', z: '0.00000000', Z: '0.00000000', t: -1, N: null, w: true });
    expect(executionReport('CANCELED', { ...partly, status: 'cancelled' }, 'BTCUSDT', times, T0 + 40)).toMatchObject({ x: 'CANCELED', X: 'CANCELED', C: 'c'.repeat(32) });
    expect(accountPosition([{ asset: 'BTC', total: '1.5', available: '1' }], T0)).toEqual({ e: 'outboundAccountPosition', E: T0, u: T0, B: [{ a: 'BTC', f: '1.00000000', l: '0.50000000' }] });
  });

  it('lists paper markets with Binance filters', () => {
    expect(symbolInfo(PAPER_MARKETS[0]!)).toMatchObject({
      symbol: 'BTCUSDT',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      orderTypes: ['LIMIT', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
      filters: expect.arrayContaining([
        { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
        { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
        expect.objectContaining({ filterType: 'NOTIONAL', minNotional: '5.00000000' }),
      ]),
    });
  });

  it('maps paper rejections onto Binance codes', () => {
    const cases: [string, number, string][] = [
      [RejectCode.LOT_SIZE, -1013, 'Filter failure: LOT_SIZE'],
      [RejectCode.PRICE_FILTER, -1013, 'Filter failure: PRICE_FILTER'],
      [RejectCode.MIN_NOTIONAL, -1013, 'Filter failure: NOTIONAL'],
      [RejectCode.INSUFFICIENT_BALANCE, -2010, 'Account has insufficient balance for requested action.'],
      [RejectCode.DUPLICATE_CLIENT_ORDER_ID, -2010, 'Duplicate order sent.'],
      [RejectCode.UNKNOWN_SYMBOL, -1121, 'Invalid symbol.'],
    ];
    for (const [code, binance, msg] of cases) expect(fromPaperRejection(code).body()).toEqual({ code: binance, msg });
    expect(fromPaperRejection(RejectCode.INTERNAL_ERROR).status).toBe(500);
  });

  it('points every ccxt binance URL at the sandbox', () => {
    const urls = binanceCcxtUrls('http://127.0.0.1:1', 'ws://127.0.0.1:1');
    const client = new ccxt.pro.binance({ urls: { api: urls } });
    const leaves: string[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === 'string') leaves.push(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(client.urls['api']);
    expect(leaves.length).toBeGreaterThan(25);
    expect(leaves.filter((url) => !/^(http|ws):\/\/127\.0\.0\.1:1\//.test(url))).toEqual([]);
    expect(urls.ws['ws-api']['spot']).toBe('ws://127.0.0.1:1/ws-api/v3');
  });
});
