import type { EventOf, UserRole } from '../events.js';
import { assertNever, type Decider } from '../shared/decider.js';
import { err, ok, type DomainError, type Result } from '../shared/result.js';

/** The `user` stream: a user's registration, then what admins changed about their access. */

export type UserEvent = EventOf<'UserRegistered' | 'UserDisabled' | 'UserEnabled' | 'UserRoleChanged' | 'UserPasswordReset' | 'UserApiKeyRevoked'>;

/** `tenantId`: the tenant of the admin asking (another tenant's user is answered as absent); `by`: the admin's user id. */
export type UserCommand =
  | { readonly type: 'DisableUser'; readonly tenantId: string; readonly by: string }
  | { readonly type: 'EnableUser'; readonly tenantId: string; readonly by: string }
  | { readonly type: 'ChangeUserRole'; readonly tenantId: string; readonly by: string; readonly role: UserRole }
  | { readonly type: 'ResetUserPassword'; readonly tenantId: string; readonly by: string }
  | { readonly type: 'RevokeUserApiKey'; readonly tenantId: string; readonly by: string; readonly keyId: string };

export interface UserState {
  readonly userId?: string;
  readonly tenantId?: string;
  readonly role?: UserRole;
  readonly disabled: boolean;
}

export const initialUserState = (): UserState => ({ disabled: false });

const notFound = (): DomainError => ({ code: 'USER_NOT_FOUND', message: 'no such user' });

/**
 * Disabling a disabled user, enabling an enabled one or giving a user the role they have decides
 * [] (idempotent). An admin cannot disable themselves or change their own role: a tenant is never
 * left without the admin who could undo it.
 */
export function decideUser(command: UserCommand, state: UserState): Result<readonly UserEvent[], DomainError> {
  if (state.userId === undefined || state.tenantId !== command.tenantId) return err(notFound());
  const userId = state.userId;
  const self = command.by === userId;
  switch (command.type) {
    case 'DisableUser':
      if (self) return err({ code: 'CANNOT_CHANGE_OWN_ACCESS', message: 'an admin cannot disable themselves: ask another admin' });
      return ok(state.disabled ? [] : [{ type: 'UserDisabled', data: { userId, by: command.by } }]);
    case 'EnableUser':
      return ok(state.disabled ? [{ type: 'UserEnabled', data: { userId, by: command.by } }] : []);
    case 'ChangeUserRole':
      if (self) return err({ code: 'CANNOT_CHANGE_OWN_ACCESS', message: 'an admin cannot change their own role: ask another admin' });
      return ok(state.role === command.role ? [] : [{ type: 'UserRoleChanged', data: { userId, role: command.role, previousRole: state.role ?? 'viewer', by: command.by } }]);
    case 'ResetUserPassword':
      return ok([{ type: 'UserPasswordReset', data: { userId, by: command.by } }]);
    case 'RevokeUserApiKey':
      return ok([{ type: 'UserApiKeyRevoked', data: { userId, keyId: command.keyId, by: command.by } }]);
    default:
      return assertNever(command);
  }
}

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      return { userId: event.data.userId, tenantId: event.data.tenantId, role: event.data.role, disabled: false };
    case 'UserDisabled':
      return { ...state, disabled: true };
    case 'UserEnabled':
      return { ...state, disabled: false };
    case 'UserRoleChanged':
      return { ...state, role: event.data.role };
    case 'UserPasswordReset':
    case 'UserApiKeyRevoked':
      return state;
    default:
      return assertNever(event);
  }
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: initialUserState,
  decide: decideUser,
  evolve: evolveUser,
};
