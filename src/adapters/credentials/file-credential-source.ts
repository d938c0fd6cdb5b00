import { readFile } from 'node:fs/promises';
import type { CredentialSource, ExchangeCredentials } from '../../application/ports/credentials.js';

/**
 * Exchange credentials from a JSON file the operator controls (`PATRIOT_CREDENTIALS_FILE`):
 *
 *   { "acc_binance_1": { "apiKey": "...", "secret": "...", "password": "..." } }
 *
 * Read on every call and not cached, so a rotated key is picked up and nothing lingers here.
 * Errors name the file and the account, never a value.
 */
export class FileCredentialSource implements CredentialSource {
  constructor(private readonly path: string) {}

  async credentialsFor(accountId: string): Promise<ExchangeCredentials | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.path, 'utf8'));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'not valid JSON';
      throw new Error(`credentials file ${this.path} cannot be read (${reason})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`credentials file ${this.path} must hold a JSON object keyed by account id`);
    const entry = (parsed as Record<string, unknown>)[accountId];
    if (entry === undefined) return undefined;
    const e = entry as Record<string, unknown>;
    if (typeof e.apiKey !== 'string' || typeof e.secret !== 'string' || e.apiKey === '' || e.secret === '' || (e.password !== undefined && typeof e.password !== 'string')) {
      throw new Error(`credentials of account ${accountId} in ${this.path} need non-empty "apiKey" and "secret" strings (and an optional "password")`);
    }
    return { apiKey: e.apiKey, secret: e.secret, ...(typeof e.password === 'string' ? { password: e.password } : {}) };
  }
}

/** No credentials configured: every ccxt account is unusable until they are. */
export const noCredentials: CredentialSource = { credentialsFor: async () => undefined };
