/**
 * A controllable stand-in for a ccxt pro client (test support): the test emits book tickers and
 * trades, rejects the pending watches (a dropped connection) or simply stops emitting (silence).
 * Like ccxt, an update with no watch pending only lands in the caches (`bidsasks`, `trades`).
 */
import type { CcxtTickerLike, CcxtTradeLike, ProMarketClient } from '../ccxt-market-shapes.js';

interface Pending<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

export const FAKE_MARKETS: Readonly<Record<string, unknown>> = {
  'BTC/USDT': { symbol: 'BTC/USDT' },
  'ETH/USDT': { symbol: 'ETH/USDT' },
  'SOL/USDT': { symbol: 'SOL/USDT' },
};

export class FakeProClient implements ProMarketClient {
  readonly bidsasks: Record<string, CcxtTickerLike> = {};
  readonly trades: Record<string, CcxtTradeLike[]> = {};
  /** the symbol lists of every watch call, per channel */
  readonly bookWatches: string[][] = [];
  readonly tradeWatches: string[][] = [];
  closed = false;
  marketsLoaded = 0;
  sharedFrom: ProMarketClient | undefined;
  private bookPending: Pending<Record<string, CcxtTickerLike>> | undefined;
  private tradePending: Pending<CcxtTradeLike[]> | undefined;

  constructor(
    readonly index: number,
    private readonly markets: Readonly<Record<string, unknown>> = FAKE_MARKETS,
  ) {}

  async loadMarkets(): Promise<Readonly<Record<string, unknown>>> {
    this.marketsLoaded += 1;
    return this.markets;
  }

  setMarketsFromExchange(source: unknown): this {
    this.sharedFrom = source as ProMarketClient;
    return this;
  }

  watchBidsAsks(symbols: string[]): Promise<Record<string, CcxtTickerLike>> {
    this.bookWatches.push(symbols);
    return new Promise((resolve, reject) => {
      if (this.closed) reject(new Error('closed by the user'));
      else this.bookPending = { resolve, reject };
    });
  }

  watchTradesForSymbols(symbols: string[]): Promise<CcxtTradeLike[]> {
    this.tradeWatches.push(symbols);
    return new Promise((resolve, reject) => {
      if (this.closed) reject(new Error('closed by the user'));
      else this.tradePending = { resolve, reject };
    });
  }

  /** true when a watch of each channel is pending (the connection is subscribed) */
  get watching(): boolean {
    return this.bookPending !== undefined && this.tradePending !== undefined;
  }

  /** The last symbol list watched for bid/ask. */
  get symbols(): readonly string[] | undefined {
    return this.bookWatches[this.bookWatches.length - 1];
  }

  emitBook(symbol: string, bid: number | string, ask: number | string, u?: number, timestamp?: number): void {
    const ticker: CcxtTickerLike = { symbol, bid, ask, ...(timestamp !== undefined ? { timestamp } : {}), info: u !== undefined ? { u, s: symbol } : { s: symbol } };
    this.bidsasks[symbol] = ticker;
    const pending = this.bookPending;
    this.bookPending = undefined;
    pending?.resolve({ [symbol]: ticker });
  }

  emitTrade(symbol: string, price: number | string, id: number, timestamp: number): void {
    const trade: CcxtTradeLike = { symbol, price, id: String(id), timestamp };
    (this.trades[symbol] ??= []).push(trade);
    const pending = this.tradePending;
    this.tradePending = undefined;
    pending?.resolve([trade]);
  }

  /** The socket drops: every pending watch rejects (ccxt's NetworkError). */
  drop(message = 'connection closed by remote server, closing code 1006'): void {
    const error = new Error(message);
    error.name = 'NetworkError';
    this.rejectAll(error);
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('closedByUser');
    error.name = 'ExchangeClosedByUser';
    this.rejectAll(error);
  }

  private rejectAll(error: Error): void {
    const book = this.bookPending;
    const trade = this.tradePending;
    this.bookPending = undefined;
    this.tradePending = undefined;
    book?.reject(error);
    trade?.reject(error);
  }
}

/** Every client the code under test created, in order (client 0 is ws-a's first, 1 ws-b's). */
export class FakeVenue {
  readonly clients: FakeProClient[] = [];

  constructor(private readonly markets: Readonly<Record<string, unknown>> = FAKE_MARKETS) {}

  readonly createClient = (): FakeProClient => {
    const client = new FakeProClient(this.clients.length, this.markets);
    this.clients.push(client);
    return client;
  };

  open(): FakeProClient[] {
    return this.clients.filter((c) => !c.closed);
  }

  client(index: number): FakeProClient {
    const client = this.clients[index];
    if (client === undefined) throw new Error(`no client ${index} (created: ${this.clients.length})`);
    return client;
  }
}
