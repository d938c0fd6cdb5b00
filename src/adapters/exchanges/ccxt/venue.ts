import { createHash } from 'node:crypto';
import type { Market } from '../../../application/ports/exchange.js';
import type { CcxtClient, CcxtConfig, CcxtMarketLike, CcxtMarkets } from './ccxt-types.js';
import { profileFor, type MarketType } from './exchange-profiles.js';
import { portSymbolOf, toPortMarket } from './order-mapping.js';

/** Where an account trades: a ccxt exchange id, a market type, and optionally other API URLs (a sandbox). */
export interface VenueSpec {
  readonly exchangeId: string;
  readonly marketType: MarketType;
  /** merged into ccxt's `urls.api` (e.g. to point at a sandbox) */
  readonly urls?: Readonly<Record<string, unknown>>;
  /** extra ccxt options, applied over the adapter's own */
  readonly options?: Readonly<Record<string, unknown>>;
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

function shortHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 8);
}

/**
 * The exchange host an account talks to: the unit of the shared IP rate budget and of the
 * circuit breaker. "binance:spot", or "binance:spot@1a2b3c4d" with overridden URLs.
 */
export function hostKeyOf(spec: VenueSpec): string {
  const base = `${spec.exchangeId}:${spec.marketType}`;
  return spec.urls && Object.keys(spec.urls).length > 0 ? `${base}@${shortHash(spec.urls)}` : base;
}

/** Accounts with the same venue key share one set of loaded markets. */
export function venueKeyOf(spec: VenueSpec): string {
  const host = hostKeyOf(spec);
  return spec.options && Object.keys(spec.options).length > 0 ? `${host}+${shortHash(spec.options)}` : host;
}

export interface Credentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly password?: string;
}

/**
 * The ccxt constructor config of an account (or, without credentials, of the venue's market
 * loader): ccxt's own rate limiting on, clock-skew adjustment on, no currency download, only the
 * account's market type, then the account's extra options.
 */
export function ccxtConfigFor(spec: VenueSpec, credentials?: Credentials): CcxtConfig {
  const profile = profileFor(spec.exchangeId);
  return {
    ...(credentials ? { apiKey: credentials.apiKey, secret: credentials.secret, ...(credentials.password !== undefined ? { password: credentials.password } : {}) } : {}),
    enableRateLimit: true,
    options: { ...profile.options(spec.marketType), adjustForTimeDifference: true, fetchCurrencies: false, ...(spec.options ?? {}) },
    ...(spec.urls ? { urls: { api: { ...spec.urls } } } : {}),
  };
}

export function isOfType(market: CcxtMarketLike, marketType: MarketType): boolean {
  switch (marketType) {
    case 'spot':
      return market.spot === true || market.type === 'spot';
    case 'swap':
      return (market.swap === true || market.type === 'swap') && market.linear !== false && market.inverse !== true;
  }
}

/** A venue's markets, loaded once and shared by every account instance through `setMarkets`. */
export class Venue {
  readonly key: string;
  readonly hostKey: string;
  markets: CcxtMarkets | undefined;
  currencies: unknown;
  precisionMode = 4;
  /** ccxt's rateLimit (ms between requests) of the exchange */
  rateLimit = 1000;
  /** ms the local clock is ahead of the exchange's (ccxt `options.timeDifference`) */
  timeDifference: number | undefined;
  private byPortSymbol = new Map<string, CcxtMarketLike>();
  private portMarketList: Market[] = [];
  private loading: Promise<void> | undefined;

  constructor(
    readonly spec: VenueSpec,
    private readonly createLoader: () => CcxtClient,
  ) {
    this.key = venueKeyOf(spec);
    this.hostKey = hostKeyOf(spec);
  }

  get loaded(): boolean {
    return this.markets !== undefined;
  }

  /** Loads the markets once (a failed load is retried by the next call). `gate` runs before the request. */
  load(gate: () => Promise<void>): Promise<void> {
    if (this.markets) return Promise.resolve();
    if (!this.loading) {
      this.loading = (async () => {
        await gate();
        const loader = this.createLoader();
        try {
          const markets = await loader.loadMarkets();
          this.precisionMode = loader.precisionMode ?? 4;
          this.rateLimit = loader.rateLimit ?? 1000;
          this.currencies = loader.currencies;
          const td = loader.options.timeDifference;
          if (typeof td === 'number' && Number.isFinite(td)) this.timeDifference = td;
          this.setMarkets(markets);
        } finally {
          void loader.close?.().catch(() => undefined);
        }
      })().finally(() => {
        this.loading = undefined;
      });
    }
    return this.loading;
  }

  setMarkets(markets: CcxtMarkets): void {
    this.markets = markets;
    this.byPortSymbol = new Map();
    for (const market of Object.values(markets)) {
      if (!market || !isOfType(market, this.spec.marketType)) continue;
      const portSymbol = portSymbolOf(market);
      if (!this.byPortSymbol.has(portSymbol)) this.byPortSymbol.set(portSymbol, market);
    }
    this.portMarketList = [...this.byPortSymbol.values()].map((m) => toPortMarket(m, this.precisionMode));
  }

  /** The ccxt market of a symbol as PATRIOT or ccxt spells it, of this venue's market type. */
  resolve(symbol: string): CcxtMarketLike | undefined {
    const exact = this.markets?.[symbol];
    if (exact && isOfType(exact, this.spec.marketType)) return exact;
    return this.byPortSymbol.get(symbol);
  }

  portMarkets(): readonly Market[] {
    return this.portMarketList;
  }
}
