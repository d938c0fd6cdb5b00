/** Port: where an exchange account's API credentials come from. Secrets: never log, never return. */
export interface ExchangeCredentials {
  readonly apiKey: string;
  readonly secret: string;
  /** some exchanges (OKX) also need a passphrase */
  readonly password?: string;
}

export interface CredentialSource {
  /** The account's credentials, read when needed (callers keep them only as long as they use them); undefined when none are configured. */
  credentialsFor(accountId: string): Promise<ExchangeCredentials | undefined>;
}
