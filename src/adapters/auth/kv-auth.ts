import { createHash, createHmac, randomBytes, timingSafeEqual, webcrypto } from 'node:crypto';
import { hash as bcryptHash, verify as bcryptVerify } from '@node-rs/bcrypt';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { KeyValueStore } from '../../application/ports/key-value.js';
import type { ApiKeyInfo, Auth, AuthFailure, Principal, TokenPair } from '../../application/ports/auth.js';
import type { Clock } from '../../application/ports/clock.js';
import type { UserRole } from '../../domain/events.js';

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
}

interface Login {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: UserRole;
  readonly passwordHash: string;
}

interface RefreshRecord {
  readonly username: string;
  readonly family: string;
  readonly expiresAt: number;
  readonly used: boolean;
}

interface ApiKeyRecord extends ApiKeyInfo {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: UserRole;
  readonly secretHash: string;
}

const ISSUER = 'patriot';
const AUDIENCE = 'patriot-api';
const ROLES: ReadonlySet<string> = new Set(['admin', 'trader', 'viewer']);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Logins, tokens and API keys in the settings store. Passwords: bcrypt (cost 12). Access tokens:
 * HS256 JWTs (algorithm pinned on verify, expiry, issuer and audience required). Refresh tokens:
 * opaque random values stored as SHA-256, single use and rotated; presenting a used one again
 * retires its whole family (someone copied it). API keys: `pk_<id>_<secret>`, stored as the
 * SHA-256 of the secret (high-entropy: no slow hash needed), shown once.
 */
export class KvAuth implements Auth {
  private readonly key: Uint8Array;
  /** the key imported once: given raw bytes, jose imports them again on every sign and verify (~0.1 ms per request) */
  private imported: Promise<webcrypto.CryptoKey> | undefined;
  /** a real hash to check against when the user does not exist, so timing does not tell which usernames exist */
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly options: KvAuthOptions) {
    if (options.signingKey.length < 32) throw new RangeError('the token signing key must be at least 32 bytes');
    this.key = new Uint8Array(options.signingKey);
  }

  private hmacKey(): Promise<webcrypto.CryptoKey> {
    return (this.imported ??= webcrypto.subtle.importKey('raw', this.key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']));
  }

  private get now(): number {
    return this.options.clock.now();
  }

  async setLogin(username: string, user: { userId: string; tenantId: string; role: UserRole }, password: string): Promise<void> {
    const login: Login = { ...user, passwordHash: await bcryptHash(password, this.options.bcryptCost ?? 12) };
    await this.options.kv.set(`auth/login/${username}`, JSON.stringify(login));
  }

  async hasLogin(username: string): Promise<boolean> {
    return (await this.options.kv.get(`auth/login/${username}`)) !== undefined;
  }

  async login(username: string, password: string): Promise<TokenPair | AuthFailure> {
    const raw = await this.options.kv.get(`auth/login/${username}`);
    const login = raw === undefined ? undefined : (JSON.parse(raw) as Login);
    this.dummyHash ??= bcryptHash(randomBytes(16).toString('hex'), this.options.bcryptCost ?? 12);
    const ok = await bcryptVerify(password, login?.passwordHash ?? (await this.dummyHash));
    if (!login || !ok) return 'INVALID_CREDENTIALS';
    return this.issue(username, login, randomBytes(16).toString('hex'));
  }

  async refresh(refreshToken: string): Promise<TokenPair | AuthFailure> {
    const key = `auth/refresh/${sha256(refreshToken)}`;
    const raw = await this.options.kv.get(key);
    if (raw === undefined) return 'INVALID_TOKEN';
    const record = JSON.parse(raw) as RefreshRecord;
    if (record.used) {
      await this.retireFamily(record.family);
      return 'REFRESH_TOKEN_REUSED';
    }
    if (record.expiresAt <= this.now) return 'TOKEN_EXPIRED';
    // single use: only one of two concurrent refreshes wins
    if (!(await this.options.kv.compareAndSet(key, raw, JSON.stringify({ ...record, used: true })))) {
      await this.retireFamily(record.family);
      return 'REFRESH_TOKEN_REUSED';
    }
    const loginRaw = await this.options.kv.get(`auth/login/${record.username}`);
    if (loginRaw === undefined || (await this.familyRetired(record.family))) return 'INVALID_TOKEN';
    return this.issue(record.username, JSON.parse(loginRaw) as Login, record.family);
  }

  async logout(refreshToken: string): Promise<void> {
    const raw = await this.options.kv.get(`auth/refresh/${sha256(refreshToken)}`);
    if (raw !== undefined) await this.retireFamily((JSON.parse(raw) as RefreshRecord).family);
  }

  async authenticate(bearer: string): Promise<Principal | AuthFailure> {
    if (bearer.startsWith('pk_')) return this.apiKey(bearer);
    try {
      const { payload } = await jwtVerify(bearer, await this.hmacKey(), {
        algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp', 'iat', 'sub'], currentDate: new Date(this.now),
      });
      const { sub, tid, role, exp } = payload as { sub?: unknown; tid?: unknown; role?: unknown; exp?: number };
      if (typeof sub !== 'string' || typeof tid !== 'string' || typeof role !== 'string' || !ROLES.has(role)) return 'INVALID_TOKEN';
      return { userId: sub, tenantId: tid, role: role as UserRole, via: 'token', ...(typeof exp === 'number' ? { expiresAt: exp * 1000 } : {}) };
    } catch (error) {
      return error instanceof joseErrors.JWTExpired ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN';
    }
  }

  async createApiKey(principal: Principal, name: string): Promise<{ key: string; info: ApiKeyInfo }> {
    const keyId = randomBytes(6).toString('hex');
    const secret = randomBytes(24).toString('base64url');
    const info: ApiKeyInfo = { keyId, name, createdAt: new Date(this.now).toISOString() };
    const record: ApiKeyRecord = { ...info, userId: principal.userId, tenantId: principal.tenantId, role: principal.role, secretHash: sha256(secret) };
    await this.options.kv.set(`auth/apikey/${keyId}`, JSON.stringify(record));
    return { key: `pk_${keyId}_${secret}`, info };
  }

  async listApiKeys(principal: Principal): Promise<ApiKeyInfo[]> {
    return (await this.options.kv.entries('auth/apikey/'))
      .map(([, raw]) => JSON.parse(raw) as ApiKeyRecord)
      .filter((r) => r.userId === principal.userId && r.tenantId === principal.tenantId)
      .map(({ keyId, name, createdAt }) => ({ keyId, name, createdAt }));
  }

  async revokeApiKey(principal: Principal, keyId: string): Promise<boolean> {
    const raw = await this.options.kv.get(`auth/apikey/${keyId}`);
    if (raw === undefined) return false;
    const record = JSON.parse(raw) as ApiKeyRecord;
    if (record.userId !== principal.userId || record.tenantId !== principal.tenantId) return false; // another user's: as if absent
    return this.options.kv.delete(`auth/apikey/${keyId}`);
  }

  private async apiKey(presented: string): Promise<Principal | AuthFailure> {
    const match = /^pk_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(presented);
    if (!match) return 'INVALID_TOKEN';
    const raw = await this.options.kv.get(`auth/apikey/${match[1]}`);
    const record = raw === undefined ? undefined : (JSON.parse(raw) as ApiKeyRecord);
    const given = Buffer.from(sha256(match[2]!), 'hex');
    const expected = Buffer.from(record?.secretHash ?? sha256('no-such-key'), 'hex');
    if (!record || !timingSafeEqual(given, expected)) return 'INVALID_TOKEN';
    return { userId: record.userId, tenantId: record.tenantId, role: record.role, via: 'api_key' };
  }

  private async issue(username: string, login: Login, family: string): Promise<TokenPair> {
    const seconds = this.options.accessTokenSeconds ?? 900;
    const iat = Math.floor(this.now / 1000);
    const accessToken = await new SignJWT({ tid: login.tenantId, role: login.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(login.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + seconds)
      .sign(await this.hmacKey());
    const refreshToken = randomBytes(32).toString('base64url');
    const record: RefreshRecord = { username, family, expiresAt: this.now + (this.options.refreshTokenSeconds ?? 30 * 86_400) * 1000, used: false };
    await this.options.kv.set(`auth/refresh/${sha256(refreshToken)}`, JSON.stringify(record));
    return { accessToken, expiresIn: seconds, refreshToken };
  }

  private async retireFamily(family: string): Promise<void> {
    await this.options.kv.set(`auth/retired-family/${family}`, String(this.now));
  }

  private async familyRetired(family: string): Promise<boolean> {
    return (await this.options.kv.get(`auth/retired-family/${family}`)) !== undefined;
  }
}

/** The token signing key, derived from the master key (so every node sharing it agrees). */
export function signingKeyFrom(masterKey: Buffer): Buffer {
  return createHmac('sha256', masterKey).update('patriot:access-token-signing-key:v1').digest();
}
