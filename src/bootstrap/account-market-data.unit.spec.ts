import { describe, expect, it } from 'vitest';
import { accountMarketData } from './account-market-data.js';
import { PAPER_MARKETS } from '../adapters/exchanges/paper/markets.js';
import type { AccountConfig } from '../domain/accounts/account.js';
import type { AccountMarkets } from '../application/ports/account-markets.js';
import type { AccountPrices } from '../application/ports/account-prices.js';

const account: AccountConfig = { accountId: 'acc_new', tenantId: 'tnt', name: 'new', exchange: 'paper', quoteAsset: 'USDT', initialBalances: [], risk: {} };
const markets: AccountMarkets = { list: () => PAPER_MARKETS, market: (_a, s) => PAPER_MARKETS.find((m) => m.symbol === s), refresh: async () => undefined, venueName: () => 'the paper exchange' };
const prices = {
  quote: () => undefined, follow: () => undefined, ensure: async () => undefined, onQuote: () => () => undefined, venueOf: () => 'synthetic',
  status: () => ({ source: 'synthetic', connections: [] }),
} as unknown as AccountPrices;

describe('account market data', () => {
  it('an account this node has not folded yet (opened a moment ago on another node) is looked for in the log before a 404', async () => {
    let folded: AccountConfig | undefined;
    let catchUps = 0;
    const data = accountMarketData({
      account: (tenantId, accountId) => (folded?.tenantId === tenantId && folded.accountId === accountId ? folded : undefined),
      accounts: () => (folded ? [folded] : []),
      catchUp: async () => {
        catchUps++;
        folded = account; // what the other node wrote, folded now
      },
      markets, prices, maxPriceAgeMs: 5000, priceWaitMs: 0,
    });
    expect((await data.markets('tnt', 'acc_new'))?.items.length).toBe(PAPER_MARKETS.length);
    expect(catchUps).toBe(1);
    expect(await data.prices('tnt', 'acc_new')).toMatchObject({ accountId: 'acc_new' });
    expect(catchUps).toBe(1); // known now: no more look-ups
    expect(await data.markets('other', 'acc_new')).toBeUndefined(); // another tenant's: still unknown
  });
});
