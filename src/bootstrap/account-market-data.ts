import type { AccountMarkets } from '../application/ports/account-markets.js';
import type { AccountPrices } from '../application/ports/account-prices.js';
import type { PriceFeed, PriceTick } from '../application/ports/price-feed.js';
import type { AccountConfig } from '../domain/accounts/account.js';
import type { AccountMarketData, AccountPriceView, MarketView } from '../http/deps.js';

/**
 * The live stream's prices: the paper feed's ticks, and every exchange's quotes (each tagged
 * with its venue and source, so two exchanges' BTC/USDT never overwrite each other).
 */
export function liveFeed(paper: PriceFeed, prices: AccountPrices): PriceFeed {
  return {
    symbols: () => paper.symbols(),
    latest: (symbol) => paper.latest(symbol),
    subscribe: (listener) => {
      const fromPaper = paper.subscribe(listener);
      const fromExchanges = prices.onQuote((venue, quote) => {
        if (venue === 'synthetic') return; // the paper feed's own ticks, already sent
        const tick: PriceTick = {
          symbol: quote.symbol, price: quote.price, time: new Date(quote.receivedAt).toISOString(), venue, source: quote.source,
          ...(quote.bid !== undefined ? { bid: quote.bid } : {}), ...(quote.ask !== undefined ? { ask: quote.ask } : {}),
        };
        listener(tick);
      });
      return () => {
        fromPaper();
        fromExchanges();
      };
    },
  };
}

export interface AccountMarketDataDeps {
  /** the tenant's account, or undefined (another tenant's answers as unknown) */
  readonly account: (tenantId: string, accountId: string) => AccountConfig | undefined;
  /** folds what the log holds now (asked when an account is not known here: opened a moment ago, perhaps on another node) */
  readonly catchUp?: () => Promise<void>;
  /** every account of the tenant */
  readonly accounts: (tenantId: string) => readonly AccountConfig[];
  readonly markets: AccountMarkets;
  readonly prices: AccountPrices;
  readonly maxPriceAgeMs: number;
  /** how long a price request waits for a symbol not followed yet */
  readonly priceWaitMs: number;
}

/** What the API answers about an account's markets and prices: always its own exchange's. */
export function accountMarketData(deps: AccountMarketDataDeps): AccountMarketData {
  const accountOf = async (tenantId: string, accountId: string): Promise<AccountConfig | undefined> => {
    const known = deps.account(tenantId, accountId);
    if (known || !deps.catchUp) return known;
    await deps.catchUp();
    return deps.account(tenantId, accountId);
  };
  return {
    accounts: async (tenantId) => deps.accounts(tenantId).map((account) => {
      const list = deps.markets.list(account);
      return { accountId: account.accountId, exchange: account.exchange, venue: deps.markets.venueName(account), loaded: list !== undefined, markets: list?.length ?? 0 };
    }),
    markets: async (tenantId, accountId, query) => {
      const account = await accountOf(tenantId, accountId);
      if (!account) return undefined;
      let list = deps.markets.list(account);
      if (!list) {
        await deps.markets.refresh(account);
        list = deps.markets.list(account);
      }
      const q = query?.trim().toUpperCase();
      const items: MarketView[] = (list ?? [])
        .filter((m) => !q || m.symbol.toUpperCase().includes(q))
        .map((m) => ({
          symbol: m.symbol, ...(m.exchangeSymbol !== undefined ? { exchangeSymbol: m.exchangeSymbol } : {}), base: m.base, quote: m.quote,
          status: m.status ?? 'trading', precision: { price: m.tickSize, amount: m.stepSize }, limits: { minQty: m.minQty, maxQty: m.maxQty, minNotional: m.minNotional },
        }));
      return { accountId, exchange: account.exchange, venue: deps.markets.venueName(account), loaded: list !== undefined, items };
    },
    prices: async (tenantId, accountId, symbols) => {
      const account = await accountOf(tenantId, accountId);
      if (!account) return undefined;
      const listed = deps.markets.list(account) ?? [];
      const wanted = symbols && symbols.length > 0 ? symbols : listed.filter((m) => deps.prices.quote(account, m.symbol) !== undefined).map((m) => m.symbol);
      const known = new Set(listed.map((m) => m.symbol));
      const unknown = wanted.filter((s) => !known.has(s));
      const followed = wanted.filter((s) => known.has(s));
      if (symbols && followed.length > 0) await deps.prices.ensure('dashboard', account, followed, deps.maxPriceAgeMs, deps.priceWaitMs);
      const items: AccountPriceView[] = [];
      for (const symbol of followed) {
        const quote = deps.prices.quote(account, symbol);
        if (!quote) continue;
        items.push({
          symbol, price: quote.price, ...(quote.bid !== undefined ? { bid: quote.bid } : {}), ...(quote.ask !== undefined ? { ask: quote.ask } : {}),
          source: quote.source, ageMs: Math.round(quote.ageMs), stale: quote.ageMs > deps.maxPriceAgeMs, time: new Date(quote.receivedAt).toISOString(),
        });
      }
      const status = deps.prices.status(account);
      return {
        accountId, exchange: account.exchange, venue: deps.prices.venueOf(account), maxAgeMs: deps.maxPriceAgeMs,
        connections: status.connections.map((c) => ({ id: c.id, state: c.state, ...(c.lastMessageAt !== undefined ? { lastMessageAt: new Date(c.lastMessageAt).toISOString() } : {}) })),
        items, ...(unknown.length > 0 ? { notListed: unknown } : {}),
      };
    },
  };
}
