import type { ExchangeCredentials } from './credentials.js';

/** What may be shown of stored credentials: never the secret, only a hint of the key. */
export interface CredentialHint {
  readonly accountId: string;
  /** the API key's last four characters, e.g. "••••3f9A" */
  readonly apiKeyHint: string;
  readonly hasPassword: boolean;
  readonly updatedAt: string;
}

/** Port: exchange credentials kept encrypted at rest, per tenant and account. */
export interface CredentialVault {
  put(tenantId: string, accountId: string, credentials: ExchangeCredentials, at: string): Promise<CredentialHint>;
  hint(tenantId: string, accountId: string): Promise<CredentialHint | undefined>;
  remove(tenantId: string, accountId: string): Promise<boolean>;
  /** Decrypts for the exchange client only; never to be returned or logged. */
  reveal(tenantId: string, accountId: string): Promise<ExchangeCredentials | undefined>;
}
