import type { Logger } from '../../../application/ports/logger.js';
import type { KeyPermissions } from '../../../application/commands/credentials.js';

/**
 * What an exchange says an API key may do, asked through ccxt with the key itself (never kept:
 * the client's copy is cleared after the one request). Binance spot reports it
 * (sapi/v1/account/apiRestrictions); other exchanges cannot tell (undefined).
 */
export function ccxtKeyPermissions(deps: { readonly log: Logger; readonly urlsFor: (exchangeId: string) => Record<string, unknown> | undefined }): KeyPermissions {
  return {
    withdrawalsEnabled: async (account, credentials) => {
      if (account.exchange !== 'binance' || (account.marketType ?? 'spot') !== 'spot') return undefined;
      const { default: ccxt } = await import('ccxt');
      const urls = deps.urlsFor('binance');
      const client = new ccxt.binance({
        apiKey: credentials.apiKey, secret: credentials.secret, enableRateLimit: false, timeout: 10_000,
        ...(urls ? { urls: { api: urls } } : {}), options: { fetchCurrencies: false, fetchMarkets: { types: ['spot'] }, defaultType: 'spot' },
      });
      try {
        const answer = (await client.sapiGetAccountApiRestrictions()) as { enableWithdrawals?: unknown };
        return typeof answer.enableWithdrawals === 'boolean' ? answer.enableWithdrawals : undefined;
      } catch (error) {
        if (error instanceof ccxt.AuthenticationError || error instanceof ccxt.PermissionDenied) throw new Error('the exchange refused this API key');
        deps.log.warn({ accountId: account.accountId, reason: error instanceof Error ? error.constructor.name : 'error' }, 'could not ask the exchange what the API key may do; accepting it');
        return undefined;
      } finally {
        client.apiKey = '';
        client.secret = '';
      }
    },
  };
}
