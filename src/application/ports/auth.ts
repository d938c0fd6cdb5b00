import type { UserRole } from '../../domain/events.js';

/** Who a request acts for, established from an access token or an API key. */
export interface Principal {
  readonly userId: string;
  readonly tenantId: string;
  /** the user's role now (not the one the credential was issued with) */
  readonly role: UserRole;
  readonly via: 'token' | 'api_key';
  /** when the credential stops being valid (epoch ms): access tokens, and API keys created with an expiry */
  readonly expiresAt?: number;
}

export interface TokenPair {
  readonly accessToken: string;
  /** seconds the access token lives */
  readonly expiresIn: number;
  /** opaque, single use: each refresh returns a new one and retires this one */
  readonly refreshToken: string;
}

/**
 * INVALID_TOKEN: forged, malformed or unknown; TOKEN_EXPIRED: past its expiry; CREDENTIAL_REVOKED:
 * genuine, but its session was logged out or retired, its user disabled or their password reset.
 */
export type AuthFailure = 'INVALID_CREDENTIALS' | 'INVALID_TOKEN' | 'TOKEN_EXPIRED' | 'REFRESH_TOKEN_REUSED' | 'CREDENTIAL_REVOKED';

export interface ApiKeyInfo {
  readonly keyId: string;
  readonly name: string;
  readonly createdAt: string;
  /** ISO time after which the key is refused; absent: until revoked */
  readonly expiresAt?: string;
}

/** A user's access as authentication sees it (the login name is not in the event log). */
export interface UserAccess {
  readonly userId: string;
  readonly tenantId: string;
  readonly username: string;
  readonly role: UserRole;
  readonly disabled: boolean;
}

/**
 * A password with its hash already under way (a hash takes ~0.25 s off the event loop): start-up
 * begins the demo login's before the stores open, when it will surely be set.
 */
export interface PreparedPassword {
  readonly password: string;
  readonly hash: Promise<string>;
}

/** Port: logins, tokens and API keys. Passwords and key secrets are only ever stored hashed. */
export interface Auth {
  /** Creates (or replaces the password of) a login for a user. Login names are unique per tenant. */
  setLogin(username: string, user: { userId: string; tenantId: string; role: UserRole }, password: string | PreparedPassword): Promise<void>;
  /** Whether the tenant has a login of that name (other tenants' names are never asked about). */
  hasLogin(username: string, tenantId: string): Promise<boolean>;
  /** `tenantId` picks the tenant when a name is used in several (otherwise the password must fit exactly one). */
  login(username: string, password: string, tenantId?: string): Promise<TokenPair | AuthFailure>;
  refresh(refreshToken: string): Promise<TokenPair | AuthFailure>;
  /** Retires the refresh token, every token issued from the same login, and that session's access tokens. */
  logout(refreshToken: string): Promise<void>;
  /** From an `Authorization: Bearer …` value (an access token or an API key), checked against the user's current state. */
  authenticate(bearer: string): Promise<Principal | AuthFailure>;
  /** `expiresAt`: epoch ms after which the key is refused (undefined: until revoked) */
  createApiKey(principal: Principal, name: string, expiresAt?: number): Promise<{ key: string; info: ApiKeyInfo }>;
  listApiKeys(principal: Principal): Promise<ApiKeyInfo[]>;
  revokeApiKey(principal: Principal, keyId: string): Promise<boolean>;

  // administration (admins of the user's tenant; the caller checks the tenant)
  /** The user's access, or undefined when there is no such user. */
  access(userId: string): Promise<UserAccess | undefined>;
  /** Every user of a tenant with a login. */
  accessOfTenant(tenantId: string): Promise<UserAccess[]>;
  /** Disables (every credential refused at once, sessions ended) or enables the user (they log in again). */
  setDisabled(userId: string, disabled: boolean): Promise<void>;
  /** Every credential of the user acts with the new role from now on. */
  setRole(userId: string, role: UserRole): Promise<void>;
  /** A new password; every session of the user ends (API keys stay: revoke them apart). */
  resetPassword(userId: string, password: string): Promise<void>;
  apiKeysOf(userId: string): Promise<ApiKeyInfo[]>;
  /** Revokes a key of this user; false when the user has no such key. */
  revokeApiKeyOf(userId: string, keyId: string): Promise<boolean>;
  /** Called on this node when a user's access changed (streams end at once); returns the unsubscribe function. */
  onAccessChange(listener: (userId: string) => void): () => void;
}
