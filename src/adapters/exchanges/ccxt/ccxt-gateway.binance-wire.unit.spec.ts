import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { CcxtClient, CcxtConfig, CcxtProClient } from './ccxt-types.js';
import { CcxtExchangeGateway, ExchangeCallError } from './ccxt-gateway.js';
import { FakeScheduler } from './test-support/fake-scheduler.js';

/**
 * The gateway over a REAL ccxt binance instance whose HTTP is answered by a canned
 * `fetchImplementation` (no network): checks what ccxt really puts on the wire and how real
 * ccxt errors come back through the gateway.
 */

// compile-time: real ccxt instances satisfy the structural client types
const restCheck: (c: CcxtConfig) => CcxtClient = (c) => new ccxt.binance(c);
const proCheck: (c: CcxtConfig) => CcxtProClient = (c) => new ccxt.pro.binance(c);
void restCheck;
void proCheck;

const CID = '0123456789abcdef0123456789abcdef';
const API_KEY = 'k3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yAAAA';
const SECRET = 's3cr3tS3cr3ts3cr3tS3cr3ts3cr3tS3cr3ts3cr3tS3cr3ts3cr3tS3cr3tBBBB';
const BASE = 'http://sandbox.invalid/api/v3';

const EXCHANGE_INFO = {
  timezone: 'UTC',
  serverTime: 1_700_000_000_000,
  rateLimits: [],
  exchangeFilters: [],
  symbols: [
    {
      symbol: 'BTCUSDT',
      status: 'TRADING',
      baseAsset: 'BTC',
      baseAssetPrecision: 8,
      quoteAsset: 'USDT',
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
      icebergAllowed: true,
      ocoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
        { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
        { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
        { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '100.00000000', stepSize: '0.00000000' },
      ],
      permissions: [],
      permissionSets: [['SPOT']],
    },
  ],
};

const FILLED_SELL = {
  symbol: 'BTCUSDT',
  orderId: 28,
  orderListId: -1,
  clientOrderId: CID,
  transactTime: 1_700_000_000_000,
  price: '0.00000000',
  origQty: '0.00200000',
  executedQty: '0.00200000',
  cummulativeQuoteQty: '86.00000000',
  status: 'FILLED',
  timeInForce: 'GTC',
  type: 'MARKET',
  side: 'SELL',
  fills: [
    { price: '43000.00000000', qty: '0.00150000', commission: '0.06450000', commissionAsset: 'USDT', tradeId: 56 },
    { price: '43000.00000000', qty: '0.00050000', commission: '0.02150000', commissionAsset: 'USDT', tradeId: 57 },
  ],
};

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly body: string | undefined;
  readonly headers: Record<string, string>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> } | Error;

function wire() {
  const seen: Seen[] = [];
  const answers = new Map<string, Answer[]>();
  const answer = (route: string, ...list: Answer[]) => answers.set(route, [...(answers.get(route) ?? []), ...list]);
  const fetchImplementation = async (url: string, params: { method: string; body?: string; headers?: Record<string, string> }): Promise<Response> => {
    seen.push({ method: params.method, url, body: params.body, headers: params.headers ?? {} });
    const path = new URL(url).pathname.replace('/api/v3', '');
    const route = `${params.method} ${path}`;
    const next = answers.get(route)?.shift();
    if (next instanceof Error) throw next;
    if (next) return new Response(JSON.stringify(next.body), { status: next.status, headers: { 'content-type': 'application/json', ...(next.headers ?? {}) } });
    switch (route) {
      case 'GET /time':
        return Response.json({ serverTime: Date.now() });
      case 'GET /exchangeInfo':
        return Response.json(EXCHANGE_INFO);
      case 'GET /account':
        return Response.json({ balances: [{ asset: 'BTC', free: '0.10000000', locked: '0.00200000' }, { asset: 'ETH', free: '0.00000000', locked: '0.00000000' }] });
      case 'GET /myTrades':
        return Response.json([]);
      default:
        return new Response('not found', { status: 404 });
    }
  };
  const scheduler = new FakeScheduler(Date.now());
  const gateway = new CcxtExchangeGateway({
    credentials: async () => ({ apiKey: API_KEY, secret: SECRET }),
    scheduler,
    notFoundGraceMs: 0,
    maxOrderWaitMs: 1000,
    createExchange: (id, config) => {
      const ex = new ccxt.binance(config);
      ex.fetchImplementation = fetchImplementation;
      return ex;
    },
  });
  gateway.registerAccount({ accountId: 'acc1', exchangeId: 'binance', marketType: 'spot', urls: { public: BASE, private: BASE } });
  return { gateway, seen, answer };
}

const sell = { clientOrderId: CID, symbol: 'BTC/USDT', side: 'sell', type: 'market', quantity: '0.002' } as const;

describe('CcxtExchangeGateway over a real ccxt binance instance (canned HTTP)', () => {
  it('loads only spot markets from the overridden URL and syncs the clock', async () => {
    const { gateway, seen } = wire();
    await gateway.loadMarkets();
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([`GET ${BASE}/exchangeInfo`, `GET ${BASE}/time`]);
    expect(gateway.markets()).toEqual([{ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', maxQty: '9000', minNotional: '5' }]);
  });

  it('sends the clientOrderId as newClientOrderId, signed, and maps the FULL answer with its fills', async () => {
    const { gateway, seen, answer } = wire();
    answer('POST /order', { status: 200, body: FILLED_SELL });
    const result = await gateway.placeOrder('acc1', sell);
    const post = seen.find((s) => s.method === 'POST')!;
    const form = new URLSearchParams(post.body);
    expect(Object.fromEntries(['symbol', 'side', 'type', 'quantity', 'newClientOrderId', 'newOrderRespType'].map((k) => [k, form.get(k)]))).toEqual({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.002',
      newClientOrderId: CID,
      newOrderRespType: 'FULL',
    });
    expect(form.get('signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(post.headers['X-MBX-APIKEY']).toBe(API_KEY);
    expect(result).toMatchObject({
      kind: 'accepted',
      order: {
        clientOrderId: CID,
        exchangeOrderId: '28',
        status: 'filled',
        quantity: '0.002',
        filledQuantity: '0.002',
        fills: [
          { tradeId: '56', quantity: '0.0015', price: '43000', fee: '0.0645', feeCurrency: 'USDT' },
          { tradeId: '57', quantity: '0.0005', price: '43000', fee: '0.0215', feeCurrency: 'USDT' },
        ],
      },
    });
  });

  it('looks the order up with origClientOrderId and fetches its trades', async () => {
    const { gateway, seen, answer } = wire();
    const { fills: _fills, ...withoutFills } = FILLED_SELL;
    answer('GET /order', { status: 200, body: { ...withoutFills, time: 1_700_000_000_000, updateTime: 1_700_000_000_000 } });
    answer('GET /myTrades', {
      status: 200,
      body: [{ symbol: 'BTCUSDT', id: 56, orderId: 28, price: '43000.00', qty: '0.002', quoteQty: '86', commission: '0.086', commissionAsset: 'USDT', time: 1_700_000_000_000, isBuyer: false, isMaker: false, isBestMatch: true }],
    });
    const order = await gateway.fetchOrder('acc1', CID, 'BTC/USDT');
    const get = seen.find((s) => s.method === 'GET' && s.url.includes('/order?'))!;
    expect(new URL(get.url).searchParams.get('origClientOrderId')).toBe(CID);
    expect(new URL(seen.find((s) => s.url.includes('/myTrades'))!.url).searchParams.get('orderId')).toBe('28');
    expect(order).toMatchObject({ status: 'filled', fills: [{ tradeId: '56', quantity: '0.002', fee: '0.086', liquidity: 'taker', time: '2023-11-14T22:13:20.000Z' }] });
  });

  it('-2013 is null, -2010 "Duplicate order sent." is unknown, never rejected', async () => {
    const { gateway, answer } = wire();
    answer('GET /order', { status: 400, body: { code: -2013, msg: 'Order does not exist.' } });
    expect(await gateway.fetchOrder('acc1', CID, 'BTC/USDT')).toBeNull();
    answer('POST /order', { status: 400, body: { code: -2010, msg: 'Duplicate order sent.' } });
    const result = await gateway.placeOrder('acc1', sell);
    expect(result.kind).toBe('unknown');
    expect(result.kind === 'unknown' && result.reason).toContain('duplicate clientOrderId');
  });

  it('a 429 with Retry-After puts the host in the penalty box: the next order is refused locally', async () => {
    const { gateway, answer, seen } = wire();
    answer('POST /order', { status: 429, body: { code: -1003, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE.' }, headers: { 'Retry-After': '30' } });
    expect(await gateway.placeOrder('acc1', sell)).toMatchObject({ kind: 'not_placed', code: 'RATE_LIMITED', retryAfterMs: 30_000 });
    expect(await gateway.placeOrder('acc1', sell)).toMatchObject({ kind: 'not_placed', code: 'RATE_LIMITED' });
    expect(seen.filter((s) => s.method === 'POST')).toHaveLength(1);
  });

  it('clock skew (-1021): resyncs with /time and retries once', async () => {
    const { gateway, answer, seen } = wire();
    answer('POST /order', { status: 400, body: { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." } }, { status: 200, body: FILLED_SELL });
    expect((await gateway.placeOrder('acc1', sell)).kind).toBe('accepted');
    expect(seen.map((s) => `${s.method} ${new URL(s.url).pathname}`).filter((r) => !r.includes('exchangeInfo'))).toEqual([
      'GET /api/v3/time',
      'POST /api/v3/order',
      'GET /api/v3/time',
      'POST /api/v3/order',
    ]);
  });

  it('a transport failure on a signed GET (URL with signature) reaches the caller scrubbed, without the URL', async () => {
    const { gateway, answer } = wire();
    answer('GET /order', new TypeError('fetch failed'));
    const error = await gateway.fetchOrder('acc1', CID, 'BTC/USDT').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExchangeCallError);
    const message = (error as Error).message;
    expect(message).toContain('NetworkError');
    expect(message).not.toMatch(/https?:|origClientOrderId|signature=/); // the request URL is gone, with its signature
    expect(message).not.toMatch(/[0-9a-f]{64}/);
    expect(message).not.toContain(API_KEY);
    expect(message).not.toContain(SECRET);
  });

  it('maps balances', async () => {
    const { gateway } = wire();
    expect(await gateway.fetchBalances('acc1')).toEqual([{ asset: 'BTC', total: '0.102', available: '0.1' }]);
  });
});
