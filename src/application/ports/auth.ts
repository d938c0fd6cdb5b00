import type { UserRole } from '../../domain/events.js';

/** Who a request acts for, established from an access token or an API key. */
export interface Principal {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: UserRole;
  readonly via: 'token' | 'api_key';
  /** when the credential stops being valid (epoch ms): access tokens; API keys last until revoked */
  readonly expiresAt?: number;
}

export interface TokenPair {
  readonly accessToken: string;
  /** seconds the access token lives */
  readonly expiresIn: number;
  /** opaque, single use: each refresh returns a new one and retires this one */
  readonly refreshToken: string;
}

export type AuthFailure = 'INVALID_CREDENTIALS' | 'INVALID_TOKEN' | 'TOKEN_EXPIRED' | 'REFRESH_TOKEN_REUSED';

export interface ApiKeyInfo {
  readonly keyId: string;
  readonly name: string;
  readonly createdAt: string;
}

/** Port: logins, tokens and API keys. Passwords and key secrets are only ever stored hashed. */
export interface Auth {
  /** Creates (or replaces the password of) a login for a user. */
  setLogin(username: string, user: { userId: string; tenantId: string; role: UserRole }, password: string): Promise<void>;
  hasLogin(username: string): Promise<boolean>;
  login(username: string, password: string): Promise<TokenPair | AuthFailure>;
  refresh(refreshToken: string): Promise<TokenPair | AuthFailure>;
  /** Retires the refresh token and every token issued from the same login. */
  logout(refreshToken: string): Promise<void>;
  /** From an `Authorization: Bearer …` value (an access token or an API key). */
  authenticate(bearer: string): Promise<Principal | AuthFailure>;
  createApiKey(principal: Principal, name: string): Promise<{ key: string; info: ApiKeyInfo }>;
  listApiKeys(principal: Principal): Promise<ApiKeyInfo[]>;
  revokeApiKey(principal: Principal, keyId: string): Promise<boolean>;
}
