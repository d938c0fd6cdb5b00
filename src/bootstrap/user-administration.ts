import type { HttpDeps } from '../http/deps.js';
import { apiKeysOfUser, changeUser, revokeUserApiKey, type UserAdminDeps } from '../application/commands/users.js';

/** Admins' changes of their tenant's users, for the HTTP layer. */
export function userAdministration(deps: UserAdminDeps): HttpDeps['users'] {
  return {
    change: (tenantId, by, userId, change) => changeUser(deps, tenantId, by, userId, change),
    revokeApiKey: (tenantId, by, userId, keyId) => revokeUserApiKey(deps, tenantId, by, userId, keyId),
    apiKeys: (tenantId, userId) => apiKeysOfUser(deps, tenantId, userId),
  };
}
