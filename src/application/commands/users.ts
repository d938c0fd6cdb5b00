import type { EventStore } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import type { Auth, UserAccess } from '../ports/auth.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import { streams, type UserRole } from '../../domain/events.js';
import { userDecider, type UserCommand } from '../../domain/users/user-decider.js';
import { err, ok, type DomainError, type Result } from '../../domain/shared/result.js';
import { handleCommand } from './command-handler.js';

export interface UserAdminDeps {
  readonly store: EventStore;
  readonly mutex: KeyedMutex;
  readonly clock: Clock;
  readonly auth: Auth;
}

/** What an admin can change about a user of their tenant. */
export type UserChange =
  | { readonly kind: 'disable' }
  | { readonly kind: 'enable' }
  | { readonly kind: 'role'; readonly role: UserRole }
  | { readonly kind: 'password'; readonly password: string };

const notFound = (): DomainError => ({ code: 'USER_NOT_FOUND', message: 'no such user' });

function commandOf(change: UserChange, tenantId: string, by: string): UserCommand {
  switch (change.kind) {
    case 'disable':
      return { type: 'DisableUser', tenantId, by };
    case 'enable':
      return { type: 'EnableUser', tenantId, by };
    case 'role':
      return { type: 'ChangeUserRole', tenantId, by, role: change.role };
    case 'password':
      return { type: 'ResetUserPassword', tenantId, by };
  }
}

/** The user, when they belong to this tenant; another tenant's user is answered as absent. */
async function userOfTenant(deps: UserAdminDeps, tenantId: string, userId: string): Promise<UserAccess | undefined> {
  const access = await deps.auth.access(userId);
  return access?.tenantId === tenantId ? access : undefined;
}

/**
 * An admin's change of a user's access: decided against the user's stream (recorded for the
 * audit: who changed what, never a password), then applied to authentication, where it takes
 * effect on the next request of every credential of the user. Applying is idempotent, so a
 * change whose decision was recorded but not applied (a crash between) is completed by repeating it.
 */
export async function changeUser(
  deps: UserAdminDeps,
  tenantId: string,
  by: string,
  userId: string,
  change: UserChange,
): Promise<Result<{ access: UserAccess; lastPosition?: number }, DomainError>> {
  if (!(await userOfTenant(deps, tenantId, userId))) return err(notFound());
  const decided = await handleCommand(deps.store, deps.mutex, userDecider, streams.user(userId), commandOf(change, tenantId, by), () => ({
    tenantId, time: new Date(deps.clock.now()).toISOString(), causationId: `api:users:${by}`,
  }));
  if (!decided.ok) return decided;
  switch (change.kind) {
    case 'disable':
    case 'enable':
      await deps.auth.setDisabled(userId, change.kind === 'disable');
      break;
    case 'role':
      await deps.auth.setRole(userId, change.role);
      break;
    case 'password':
      await deps.auth.resetPassword(userId, change.password);
      break;
  }
  const access = (await deps.auth.access(userId))!;
  return ok({ access, ...(decided.value.lastPosition !== undefined ? { lastPosition: decided.value.lastPosition } : {}) });
}

/** Revokes an API key of a user of this tenant (recorded for the audit). */
export async function revokeUserApiKey(deps: UserAdminDeps, tenantId: string, by: string, userId: string, keyId: string): Promise<Result<{ lastPosition?: number }, DomainError>> {
  if (!(await userOfTenant(deps, tenantId, userId))) return err(notFound());
  if (!(await deps.auth.apiKeysOf(userId)).some((k) => k.keyId === keyId)) return err({ code: 'API_KEY_NOT_FOUND', message: 'no such API key' });
  const decided = await handleCommand(deps.store, deps.mutex, userDecider, streams.user(userId), { type: 'RevokeUserApiKey', tenantId, by, keyId }, () => ({
    tenantId, time: new Date(deps.clock.now()).toISOString(), causationId: `api:users:${by}`,
  }));
  if (!decided.ok) return decided;
  await deps.auth.revokeApiKeyOf(userId, keyId);
  return ok(decided.value.lastPosition !== undefined ? { lastPosition: decided.value.lastPosition } : {});
}

/** The API keys of a user of this tenant (never the keys themselves); undefined: no such user here. */
export async function apiKeysOfUser(deps: UserAdminDeps, tenantId: string, userId: string) {
  if (!(await userOfTenant(deps, tenantId, userId))) return undefined;
  return deps.auth.apiKeysOf(userId);
}
