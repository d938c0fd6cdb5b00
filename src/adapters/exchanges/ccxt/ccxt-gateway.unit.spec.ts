import { ExchangeNotAvailable, InvalidOrder, NetworkError, OrderNotFound, RequestTimeout } from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { OrderUpdate, PlaceOrderRequest } from '../../../application/ports/exchange.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { CcxtMarketLike } from './ccxt-types.js';
import { CcxtExchangeGateway, ExchangeCallError, type CcxtAccount, type CcxtGatewayOptions } from './ccxt-gateway.js';
import { ccxtErrorFor } from './test-support/ccxt-errors.js';
import { FakeExchange, SPOT_MARKETS, SWAP_MARKETS } from './test-support/fake-exchange.js';
import { FakeScheduler, flush } from './test-support/fake-scheduler.js';

const CID = '0123456789abcdef0123456789abcdef';
const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

interface LogLine {
  readonly level: string;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

function setup(
  options: Partial<CcxtGatewayOptions> & { readonly markets?: Record<string, CcxtMarketLike>; readonly account?: Partial<CcxtAccount> } = {},
) {
  const scheduler = new FakeScheduler();
  const created: FakeExchange[] = [];
  const logs: LogLine[] = [];
  const log: Logger = {
    info: (fields, message) => logs.push({ level: 'info', fields, message }),
    warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
    error: (fields, message) => logs.push({ level: 'error', fields, message }),
  };
  const credentialCalls: string[] = [];
  const { markets, account, ...rest } = options;
  const gateway = new CcxtExchangeGateway({
    credentials: async (accountId) => {
      credentialCalls.push(accountId);
      return { apiKey: API_KEY, secret: SECRET };
    },
    log,
    scheduler,
    createExchange: (id, config) => {
      const fake = new FakeExchange(id, config, markets ?? SPOT_MARKETS);
      created.push(fake);
      return fake;
    },
    notFoundGraceMs: 0,
    ...rest,
  });
  gateway.registerAccount({ accountId: 'acc1', exchangeId: 'binance', marketType: 'spot', ...account });
  const loaders = () => created.filter((c) => c.config.apiKey === undefined);
  const instances = () => created.filter((c) => c.config.apiKey !== undefined);
  /** Makes the account's ccxt instance (via a balance call) and returns it for scripting. */
  const exchange = async (accountId = 'acc1'): Promise<FakeExchange> => {
    await gateway.fetchBalances(accountId);
    const fake = instances().at(-1);
    if (!fake) throw new Error('no instance');
    fake.calls.length = 0;
    return fake;
  };
  return { gateway, scheduler, created, logs, credentialCalls, loaders, instances, exchange };
}

const limitBuy = (extra: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  clientOrderId: CID,
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'limit',
  quantity: '0.001',
  limitPrice: '43000.01',
  ...extra,
});

const marketSell = (extra: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  clientOrderId: CID,
  symbol: 'BTC/USDT',
  side: 'sell',
  type: 'market',
  quantity: '0.002',
  ...extra,
});

describe('CcxtExchangeGateway: instances, markets, credentials', () => {
  it('creates instances lazily, loads markets once per venue and shares them with setMarkets', async () => {
    const { gateway, created, loaders, instances, credentialCalls } = setup();
    gateway.registerAccount({ accountId: 'acc2', exchangeId: 'binance', marketType: 'spot' });
    expect(created).toHaveLength(0);
    expect(gateway.markets()).toEqual([]);
    await gateway.placeOrder('acc1', limitBuy());
    await gateway.placeOrder('acc2', limitBuy({ clientOrderId: 'f'.repeat(32) }));
    expect(loaders()).toHaveLength(1);
    expect(loaders()[0]!.callsOf('loadMarkets')).toHaveLength(1);
    expect(instances()).toHaveLength(2);
    for (const inst of instances()) {
      expect(inst.callsOf('loadMarkets')).toHaveLength(0);
      expect(inst.callsOf('setMarkets')).toHaveLength(1);
      expect(inst.options.timeDifference).toBe(42); // the loader's clock offset is shared
    }
    expect(credentialCalls).toEqual(['acc1', 'acc2']);
    expect(gateway.markets().map((m) => m.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(gateway.markets()[0]).toEqual({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', maxQty: '9000', minNotional: '5' });
  });

  it('configures ccxt: rate limit on, clock adjustment, no currencies, only spot markets for binance spot, urls and extra options', async () => {
    const { gateway, instances, loaders } = setup({ account: { urls: { public: 'http://127.0.0.1:9999/api/v3', private: 'http://127.0.0.1:9999/api/v3' }, options: { recvWindow: 5000 } } });
    await gateway.placeOrder('acc1', limitBuy());
    const config = instances()[0]!.config;
    expect(config).toMatchObject({
      apiKey: API_KEY,
      secret: SECRET,
      enableRateLimit: true,
      options: { adjustForTimeDifference: true, fetchCurrencies: false, fetchMarkets: { types: ['spot'] }, defaultType: 'spot', recvWindow: 5000 },
      urls: { api: { public: 'http://127.0.0.1:9999/api/v3', private: 'http://127.0.0.1:9999/api/v3' } },
    });
    expect(loaders()[0]!.config.apiKey).toBeUndefined();
    expect(gateway.hostOf('acc1')).toMatch(/^binance:spot@[0-9a-f]{8}$/);
  });

  it('forget() blanks the instance keys and the next call fetches the credentials again', async () => {
    const { gateway, instances, credentialCalls } = setup();
    await gateway.placeOrder('acc1', limitBuy());
    const first = instances()[0]!;
    gateway.forget('acc1');
    await flush();
    expect(first.apiKey).toBe('');
    expect(first.secret).toBe('');
    expect(first.closed).toBe(true);
    await gateway.placeOrder('acc1', limitBuy());
    expect(instances()).toHaveLength(2);
    expect(credentialCalls).toEqual(['acc1', 'acc1']);
  });

  it('refuses to register an exchange ccxt does not have (with the default factory); registering contacts nothing', () => {
    const gateway = new CcxtExchangeGateway({ credentials: async () => ({ apiKey: API_KEY, secret: SECRET }) });
    expect(() => gateway.registerAccount({ accountId: 'x', exchangeId: 'binanse', marketType: 'spot' })).toThrow('ccxt has no exchange "binanse"');
    expect(() => gateway.registerAccount({ accountId: 'x', exchangeId: 'binance', marketType: 'futures' as 'swap' })).toThrow('unsupported market type');
    gateway.registerAccount({ accountId: 'x', exchangeId: 'binance', marketType: 'spot' });
    expect(gateway.hostOf('x')).toBe('binance:spot');
  });

  it('an unregistered account is refused without contacting anything', async () => {
    const { gateway, created } = setup();
    expect(await gateway.placeOrder('nobody', limitBuy())).toMatchObject({ kind: 'rejected', code: 'UNKNOWN_ACCOUNT' });
    await expect(gateway.fetchOrder('nobody', CID, 'BTC/USDT')).rejects.toBeInstanceOf(ExchangeCallError);
    expect(created).toHaveLength(0);
  });

  it('a failing market load sends nothing and reports unknown (the executor retries)', async () => {
    const { gateway, created } = setup({
      createExchange: (id, config) => new FakeExchange(id, config).script('loadMarkets', new ExchangeNotAvailable('binance GET https://api.binance.com/api/v3/exchangeInfo 503')),
    });
    const result = await gateway.placeOrder('acc1', limitBuy());
    expect(result).toMatchObject({ kind: 'unknown' });
    expect(result.kind === 'unknown' && result.reason).toContain('nothing sent');
    expect(created).toHaveLength(0);
  });
});

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

  describe('classification of failures', () => {
    it('a definitive refusal (Binance -1013) is rejected with its code', async () => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      ex.script('createOrder', ccxtErrorFor('binance', 400, '{"code":-1013,"msg":"Filter failure: NOTIONAL"}'));
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'rejected', code: 'MIN_NOTIONAL' });
    });

    it('insufficient balance is rejected', async () => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      ex.script('createOrder', ccxtErrorFor('binance', 400, '{"code":-2010,"msg":"Account has insufficient balance for requested action."}'));
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'rejected', code: 'INSUFFICIENT_BALANCE' });
    });

    const duplicates: [string, () => Error][] = [
      ['binance -2010', () => ccxtErrorFor('binance', 400, '{"code":-2010,"msg":"Duplicate order sent."}')],
      ['bybit 110072', () => ccxtErrorFor('bybit', 200, '{"retCode":110072,"retMsg":"OrderLinkedID is duplicate","result":{},"retExtInfo":{},"time":1}')],
      ['okx 51016', () => ccxtErrorFor('okx', 200, `{"code":"1","data":[{"clOrdId":"${CID}","ordId":"","sCode":"51016","sMsg":"Duplicated client order ID"}],"msg":""}`)],
    ];
    it.each(duplicates)('a duplicate clientOrderId (%s) is never rejected: unknown, "duplicate clientOrderId"', async (name, error) => {
      const exchangeId = name.split(' ')[0]!;
      const { gateway, exchange } = setup({ account: { exchangeId } });
      const ex = await exchange();
      const thrown = error();
      expect(thrown).toBeInstanceOf(InvalidOrder);
      ex.script('createOrder', thrown);
      const result = await gateway.placeOrder('acc1', limitBuy());
      expect(result.kind).toBe('unknown');
      expect(result.kind === 'unknown' && result.reason).toMatch(/^duplicate clientOrderId/);
    });

    const unknowns: [string, () => Error][] = [
      ['a timeout', () => new RequestTimeout('binance POST https://api.binance.com/api/v3/order request timed out (10000 ms)')],
      ['a connection loss', () => new NetworkError('binance POST https://api.binance.com/api/v3/order fetch failed: ECONNRESET')],
      ['a 503', () => ccxtErrorFor('binance', 503, 'Service Unavailable', { statusText: 'Service Unavailable' })],
      ['-1007 execution status unknown', () => ccxtErrorFor('binance', 500, '{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}')],
      ['a crash inside ccxt', () => new TypeError("Cannot read properties of undefined (reading 'toString')")],
    ];
    it.each(unknowns)('%s is unknown', async (_name, error) => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      ex.script('createOrder', error());
      expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('unknown');
    });

    it('a 429 is unknown and puts the host in the penalty box for Retry-After: the next order waits, or is refused when that is too long', async () => {
      const { gateway, exchange, scheduler } = setup({ maxOrderWaitMs: 2000 });
      const ex = await exchange();
      ex.last_response_headers = { 'Retry-After': '5' };
      ex.script('createOrder', ccxtErrorFor('binance', 429, '{"code":-1003,"msg":"Too much request weight used"}', { statusText: 'Too Many Requests' }));
      expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('unknown');
      // the penalty applies to every account of the host
      gateway.registerAccount({ accountId: 'acc2', exchangeId: 'binance', marketType: 'spot' });
      const refused = await gateway.placeOrder('acc2', limitBuy());
      expect(refused).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED' });
      expect(ex.callsOf('createOrder')).toHaveLength(1);
      await scheduler.advance(3500);
      const waiting = gateway.placeOrder('acc1', limitBuy());
      await flush();
      expect(ex.callsOf('createOrder')).toHaveLength(1);
      await scheduler.advance(1500);
      expect((await waiting).kind).toBe('accepted');
      expect(ex.callsOf('createOrder')).toHaveLength(2);
    });

    it('clock skew (-1021) resynchronises the clock and retries once', async () => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      ex.script('createOrder', ccxtErrorFor('binance', 400, `{"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server's time."}`));
      const result = await gateway.placeOrder('acc1', limitBuy());
      expect(result.kind).toBe('accepted');
      expect(ex.callsOf('loadTimeDifference')).toHaveLength(1);
      expect(ex.callsOf('createOrder')).toHaveLength(2);
      expect(ex.options.timeDifference).toBe(1500);
    });

    it('clock skew twice is a definitive CLOCK_SKEW refusal (nothing reached the engine)', async () => {
      const { gateway, exchange } = setup();
      const ex = await exchange();
      const skew = () => ccxtErrorFor('binance', 400, `{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}`);
      ex.script('createOrder', skew(), skew());
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'rejected', code: 'CLOCK_SKEW' });
      expect(ex.callsOf('createOrder')).toHaveLength(2);
    });

    it('refused credentials reject with AUTH and disable the account until forget()', async () => {
      const { gateway, exchange } = setup();
      const disabled: string[] = [];
      gateway.onAccountDisabled((id) => disabled.push(id));
      const ex = await exchange();
      ex.script('createOrder', ccxtErrorFor('binance', 401, '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}', { statusText: 'Unauthorized' }));
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'rejected', code: 'AUTH' });
      expect(disabled).toEqual(['acc1']);
      expect(gateway.disabledReason('acc1')).toContain('-2015');
      expect(await gateway.placeOrder('acc1', limitBuy())).toMatchObject({ kind: 'rejected', code: 'AUTH' });
      await expect(gateway.fetchOrder('acc1', CID, 'BTC/USDT')).rejects.toMatchObject({ classification: { kind: 'auth' } });
      expect(ex.callsOf('createOrder')).toHaveLength(1);
      gateway.forget('acc1');
      expect(gateway.disabledReason('acc1')).toBeUndefined();
      expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('accepted');
    });
  });

  describe('circuit breaker', () => {
    it('opens after N consecutive unknown outcomes, refuses new orders with CIRCUIT_OPEN without sending, probes after the cool-down', async () => {
      const { gateway, exchange, scheduler } = setup({ breaker: { failureThreshold: 3, coolDownMs: 30_000 } });
      const changes: string[] = [];
      gateway.onBreakerStateChange((c) => changes.push(`${c.key}:${c.to}`));
      const ex = await exchange();
      const timeout = () => new RequestTimeout('binance POST https://api.binance.com/api/v3/order request timed out (10000 ms)');
      ex.script('createOrder', timeout(), timeout(), timeout());
      for (let i = 0; i < 3; i++) expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('unknown');
      const refused = await gateway.placeOrder('acc1', limitBuy());
      expect(refused).toMatchObject({ kind: 'rejected', code: 'CIRCUIT_OPEN' });
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

describe('CcxtExchangeGateway: linear swaps', () => {
  it('resolves BTC/USDT to BTC/USDT:USDT, sends contracts, passes reduceOnly, reports base quantities', async () => {
    const { gateway, exchange } = setup({ markets: { ...SPOT_MARKETS, ...SWAP_MARKETS }, account: { exchangeId: 'okx', marketType: 'swap' } });
    const ex = await exchange();
    ex.script('createOrder', (symbol: unknown, type: unknown, side: unknown, amount: unknown, _price: unknown, params: unknown) => ({
      id: 'o1',
      clientOrderId: (params as { clientOrderId: string }).clientOrderId,
      symbol,
      type,
      side,
      status: 'closed',
      amount,
      filled: amount,
      trades: [{ id: 'f1', amount, price: 43000.5, takerOrMaker: 'taker', fee: { cost: 0.1, currency: 'USDT' } }],
    }));
    const result = await gateway.placeOrder('acc1', marketSell({ quantity: '0.0537', reduceOnly: true }));
    expect(ex.callsOf('createOrder')).toEqual([['BTC/USDT:USDT', 'market', 'sell', 5.37, undefined, { clientOrderId: CID, reduceOnly: true }]]);
    expect(result).toMatchObject({ kind: 'accepted', order: { symbol: 'BTC/USDT', quantity: '0.0537', filledQuantity: '0.0537', fills: [{ quantity: '0.0537', price: '43000.5' }] } });
    expect(ex.config.options).toMatchObject({ defaultType: 'swap', fetchMarkets: { types: ['swap'] } });
    expect(gateway.markets().map((m) => [m.symbol, m.stepSize, m.minQty])).toEqual([['BTC/USDT', '0.0001', '0.0001']]);
  });
});

describe('CcxtExchangeGateway: order monitoring', () => {
  function monitored() {
    const scheduler = new FakeScheduler();
    const rest: FakeExchange[] = [];
    const pros: FakeExchange[] = [];
    const watchers: { resolve: (orders: unknown[]) => void; reject: (e: Error) => void }[] = [];
    const gateway = new CcxtExchangeGateway({
      credentials: async () => ({ apiKey: API_KEY, secret: SECRET }),
      scheduler,
      notFoundGraceMs: 0,
      monitor: { pollIntervalMs: 5000, stableAfterMs: 3000, backoff: { initialMs: 1000 }, random: () => 0.5 },
      createExchange: (id, config) => {
        const fake = new FakeExchange(id, config);
        rest.push(fake);
        return fake;
      },
      createProExchange: (id, config) => {
        const pro = new FakeExchange(id, config);
        for (let i = 0; i < 10; i++) pro.script('watchOrders', () => new Promise((resolve, reject) => watchers.push({ resolve, reject })));
        pros.push(pro);
        return pro;
      },
    });
    gateway.registerAccount({ accountId: 'acc1', exchangeId: 'binance', marketType: 'spot' });
    const updates: OrderUpdate[] = [];
    gateway.onOrderUpdate((u) => updates.push(u));
    return { scheduler, rest, pros, watchers, gateway, updates };
  }

  it('streams watchOrders updates to onOrderUpdate listeners, one per new fill', async () => {
    const { gateway, pros, watchers, updates } = monitored();
    gateway.startMonitoring('acc1');
    await flush();
    expect(pros).toHaveLength(1);
    expect(pros[0]!.config.apiKey).toBe(API_KEY);
    expect(pros[0]!.callsOf('setMarkets')).toHaveLength(1);
    watchers.shift()!.resolve([
      {
        id: '1',
        clientOrderId: CID,
        symbol: 'BTC/USDT',
        type: 'limit',
        side: 'buy',
        status: 'closed',
        amount: 0.002,
        price: 43000,
        filled: 0.002,
        trades: [
          { id: 'a', amount: 0.001, price: 43000, takerOrMaker: 'maker', fee: { cost: 0, currency: 'BTC' } },
          { id: 'b', amount: 0.001, price: 43000, takerOrMaker: 'maker', fee: { cost: 0, currency: 'BTC' } },
        ],
      },
    ]);
    await flush();
    expect(updates.map((u) => [u.accountId, u.order.status, u.fill?.tradeId, u.fill?.liquidity])).toEqual([
      ['acc1', 'filled', 'a', 'maker'],
      ['acc1', 'filled', 'b', 'maker'],
    ]);
    expect(gateway.monitorState('acc1')).toBe('streaming');
    await gateway.stopMonitoring('acc1');
    expect(pros[0]!.closed).toBe(true);
    expect(pros[0]!.apiKey).toBe('');
    expect(gateway.monitorState('acc1')).toBeUndefined();
  });

  it('when the socket fails, polls the REST API: open orders, then the orders it placed that left the open list', async () => {
    const { gateway, rest, watchers, updates } = monitored();
    const states: string[] = [];
    gateway.onMonitorStateChange((_id, s) => states.push(s));
    gateway.startMonitoring('acc1');
    await flush();
    expect((await gateway.placeOrder('acc1', limitBuy())).kind).toBe('accepted');
    const ex = rest.find((r) => r.config.apiKey !== undefined)!;
    ex.script('fetchOpenOrders', []);
    ex.script('fetchOrder', { id: 'ex-1', clientOrderId: CID, symbol: 'BTC/USDT', type: 'limit', side: 'buy', status: 'closed', amount: 0.001, price: 43000.01, filled: 0.001, trades: [{ id: 'z', amount: 0.001, price: 43000.01 }] });
    watchers.shift()!.reject(new NetworkError('binance ws closed'));
    await flush();
    expect(states).toEqual(['polling']);
    expect(ex.callsOf('fetchOpenOrders')).toHaveLength(1);
    expect(ex.callsOf('fetchOrder')).toEqual([[undefined, 'BTC/USDT', { clientOrderId: CID }]]);
    expect(updates.map((u) => [u.order.clientOrderId, u.order.status, u.fill?.tradeId])).toEqual([[CID, 'filled', 'z']]);
    await gateway.close();
  });
});
