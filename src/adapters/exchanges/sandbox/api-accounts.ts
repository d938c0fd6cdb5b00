import type { InitialBalance } from '../paper/paper-exchange.js';

/** One API key of the sandbox: its HMAC secret and the paper account it trades. */
export interface SandboxApiAccount {
  readonly apiKey: string;
  readonly secret: string;
  readonly accountId: string;
  /** Starting balances, applied once when the paper account is first created. */
  readonly balances?: readonly InitialBalance[];
  /** What /sapi/v1/account/apiRestrictions reports (default false: a trade-only key). */
  readonly enableWithdrawals?: boolean;
}

export interface ApiCredential {
  readonly secret: string;
  readonly accountId: string;
  readonly enableWithdrawals: boolean;
}

const API_KEY = /^[A-Za-z0-9]{1,128}$/;

/** API keys by value. Secrets never leave this object except to verify a signature. */
export class ApiKeyRegistry {
  private readonly byKey = new Map<string, ApiCredential>();

  constructor(accounts: readonly SandboxApiAccount[]) {
    for (const account of accounts) {
      if (typeof account.apiKey !== 'string' || !API_KEY.test(account.apiKey)) throw new TypeError('apiKey must be 1-128 letters or digits');
      if (typeof account.secret !== 'string' || account.secret.length === 0) throw new TypeError(`secret of API key ${account.apiKey} must be a non-empty string`);
      if (typeof account.accountId !== 'string' || account.accountId.length === 0) throw new TypeError(`accountId of API key ${account.apiKey} must be a non-empty string`);
      if (this.byKey.has(account.apiKey)) throw new Error(`duplicate API key ${account.apiKey}`);
      this.byKey.set(account.apiKey, { secret: account.secret, accountId: account.accountId, enableWithdrawals: account.enableWithdrawals === true });
    }
  }

  lookup(apiKey: string | undefined): ApiCredential | undefined {
    return apiKey === undefined ? undefined : this.byKey.get(apiKey);
  }

  /** True when the header value is shaped like an API key (Binance answers -2014 otherwise). */
  static wellFormed(apiKey: string | undefined): apiKey is string {
    return apiKey !== undefined && API_KEY.test(apiKey);
  }
}
