import type { EventStore } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import type { ExchangeCredentials } from '../ports/credentials.js';
import type { CredentialHint, CredentialVault } from '../ports/credential-vault.js';
import { streams } from '../../domain/events.js';
import type { AccountConfig } from '../../domain/accounts/account.js';

type Deps = { readonly store: EventStore; readonly vault: CredentialVault; readonly clock: Clock };

/** What an exchange says a key may do (a port: the exchange adapters answer it). */
export interface KeyPermissions {
  /**
   * Whether the key may withdraw funds: true / false, or undefined when the exchange cannot tell
   * (no such report, or no answer). Throws when the exchange refuses the key.
   */
  withdrawalsEnabled(account: AccountConfig, credentials: ExchangeCredentials): Promise<boolean | undefined>;
}

export type SetCredentialsDeps = Deps & {
  readonly keys: KeyPermissions;
  /** the account (undefined for one not known here yet: its key cannot be asked about) */
  readonly account: (accountId: string) => AccountConfig | undefined;
  /** folds what the log holds now (an account opened a moment ago, perhaps on another node) */
  readonly catchUp?: () => Promise<void>;
};

export type SetCredentialsOutcome = { readonly refused: { readonly code: string; readonly message: string } } | { readonly hint: CredentialHint; readonly lastPosition?: number };

/**
 * The rule for an account's exchange key: PATRIOT only trades, so a key its exchange reports as
 * able to withdraw funds is refused (WITHDRAWAL_ENABLED_KEY), as is a key the exchange refuses
 * (EXCHANGE_REFUSED_KEY); nothing is stored then. Otherwise the key is sealed and recorded.
 */
export async function setCheckedAccountCredentials(deps: SetCredentialsDeps, tenantId: string, accountId: string, credentials: ExchangeCredentials): Promise<SetCredentialsOutcome> {
  // an account opened a moment ago on another node is folded first: its key is checked, never waved through
  if (!deps.account(accountId)) await deps.catchUp?.();
  const account = deps.account(accountId);
  if (account) {
    let canWithdraw: boolean | undefined;
    try {
      canWithdraw = await deps.keys.withdrawalsEnabled(account, credentials);
    } catch (error) {
      return { refused: { code: 'EXCHANGE_REFUSED_KEY', message: error instanceof Error ? error.message : 'the exchange refused this API key' } };
    }
    if (canWithdraw === true) {
      return { refused: { code: 'WITHDRAWAL_ENABLED_KEY', message: 'the exchange reports that this API key can withdraw funds: create a key with trading permission only' } };
    }
  }
  return setAccountCredentials(deps, tenantId, accountId, credentials);
}

const changed = (deps: Deps, tenantId: string, accountId: string, data: { apiKeyHint?: string; removed: boolean }) =>
  deps.store.append({
    streamId: streams.account(accountId),
    expectedVersion: 'any',
    events: [{ type: 'AccountCredentialsChanged', data: { accountId, ...data } }],
    metadata: { tenantId, time: new Date(deps.clock.now()).toISOString(), causationId: 'api:credentials' },
  });

/**
 * Seals the account's exchange credentials in the vault, then records that they changed (with
 * the key's hint only), so every node drops the exchange client holding the old ones.
 */
export async function setAccountCredentials(deps: Deps, tenantId: string, accountId: string, credentials: ExchangeCredentials): Promise<{ hint: CredentialHint; lastPosition?: number }> {
  const hint = await deps.vault.put(tenantId, accountId, credentials, new Date(deps.clock.now()).toISOString());
  const result = await changed(deps, tenantId, accountId, { apiKeyHint: hint.apiKeyHint, removed: false });
  return { hint, ...(result.kind === 'appended' ? { lastPosition: result.lastPosition } : {}) };
}

/** Removes the account's credentials; false when there were none. */
export async function removeAccountCredentials(deps: Deps, tenantId: string, accountId: string): Promise<{ removed: boolean; lastPosition?: number }> {
  if (!(await deps.vault.remove(tenantId, accountId))) return { removed: false };
  const result = await changed(deps, tenantId, accountId, { removed: true });
  return { removed: true, ...(result.kind === 'appended' ? { lastPosition: result.lastPosition } : {}) };
}
