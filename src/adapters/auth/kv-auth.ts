import { createHash, createHmac, randomBytes, timingSafeEqual, webcrypto } from 'node:crypto';
import { hash as bcryptHash, verify as bcryptVerify } from '@node-rs/bcrypt';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { KeyValueStore } from '../../application/ports/key-value.js';
import type { ApiKeyInfo, Auth, AuthFailure, PreparedPassword, Principal, TokenPair, UserAccess } from '../../application/ports/auth.js';
import type { Clock } from '../../application/ports/clock.js';
import type { UserRole } from '../../domain/events.js';
import { UserRecords, type UserRecord } from './user-records.js';
import { VerifiedTokens } from './verified-tokens.js';

export interface KvAuthOptions {
  readonly kv: KeyValueStore;
  readonly clock: Clock;
  /** 32+ bytes; HS256 signing key of access tokens (shared by every node) */
  readonly signingKey: Buffer;
  /** default 900 s */
  readonly accessTokenSeconds?: number;
  /** default 30 days */
  readonly refreshTokenSeconds?: number;
  /** bcrypt cost, default 12 */
  readonly bcryptCost?: number;
  /**
   * How long a user's state and a session's standing read from the store are trusted (default
   * 1000 ms). A change made on this node takes effect at once; one made on another node within this.
   */
  readonly cacheMs?: number;
}

interface Login {
  readonly userId: string;
  readonly tenantId: string;
  /** the role when the login was created (the user record holds the current one) */
  readonly role: UserRole;
  readonly passwordHash: string;
}

interface RefreshRecord {
  readonly username: string;
  readonly userId?: string;
  readonly family: string;
  readonly expiresAt: number;
  readonly used: boolean;
  /** the user's credential generation when issued: a password reset or a disable moves it on */
  readonly generation?: number;
}

interface ApiKeyRecord extends ApiKeyInfo {
  readonly userId: string;
  readonly tenantId: string;
  /** the creator's role then (ignored: a key acts with its user's current role) */
  readonly role: UserRole;
  readonly secretHash: string;
}

const ISSUER = 'patriot';
const AUDIENCE = 'patriot-api';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/**
 * A login is per tenant: `auth/login/<name>/<tenantId>` (a name cannot hold `/`), so every login of
 * one name is a prefix scan and tenants pick names without learning about each other's.
 */
const LOGIN_PREFIX = 'auth/login/';
const loginKey = (username: string, tenantId: string) => `${LOGIN_PREFIX}${username}/${tenantId}`;
const loginsOf = (username: string) => `${LOGIN_PREFIX}${username}/`;
const familyKey = (family: string) => `auth/retired-family/${family}`;

/** Begins hashing a password now (bcrypt's worker thread), for a `setLogin` later. */
export function preparePassword(password: string, cost = 12): PreparedPassword {
  const hash = bcryptHash(password, cost);
  hash.catch(() => undefined); // awaited by setLogin; not an unhandled rejection if never used
  return { password, hash };
}

/**
 * Logins, tokens and API keys in the settings store. Passwords: bcrypt (cost 12). Access tokens:
 * HS256 JWTs (algorithm pinned on verify, expiry, issuer and audience required) naming their
 * session (`sid`) and the user's credential generation (`gen`). Refresh tokens: opaque random
 * values stored as SHA-256, single use and rotated; presenting a used one again retires its whole
 * session. API keys: `pk_<id>_<secret>`, stored as the SHA-256 of the secret, shown once, with an
 * optional expiry.
 *
 * Every credential is checked against its user's current state on every use: a disabled user, a
 * retired session (logout, reuse detected) or a generation moved on (password reset, disable) is
 * refused, and a credential acts with the user's current role.
 */
export class KvAuth implements Auth {
  private readonly key: Uint8Array;
  /** the key imported once: given raw bytes, jose imports them again on every sign and verify (~0.1 ms per request) */
  private imported: Promise<webcrypto.CryptoKey> | undefined;
  /** a real hash to check against when the user does not exist, so timing does not tell which usernames exist */
  private dummyHash: Promise<string> | undefined;
  private readonly users: UserRecords;
  /** tokens verified before (their time window is checked at every use) */
  private readonly verified = new VerifiedTokens();
  /** sessions known retired (for good) or known alive at a time */
  private readonly sessions = new Map<string, { readonly retired: boolean; readonly readAt: number }>();
  private readonly listeners = new Set<(userId: string) => void>();

  constructor(private readonly options: KvAuthOptions) {
    if (options.signingKey.length < 32) throw new RangeError('the token signing key must be at least 32 bytes');
    this.key = new Uint8Array(options.signingKey);
    this.users = new UserRecords(options.kv, () => this.now, options.cacheMs ?? 1000);
  }

  private hmacKey(): Promise<webcrypto.CryptoKey> {
    return (this.imported ??= webcrypto.subtle.importKey('raw', this.key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']));
  }

  private get now(): number {
    return this.options.clock.now();
  }

  private get cacheMs(): number {
    return this.options.cacheMs ?? 1000;
  }

  async setLogin(username: string, user: { userId: string; tenantId: string; role: UserRole }, password: string | PreparedPassword): Promise<void> {
    const passwordHash = typeof password === 'string' ? await bcryptHash(password, this.options.bcryptCost ?? 12) : await password.hash;
    const login: Login = { ...user, passwordHash };
    await this.options.kv.set(loginKey(username, user.tenantId), JSON.stringify(login));
    // a new login starts enabled with the given role; setting the password again keeps what admins changed
    await this.users.upsert(user.userId, (current) => current ?? { username, tenantId: user.tenantId, role: user.role, disabled: false, generation: 0 });
  }

  async hasLogin(username: string, tenantId: string): Promise<boolean> {
    return (await this.options.kv.get(loginKey(username, tenantId))) !== undefined;
  }

  /**
   * At start-up, idempotent, safe with several nodes at once: moves logins made when names were
   * global (`auth/login/<name>`) to their tenant's key, and gives every login made before users
   * could be revoked its user record.
   */
  async migrate(): Promise<number> {
    let created = 0;
    const kv = this.options.kv;
    for (const [key, raw] of await kv.entries(LOGIN_PREFIX)) {
      const rest = key.slice(LOGIN_PREFIX.length);
      const login = JSON.parse(raw) as Login;
      const username = rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : rest;
      if (!rest.includes('/')) {
        // the new row first (a node that already moved it wins), then the old one goes
        await kv.setIfAbsent(loginKey(username, login.tenantId), raw);
        await kv.delete(key);
      }
      await this.users.upsert(login.userId, (current) => {
        if (current) return current;
        created++;
        return { username, tenantId: login.tenantId, role: login.role, disabled: false, generation: 0 };
      });
    }
    return created;
  }

  /**
   * The password is tried against every login of that name (one per tenant that uses it; `tenantId`
   * narrows them to one) and succeeds when exactly one enabled user has it. Every failure reads the
   * same: no such name, a wrong password, a disabled user, or the same password in two tenants
   * (then `tenantId` is needed). A name nobody has still costs one bcrypt check.
   */
  async login(username: string, password: string, tenantId?: string): Promise<TokenPair | AuthFailure> {
    if (username.includes('/') || username.includes('\u0000')) return 'INVALID_CREDENTIALS'; // no login has such a name (and PostgreSQL text cannot hold NUL)
    const logins = (await this.options.kv.entries(loginsOf(username)))
      .map(([, raw]) => JSON.parse(raw) as Login)
      .filter((l) => tenantId === undefined || l.tenantId === tenantId);
    this.dummyHash ??= bcryptHash(randomBytes(16).toString('hex'), this.options.bcryptCost ?? 12);
    const hashes = logins.length > 0 ? logins.map((l) => l.passwordHash) : [await this.dummyHash];
    const verdicts = await Promise.all(hashes.map((h) => bcryptVerify(password, h)));
    const matching = logins.filter((_, i) => verdicts[i]);
    const enabled: { login: Login; user: UserRecord }[] = [];
    for (const login of matching) {
      const user = await this.users.fresh(login.userId);
      // a disabled user is answered like a wrong password: the answer does not confirm the password
      if (user && !user.disabled && user.tenantId === login.tenantId) enabled.push({ login, user });
    }
    if (enabled.length !== 1) return 'INVALID_CREDENTIALS';
    const [{ login, user }] = enabled as [{ login: Login; user: UserRecord }];
    return this.issue(username, login.userId, user, randomBytes(16).toString('hex'));
  }

  async refresh(refreshToken: string): Promise<TokenPair | AuthFailure> {
    const key = `auth/refresh/${sha256(refreshToken)}`;
    const raw = await this.options.kv.get(key);
    if (raw === undefined) return 'INVALID_TOKEN';
    const record = JSON.parse(raw) as RefreshRecord;
    if (record.used) {
      await this.retireFamily(record.family, record.userId);
      return 'REFRESH_TOKEN_REUSED';
    }
    if (record.expiresAt <= this.now) return 'TOKEN_EXPIRED';
    // single use: only one of two concurrent refreshes wins
    if (!(await this.options.kv.compareAndSet(key, raw, JSON.stringify({ ...record, used: true })))) {
      await this.retireFamily(record.family, record.userId);
      return 'REFRESH_TOKEN_REUSED';
    }
    // refresh tokens from before sessions named their user cannot tell which tenant's login: log in again
    if (record.userId === undefined || (await this.familyRetired(record.family, true))) return 'INVALID_TOKEN';
    const user = await this.users.fresh(record.userId);
    if (!user || (await this.options.kv.get(loginKey(user.username, user.tenantId))) === undefined) return 'INVALID_TOKEN';
    if (user.disabled || (record.generation ?? 0) !== user.generation) return 'CREDENTIAL_REVOKED';
    return this.issue(record.username, record.userId, user, record.family);
  }

  async logout(refreshToken: string): Promise<void> {
    const raw = await this.options.kv.get(`auth/refresh/${sha256(refreshToken)}`);
    if (raw === undefined) return;
    const record = JSON.parse(raw) as RefreshRecord;
    await this.retireFamily(record.family, record.userId);
  }

  async authenticate(bearer: string): Promise<Principal | AuthFailure> {
    if (bearer.startsWith('pk_')) return this.apiKey(bearer);
    const now = this.now;
    let payload = this.verified.get(bearer, Math.floor(now / 1000));
    if (payload === undefined) {
      try {
        ({ payload } = await jwtVerify(bearer, await this.hmacKey(), {
          algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp', 'iat', 'sub'], currentDate: new Date(now),
        }));
      } catch (error) {
        return error instanceof joseErrors.JWTExpired ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN';
      }
      this.verified.keep(bearer, payload);
    }
    const { sub, tid, sid, gen, exp } = payload as { sub?: unknown; tid?: unknown; sid?: unknown; gen?: unknown; exp?: number };
    if (typeof sub !== 'string' || typeof tid !== 'string') return 'INVALID_TOKEN';
    const user = await this.users.cached(sub);
    if (!user || user.tenantId !== tid) return 'INVALID_TOKEN';
    if (user.disabled || (typeof gen === 'number' ? gen : 0) !== user.generation) return 'CREDENTIAL_REVOKED';
    // tokens issued before sessions were named (no sid) live out their 15 minutes
    if (typeof sid === 'string' && (await this.familyRetired(sid, false))) return 'CREDENTIAL_REVOKED';
    return { userId: sub, tenantId: tid, role: user.role, via: 'token', ...(typeof exp === 'number' ? { expiresAt: exp * 1000 } : {}) };
  }

  async createApiKey(principal: Principal, name: string, expiresAt?: number): Promise<{ key: string; info: ApiKeyInfo }> {
    const keyId = randomBytes(6).toString('hex');
    const secret = randomBytes(24).toString('base64url');
    const info: ApiKeyInfo = { keyId, name, createdAt: new Date(this.now).toISOString(), ...(expiresAt !== undefined ? { expiresAt: new Date(expiresAt).toISOString() } : {}) };
    const record: ApiKeyRecord = { ...info, userId: principal.userId, tenantId: principal.tenantId, role: principal.role, secretHash: sha256(secret) };
    await this.options.kv.set(`auth/apikey/${keyId}`, JSON.stringify(record));
    return { key: `pk_${keyId}_${secret}`, info };
  }

  async listApiKeys(principal: Principal): Promise<ApiKeyInfo[]> {
    return (await this.keyRecords()).filter((r) => r.userId === principal.userId && r.tenantId === principal.tenantId).map(infoOf);
  }

  async revokeApiKey(principal: Principal, keyId: string): Promise<boolean> {
    const record = await this.keyRecord(keyId);
    if (!record || record.userId !== principal.userId || record.tenantId !== principal.tenantId) return false; // another user's: as if absent
    return this.deleteKey(record);
  }

  async access(userId: string): Promise<UserAccess | undefined> {
    const user = await this.users.fresh(userId);
    return user ? accessOf(userId, user) : undefined;
  }

  async accessOfTenant(tenantId: string): Promise<UserAccess[]> {
    return (await this.users.all()).filter(([, u]) => u.tenantId === tenantId).map(([userId, u]) => accessOf(userId, u));
  }

  async setDisabled(userId: string, disabled: boolean): Promise<void> {
    // disabling moves the generation on: enabling again does not bring old sessions back
    await this.users.upsert(userId, (u) => (u ? { ...u, disabled, generation: disabled && !u.disabled ? u.generation + 1 : u.generation } : u));
    this.changed(userId);
  }

  async setRole(userId: string, role: UserRole): Promise<void> {
    await this.users.upsert(userId, (u) => (u ? { ...u, role } : u));
    this.changed(userId);
  }

  async resetPassword(userId: string, password: string): Promise<void> {
    const user = await this.users.fresh(userId);
    if (!user) return;
    const raw = await this.options.kv.get(loginKey(user.username, user.tenantId));
    if (raw === undefined) return;
    const login = JSON.parse(raw) as Login;
    await this.options.kv.set(loginKey(user.username, user.tenantId), JSON.stringify({ ...login, passwordHash: await bcryptHash(password, this.options.bcryptCost ?? 12) }));
    await this.users.upsert(userId, (u) => (u ? { ...u, generation: u.generation + 1 } : u));
    this.changed(userId);
  }

  async apiKeysOf(userId: string): Promise<ApiKeyInfo[]> {
    return (await this.keyRecords()).filter((r) => r.userId === userId).map(infoOf);
  }

  async revokeApiKeyOf(userId: string, keyId: string): Promise<boolean> {
    const record = await this.keyRecord(keyId);
    if (!record || record.userId !== userId) return false;
    return this.deleteKey(record);
  }

  onAccessChange(listener: (userId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(userId: string): void {
    this.users.forget(userId);
    for (const listener of this.listeners) listener(userId);
  }

  private async deleteKey(record: ApiKeyRecord): Promise<boolean> {
    const deleted = await this.options.kv.delete(`auth/apikey/${record.keyId}`);
    if (deleted) this.changed(record.userId);
    return deleted;
  }

  private async keyRecord(keyId: string): Promise<ApiKeyRecord | undefined> {
    if (!/^[0-9a-f]{12}$/.test(keyId)) return undefined;
    const raw = await this.options.kv.get(`auth/apikey/${keyId}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as ApiKeyRecord);
  }

  private async keyRecords(): Promise<ApiKeyRecord[]> {
    return (await this.options.kv.entries('auth/apikey/')).map(([, raw]) => JSON.parse(raw) as ApiKeyRecord);
  }

  private async apiKey(presented: string): Promise<Principal | AuthFailure> {
    const match = /^pk_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(presented);
    if (!match) return 'INVALID_TOKEN';
    const record = await this.keyRecord(match[1]!);
    const given = Buffer.from(sha256(match[2]!), 'hex');
    const expected = Buffer.from(record?.secretHash ?? sha256('no-such-key'), 'hex');
    if (!record || !timingSafeEqual(given, expected)) return 'INVALID_TOKEN';
    const user = await this.users.cached(record.userId);
    if (!user || user.tenantId !== record.tenantId) return 'INVALID_TOKEN';
    if (user.disabled) return 'CREDENTIAL_REVOKED';
    const expiresAt = record.expiresAt !== undefined ? Date.parse(record.expiresAt) : undefined;
    if (expiresAt !== undefined && expiresAt <= this.now) return 'TOKEN_EXPIRED';
    return { userId: record.userId, tenantId: record.tenantId, role: user.role, via: 'api_key', ...(expiresAt !== undefined ? { expiresAt } : {}) };
  }

  private async issue(username: string, userId: string, user: UserRecord, family: string): Promise<TokenPair> {
    const seconds = this.options.accessTokenSeconds ?? 900;
    const iat = Math.floor(this.now / 1000);
    const accessToken = await new SignJWT({ tid: user.tenantId, role: user.role, sid: family, gen: user.generation })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + seconds)
      .sign(await this.hmacKey());
    const refreshToken = randomBytes(32).toString('base64url');
    const record: RefreshRecord = { username, userId, family, expiresAt: this.now + (this.options.refreshTokenSeconds ?? 30 * 86_400) * 1000, used: false, generation: user.generation };
    await this.options.kv.set(`auth/refresh/${sha256(refreshToken)}`, JSON.stringify(record));
    return { accessToken, expiresIn: seconds, refreshToken };
  }

  private async retireFamily(family: string, userId: string | undefined): Promise<void> {
    await this.options.kv.set(familyKey(family), String(this.now));
    this.sessions.set(family, { retired: true, readAt: this.now });
    if (userId !== undefined) for (const listener of this.listeners) listener(userId);
  }

  /** Whether the session was retired: a retirement is for good (cached for ever); a live session is asked again after cacheMs. */
  private async familyRetired(family: string, fresh: boolean): Promise<boolean> {
    const known = this.sessions.get(family);
    if (known?.retired) return true;
    if (!fresh && known && this.now - known.readAt < this.cacheMs) return false;
    const retired = (await this.options.kv.get(familyKey(family))) !== undefined;
    if (this.sessions.size > 100_000) this.sessions.clear(); // bounded: it is only a cache
    this.sessions.set(family, { retired, readAt: this.now });
    return retired;
  }
}

const infoOf = ({ keyId, name, createdAt, expiresAt }: ApiKeyRecord): ApiKeyInfo => ({ keyId, name, createdAt, ...(expiresAt !== undefined ? { expiresAt } : {}) });
const accessOf = (userId: string, u: UserRecord): UserAccess => ({ userId, tenantId: u.tenantId, username: u.username, role: u.role, disabled: u.disabled });

/** The token signing key, derived from the master key (so every node sharing it agrees). */
export function signingKeyFrom(masterKey: Buffer): Buffer {
  return createHmac('sha256', masterKey).update('patriot:access-token-signing-key:v1').digest();
}
