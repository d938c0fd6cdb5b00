import type { EventStore } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import type { ExchangeCredentials } from '../ports/credentials.js';
import type { CredentialHint, CredentialVault } from '../ports/credential-vault.js';
import { streams } from '../../domain/events.js';

type Deps = { readonly store: EventStore; readonly vault: CredentialVault; readonly clock: Clock };

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
