import { ExchangeNotAvailable } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { CcxtExchangeGateway, ExchangeCallError } from './ccxt-gateway.js';
import { FakeExchange, SPOT_MARKETS, SWAP_MARKETS } from './test-support/fake-exchange.js';
import { flush } from './test-support/fake-scheduler.js';
import { API_KEY, CID, SECRET, limitBuy, marketSell, setup } from './test-support/gateway-harness.js';

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

  it('a failing market load sends nothing and reports not placed (the executor retries)', async () => {
    const { gateway, created } = setup({
      createExchange: (id, config) => new FakeExchange(id, config).script('loadMarkets', new ExchangeNotAvailable('binance GET https://api.binance.com/api/v3/exchangeInfo 503')),
    });
    const result = await gateway.placeOrder('acc1', limitBuy());
    expect(result).toMatchObject({ kind: 'not_placed', code: 'EXCHANGE_UNAVAILABLE' });
    expect(result.kind === 'not_placed' && result.reason).toContain('nothing sent');
    expect(created).toHaveLength(0);
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
