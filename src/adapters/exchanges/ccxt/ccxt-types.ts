/**
 * The slice of ccxt's shapes the adapter reads and the methods it calls, declared structurally
 * so tests can hand in small fakes. ccxt parses exchange decimals into JS numbers (or strings
 * when `exchange.number = String`); every field here accepts both and the adapter converts them
 * to decimal strings at once (see `order-mapping.ts`).
 */

export type NumLike = number | string | null | undefined;
type StrLike = string | null | undefined;

export interface CcxtMinMax {
  readonly min?: NumLike;
  readonly max?: NumLike;
}

export interface CcxtMarketLike {
  readonly id?: StrLike;
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly settle?: StrLike;
  readonly type?: StrLike;
  readonly spot?: boolean | null | undefined;
  readonly swap?: boolean | null | undefined;
  readonly contract?: boolean | null | undefined;
  readonly linear?: boolean | null | undefined;
  readonly inverse?: boolean | null | undefined;
  readonly active?: boolean | null | undefined;
  readonly contractSize?: NumLike;
  readonly precision: { readonly amount?: NumLike; readonly price?: NumLike };
  readonly limits: {
    readonly amount?: CcxtMinMax | undefined;
    readonly price?: CcxtMinMax | undefined;
    readonly cost?: CcxtMinMax | undefined;
    /** Binance MARKET_LOT_SIZE */
    readonly market?: CcxtMinMax | undefined;
  };
  /** the exchange's own market record (Binance exchangeInfo: orderTypes, allowTrailingStop) */
  readonly info?: unknown;
}

export interface CcxtFeeLike {
  readonly cost?: NumLike;
  readonly currency?: StrLike;
}

export interface CcxtTradeLike {
  readonly id?: StrLike;
  readonly order?: StrLike;
  readonly symbol?: StrLike;
  readonly side?: StrLike;
  readonly amount?: NumLike;
  readonly price?: NumLike;
  readonly timestamp?: number | null | undefined;
  readonly datetime?: StrLike;
  readonly takerOrMaker?: StrLike;
  readonly fee?: CcxtFeeLike | null | undefined;
  readonly fees?: readonly CcxtFeeLike[] | null | undefined;
}

export interface CcxtOrderLike {
  readonly id?: StrLike;
  readonly clientOrderId?: StrLike;
  readonly symbol?: StrLike;
  readonly type?: StrLike;
  readonly side?: StrLike;
  /** 'open' | 'closed' | 'canceled' | 'expired' | 'rejected' | undefined */
  readonly status?: StrLike;
  readonly price?: NumLike;
  readonly average?: NumLike;
  readonly amount?: NumLike;
  readonly filled?: NumLike;
  readonly remaining?: NumLike;
  readonly timestamp?: number | null | undefined;
  readonly trades?: readonly CcxtTradeLike[] | null | undefined;
  /** a stop / take-profit's trigger price (issue 17) */
  readonly triggerPrice?: NumLike;
  /** the exchange's own answer (its order type names a stop / take-profit where ccxt's unified `type` does not) */
  readonly info?: unknown;
}

/** ccxt's balance structure: `{ BTC: { free, used, total }, …, free: {…}, used: {…}, total: {…}, info }`. */
export type CcxtBalancesLike = Readonly<Record<string, unknown>>;

export type CcxtParams = Record<string, unknown>;

/** ccxt's markets by symbol (its dictionary type admits `undefined` values). */
export type CcxtMarkets = Record<string, CcxtMarketLike | undefined>;

/** The REST methods of a ccxt `Exchange` instance the gateway uses. */
export interface CcxtClient {
  readonly id: string;
  apiKey: string;
  secret: string;
  password?: string;
  /** ms between requests of ccxt's own throttle */
  readonly rateLimit: number | undefined;
  readonly precisionMode: number | undefined;
  markets?: CcxtMarkets | undefined;
  currencies?: unknown;
  options: Record<string, unknown>;
  last_response_headers?: unknown;
  loadMarkets(reload?: boolean): Promise<CcxtMarkets>;
  setMarkets(markets: CcxtMarkets, currencies?: unknown): unknown;
  loadTimeDifference(): Promise<unknown>;
  createOrder(symbol: string, type: string, side: string, amount: number, price?: number, params?: CcxtParams): Promise<CcxtOrderLike>;
  fetchOrder(id: string | undefined, symbol?: string, params?: CcxtParams): Promise<CcxtOrderLike>;
  cancelOrder(id: string | undefined, symbol?: string, params?: CcxtParams): Promise<CcxtOrderLike>;
  fetchOpenOrders(symbol?: string, since?: number, limit?: number, params?: CcxtParams): Promise<CcxtOrderLike[]>;
  fetchClosedOrders(symbol?: string, since?: number, limit?: number, params?: CcxtParams): Promise<CcxtOrderLike[]>;
  fetchMyTrades(symbol?: string, since?: number, limit?: number, params?: CcxtParams): Promise<CcxtTradeLike[]>;
  fetchBalance(params?: CcxtParams): Promise<CcxtBalancesLike>;
  /** derivatives (issue 17): the symbol's leverage and margin mode on the exchange */
  setLeverage?(leverage: number, symbol?: string, params?: CcxtParams): Promise<unknown>;
  setMarginMode?(marginMode: string, symbol?: string, params?: CcxtParams): Promise<unknown>;
  close?(): Promise<unknown>;
}

/** A ccxt pro instance: the REST client plus the user-data stream. */
export interface CcxtProClient extends CcxtClient {
  watchOrders(symbol?: string, since?: number, limit?: number, params?: CcxtParams): Promise<CcxtOrderLike[]>;
}

/** Constructor arguments handed to ccxt (`new ccxt[id](config)`). */
export interface CcxtConfig {
  readonly apiKey?: string;
  readonly secret?: string;
  readonly password?: string;
  readonly enableRateLimit: boolean;
  readonly options: Record<string, unknown>;
  readonly urls?: { readonly api: Record<string, unknown> };
  readonly [key: string]: unknown;
}
