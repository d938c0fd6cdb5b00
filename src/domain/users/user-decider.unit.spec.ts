import { describe, expect, it } from 'vitest';
import { decideUser, evolveUser, initialUserState, type UserEvent } from './user-decider.js';

const registered = evolveUser(initialUserState(), { type: 'UserRegistered', data: { userId: 'u1', tenantId: 't1', name: 'U', role: 'trader' } });
const events = (result: ReturnType<typeof decideUser>): readonly UserEvent[] => {
  if (!result.ok) throw new Error(result.error.code);
  return result.value;
};

describe('user decider', () => {
  it("another tenant's admin, or a user that does not exist, is answered USER_NOT_FOUND", () => {
    expect(decideUser({ type: 'DisableUser', tenantId: 't2', by: 'a' }, registered)).toMatchObject({ ok: false, error: { code: 'USER_NOT_FOUND' } });
    expect(decideUser({ type: 'DisableUser', tenantId: 't1', by: 'a' }, initialUserState())).toMatchObject({ ok: false, error: { code: 'USER_NOT_FOUND' } });
  });

  it('disable, enable and role changes are idempotent; an admin cannot disable or demote themselves', () => {
    const disabled = events(decideUser({ type: 'DisableUser', tenantId: 't1', by: 'a' }, registered));
    expect(disabled).toEqual([{ type: 'UserDisabled', data: { userId: 'u1', by: 'a' } }]);
    const state = disabled.reduce(evolveUser, registered);
    expect(events(decideUser({ type: 'DisableUser', tenantId: 't1', by: 'a' }, state))).toEqual([]);
    expect(events(decideUser({ type: 'EnableUser', tenantId: 't1', by: 'a' }, registered))).toEqual([]);
    expect(events(decideUser({ type: 'ChangeUserRole', tenantId: 't1', by: 'a', role: 'trader' }, registered))).toEqual([]);
    expect(events(decideUser({ type: 'ChangeUserRole', tenantId: 't1', by: 'a', role: 'viewer' }, registered))).toEqual([{ type: 'UserRoleChanged', data: { userId: 'u1', role: 'viewer', previousRole: 'trader', by: 'a' } }]);
    expect(decideUser({ type: 'DisableUser', tenantId: 't1', by: 'u1' }, registered)).toMatchObject({ ok: false, error: { code: 'CANNOT_CHANGE_OWN_ACCESS' } });
    expect(decideUser({ type: 'ChangeUserRole', tenantId: 't1', by: 'u1', role: 'admin' }, registered)).toMatchObject({ ok: false, error: { code: 'CANNOT_CHANGE_OWN_ACCESS' } });
    // a password reset records no password
    expect(events(decideUser({ type: 'ResetUserPassword', tenantId: 't1', by: 'u1' }, registered))).toEqual([{ type: 'UserPasswordReset', data: { userId: 'u1', by: 'u1' } }]);
  });
});
