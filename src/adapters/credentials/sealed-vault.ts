import type { KeyValueStore } from '../../application/ports/key-value.js';
import type { ExchangeCredentials } from '../../application/ports/credentials.js';
import type { CredentialHint, CredentialVault } from '../../application/ports/credential-vault.js';
import { isSealed, open, rewrap, seal, type Kek, type Sealed } from '../crypto/envelope.js';

/** The master keys: the one new values are sealed with, and every one that may still be in use. */
export interface Keyring {
  readonly current: Kek;
  readonly all: ReadonlyMap<string, Kek>;
}

interface Stored {
  readonly sealed: Sealed;
  readonly hint: CredentialHint;
}

const PREFIX = 'exchange-credentials/';
const keyOf = (tenantId: string, accountId: string) => `${PREFIX}${tenantId}/${accountId}`;
/** Binds a sealed value to its tenant and account: moved anywhere else, it does not decrypt. */
const contextOf = (tenantId: string, accountId: string) => `${tenantId}|${accountId}|exchange-credentials`;
const mask = (apiKey: string) => `••••${apiKey.slice(-4)}`;

/**
 * Exchange credentials sealed with envelope encryption (AES-256-GCM, a data key per credential
 * wrapped by the master key, tenant and account bound as associated data), kept in the settings
 * store. Only a masked hint is ever returned; `reveal` is for the exchange client.
 */
export class SealedCredentialVault implements CredentialVault {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly keys: Keyring,
  ) {}

  async put(tenantId: string, accountId: string, credentials: ExchangeCredentials, at: string): Promise<CredentialHint> {
    const hint: CredentialHint = { accountId, apiKeyHint: mask(credentials.apiKey), hasPassword: credentials.password !== undefined, updatedAt: at };
    const plaintext = JSON.stringify({ apiKey: credentials.apiKey, secret: credentials.secret, ...(credentials.password !== undefined ? { password: credentials.password } : {}) });
    const stored: Stored = { sealed: seal(this.keys.current, plaintext, contextOf(tenantId, accountId)), hint };
    await this.kv.set(keyOf(tenantId, accountId), JSON.stringify(stored));
    return hint;
  }

  async hint(tenantId: string, accountId: string): Promise<CredentialHint | undefined> {
    return (await this.read(tenantId, accountId))?.hint;
  }

  async remove(tenantId: string, accountId: string): Promise<boolean> {
    return this.kv.delete(keyOf(tenantId, accountId));
  }

  async reveal(tenantId: string, accountId: string): Promise<ExchangeCredentials | undefined> {
    const stored = await this.read(tenantId, accountId);
    if (!stored) return undefined;
    const parsed = JSON.parse(open(this.keys.all, stored.sealed, contextOf(tenantId, accountId))) as ExchangeCredentials;
    return { apiKey: parsed.apiKey, secret: parsed.secret, ...(parsed.password !== undefined ? { password: parsed.password } : {}) };
  }

  /**
   * Re-wraps every credential sealed under an older master key with the current one (the data
   * itself is not re-encrypted). Safe beside running servers: they hold both keys meanwhile, and
   * a value changed concurrently is left as its writer sealed it (compare-and-set).
   */
  async rotate(): Promise<{ rewrapped: number; alreadyCurrent: number; changedMeanwhile: number }> {
    const counts = { rewrapped: 0, alreadyCurrent: 0, changedMeanwhile: 0 };
    for (const [key, raw] of await this.kv.entries(PREFIX)) {
      const stored = JSON.parse(raw) as Stored;
      if (stored.sealed.kek === this.keys.current.id) {
        counts.alreadyCurrent++;
        continue;
      }
      const [tenantId, accountId] = key.slice(PREFIX.length).split('/') as [string, string];
      const next: Stored = { ...stored, sealed: rewrap(this.keys.all, this.keys.current, stored.sealed, contextOf(tenantId, accountId)) };
      if (await this.kv.compareAndSet(key, raw, JSON.stringify(next))) counts.rewrapped++;
      else counts.changedMeanwhile++;
    }
    return counts;
  }

  private async read(tenantId: string, accountId: string): Promise<Stored | undefined> {
    const raw = await this.kv.get(keyOf(tenantId, accountId));
    if (raw === undefined) return undefined;
    const stored = JSON.parse(raw) as Stored;
    if (!isSealed(stored.sealed)) throw new Error(`stored credentials of account ${accountId} are not in a known format`);
    return stored;
  }
}
