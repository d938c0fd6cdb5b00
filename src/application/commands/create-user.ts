import type { Auth } from '../ports/auth.js';
import type { EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import type { UserRole } from '../../domain/events.js';
import type { DomainError, Result } from '../../domain/shared/result.js';
import { registerUser } from './configure.js';

export interface CreateUserDeps {
  readonly store: EventStore;
  readonly mutex: KeyedMutex;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly auth: Auth;
}

export interface NewUser {
  readonly username: string;
  readonly name: string;
  readonly role: UserRole;
  readonly password: string;
}

/**
 * An admin adds a user with a login to their tenant: refused when the username is taken in that
 * tenant (names are per tenant);
 * otherwise the user is registered (recorded) and only then given the login.
 */
export async function createUser(deps: CreateUserDeps, tenantId: string, user: NewUser): Promise<Result<{ userId: string; lastPosition: number }, DomainError>> {
  if (await deps.auth.hasLogin(user.username, tenantId)) return { ok: false, error: { code: 'USERNAME_TAKEN', message: `the username ${user.username} is taken` } };
  const userId = deps.ids.next('usr');
  const registered = await registerUser(deps, { userId, tenantId, name: user.name, role: user.role }, 'api:users');
  if (!registered.ok) return registered;
  await deps.auth.setLogin(user.username, { userId, tenantId, role: user.role }, user.password);
  return { ok: true, value: { userId, lastPosition: await deps.store.headPosition() } };
}
