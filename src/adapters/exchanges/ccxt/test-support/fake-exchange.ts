import type { CcxtConfig, CcxtMarketLike, CcxtMarkets, CcxtOrderLike, CcxtParams, CcxtProClient, CcxtTradeLike } from '../ccxt-types.js';

/** As ccxt parses Binance's spot BTCUSDT / ETHUSDT (TICK_SIZE). */
export const SPOT_MARKETS: Record<string, CcxtMarketLike> = {
  'BTC/USDT': {
    id: 'BTCUSDT',
    symbol: 'BTC/USDT',
    base: 'BTC',
    quote: 'USDT',
    type: 'spot',
    spot: true,
    swap: false,
    contract: false,
    active: true,
    precision: { amount: 0.00001, price: 0.01 },
    limits: { amount: { min: 0.00001, max: 9000 }, price: { min: 0.01, max: 1000000 }, cost: { min: 5 }, market: { min: 0, max: 100 } },
  },
  'ETH/USDT': {
    id: 'ETHUSDT',
    symbol: 'ETH/USDT',
    base: 'ETH',
    quote: 'USDT',
    type: 'spot',
    spot: true,
    contract: false,
    active: true,
    precision: { amount: 0.0001, price: 0.01 },
    limits: { amount: { min: 0.0001, max: 9000 }, price: {}, cost: { min: 5 } },
  },
};

/** A linear swap with a contract size (OKX-like). */
export const SWAP_MARKETS: Record<string, CcxtMarketLike> = {
  'BTC/USDT:USDT': {
    id: 'BTC-USDT-SWAP',
    symbol: 'BTC/USDT:USDT',
    base: 'BTC',
    quote: 'USDT',
    settle: 'USDT',
    type: 'swap',
    spot: false,
    swap: true,
    contract: true,
    linear: true,
    inverse: false,
    contractSize: 0.01,
    active: true,
    precision: { amount: 0.01, price: 0.1 },
    limits: { amount: { min: 0.01, max: 10000 }, price: {}, cost: {} },
  },
};

type Responder = (...args: unknown[]) => unknown;

export interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

/**
 * Shaped like a ccxt Exchange for the methods the gateway calls. Each method answers from its
 * script (values, errors to throw, or functions of the arguments), then from a default.
 */
export class FakeExchange implements CcxtProClient {
  apiKey: string;
  secret: string;
  password?: string;
  rateLimit = 50;
  precisionMode = 4;
  markets: CcxtMarkets | undefined;
  currencies: unknown;
  options: Record<string, unknown>;
  last_response_headers: unknown;
  closed = false;
  readonly calls: Call[] = [];
  private readonly scripts = new Map<string, Responder[]>();

  constructor(
    readonly id: string,
    readonly config: CcxtConfig,
    private readonly allMarkets: Record<string, CcxtMarketLike> = SPOT_MARKETS,
  ) {
    this.apiKey = config.apiKey ?? '';
    this.secret = config.secret ?? '';
    if (config.password !== undefined) this.password = config.password;
    this.options = { ...config.options };
  }

  /** Queues answers for `method`: a value is returned, an Error thrown, a function called with the arguments. */
  script(method: string, ...answers: unknown[]): this {
    const list = this.scripts.get(method) ?? [];
    for (const a of answers) list.push(typeof a === 'function' ? (a as Responder) : a instanceof Error ? () => { throw a; } : () => a);
    this.scripts.set(method, list);
    return this;
  }

  callsOf(method: string): readonly (readonly unknown[])[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private async run<T>(method: string, args: unknown[], fallback: () => T | Promise<T>): Promise<T> {
    this.calls.push({ method, args });
    await Promise.resolve();
    const next = this.scripts.get(method)?.shift();
    return (next ? await next(...args) : await fallback()) as T;
  }

  loadMarkets(): Promise<CcxtMarkets> {
    return this.run('loadMarkets', [], () => {
      this.markets = this.allMarkets;
      this.options.timeDifference = 42;
      return this.allMarkets;
    });
  }

  setMarkets(markets: CcxtMarkets, currencies?: unknown): unknown {
    this.calls.push({ method: 'setMarkets', args: [markets, currencies] });
    this.markets = markets;
    return this.markets;
  }

  loadTimeDifference(): Promise<unknown> {
    return this.run('loadTimeDifference', [], () => {
      this.options.timeDifference = 1500;
      return 1500;
    });
  }

  setLeverage(leverage: number, symbol?: string): Promise<unknown> {
    return this.run('setLeverage', [leverage, symbol], () => ({ leverage, symbol }));
  }

  setMarginMode(marginMode: string, symbol?: string): Promise<unknown> {
    return this.run('setMarginMode', [marginMode, symbol], () => ({ code: 200, msg: 'success' }));
  }

  createOrder(symbol: string, type: string, side: string, amount: number, price?: number, params: CcxtParams = {}): Promise<CcxtOrderLike> {
    return this.run('createOrder', [symbol, type, side, amount, price, params], () => ({
      id: `ex-${this.calls.length}`,
      clientOrderId: params.clientOrderId as string,
      symbol,
      type,
      side,
      status: 'open',
      amount,
      price,
      filled: 0,
      trades: [],
    }));
  }

  fetchOrder(id: string | undefined, symbol?: string, params: CcxtParams = {}): Promise<CcxtOrderLike> {
    return this.run('fetchOrder', [id, symbol, params], () => {
      throw new Error('fetchOrder not scripted');
    });
  }

  cancelOrder(id: string | undefined, symbol?: string, params: CcxtParams = {}): Promise<CcxtOrderLike> {
    return this.run('cancelOrder', [id, symbol, params], () => {
      throw new Error('cancelOrder not scripted');
    });
  }

  fetchOpenOrders(symbol?: string, since?: number, limit?: number, params: CcxtParams = {}): Promise<CcxtOrderLike[]> {
    return this.run('fetchOpenOrders', [symbol, since, limit, params], () => []);
  }

  /** Binance allOrders */
  fetchOrders(symbol?: string, since?: number, limit?: number, params: CcxtParams = {}): Promise<CcxtOrderLike[]> {
    return this.run('fetchOrders', [symbol, since, limit, params], () => []);
  }

  fetchClosedOrders(symbol?: string, since?: number, limit?: number, params: CcxtParams = {}): Promise<CcxtOrderLike[]> {
    return this.run('fetchClosedOrders', [symbol, since, limit, params], () => []);
  }

  fetchCanceledAndClosedOrders(symbol?: string, since?: number, limit?: number, params: CcxtParams = {}): Promise<CcxtOrderLike[]> {
    return this.run('fetchCanceledAndClosedOrders', [symbol, since, limit, params], () => []);
  }

  fetchMyTrades(symbol?: string, since?: number, limit?: number, params: CcxtParams = {}): Promise<CcxtTradeLike[]> {
    return this.run('fetchMyTrades', [symbol, since, limit, params], () => []);
  }

  fetchBalance(params: CcxtParams = {}): Promise<Record<string, unknown>> {
    return this.run('fetchBalance', [params], () => ({ info: {} }));
  }

  watchOrders(symbol?: string, since?: number, limit?: number, params: CcxtParams = {}): Promise<CcxtOrderLike[]> {
    return this.run('watchOrders', [symbol, since, limit, params], () => new Promise<CcxtOrderLike[]>(() => {}));
  }

  close(): Promise<unknown> {
    this.closed = true;
    return Promise.resolve();
  }
}
