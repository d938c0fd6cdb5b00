import { effectiveFuturesSettings } from '../../domain/accounts/futures-settings.js';
import type { CredentialSource } from '../../application/ports/credentials.js';
import type { TradingView } from '../../application/workflows/trading-state.js';
import { FileCredentialSource, noCredentials } from '../../adapters/credentials/file-credential-source.js';
import { ExchangeMarketLists } from '../../adapters/exchanges/markets/exchange-market-lists.js';
import { AccountPriceHub } from '../../adapters/marketdata/account-price-hub.js';
import { openExchanges, type Exchanges } from '../exchanges.js';
import type { Core } from './core.js';

/** Exchanges, each account's market list and prices on its own exchange. */
export interface Markets {
  readonly exchanges: Exchanges;
  readonly marketLists: ExchangeMarketLists;
  readonly prices: AccountPriceHub;
  /** the account's price of a symbol on its own exchange (undefined: unknown account or no price yet) */
  accountPrice(accountId: string, symbol: string): ReturnType<AccountPriceHub['quote']>;
}

/** Each account trades its own exchange's reality: its market list and its prices. */
export function wireMarkets(core: Core, view: TradingView): Markets {
  const { config, clock, log, kv, vault, feed } = core;
  // exchange credentials: sealed in the vault (set through the API), else the operator's file
  const fileCredentials = config.credentialsFile ? new FileCredentialSource(config.credentialsFile) : noCredentials;
  const credentials: CredentialSource = {
    credentialsFor: async (accountId) => {
      const tenantId = view.account(accountId)?.tenantId;
      return (tenantId !== undefined ? await vault.reveal(tenantId, accountId) : undefined) ?? fileCredentials.credentialsFor(accountId);
    },
  };
  function accountPrice(accountId: string, symbol: string): ReturnType<AccountPriceHub['quote']> {
    const account = view.account(accountId);
    return account ? prices.quote(account, symbol) : undefined;
  }
  const exchanges = openExchanges(config, {
    feed, clock, log, credentials, priceOf: (accountId, symbol) => accountPrice(accountId, symbol)?.price,
    // a swap account's leverage and margin mode as its settings say now (issue 17)
    futuresSettingsOf: (accountId, symbol) => {
      const futures = view.account(accountId)?.futures;
      return futures ? effectiveFuturesSettings(futures, symbol) : undefined;
    },
  });
  const marketLists = new ExchangeMarketLists({ sourceOf: (account) => exchanges.marketListSource(account), kv, clock, log, refreshMs: config.marketData.marketsRefreshMs });
  const prices = new AccountPriceHub({ venueOf: (account) => exchanges.priceVenue(account), clock, log });
  return { exchanges, marketLists, prices, accountPrice };
}
