import { afterEach, describe, expect, it } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from '../kv/sqlite-key-value-store.js';
import { KvAuth } from './kv-auth.js';
import type { TokenPair } from '../../application/ports/auth.js';
import type { KeyValueStore } from '../../application/ports/key-value.js';
import { PostgresKeyValueStore } from '../kv/postgres-key-value-store.js';
import { createPool } from '../postgres/pool.js';
import { freshDatabase, testPgUrl } from '../../../test/support/postgres.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function sqliteKv(): Promise<KeyValueStore> {
  const events = await SqliteEventStore.open({ path: ':memory:' });
  closers.push(() => events.close());
  return new SqliteKeyValueStore(events.database);
}

async function postgresKv(): Promise<KeyValueStore> {
  const db = await freshDatabase('auth');
  const pool = createPool(db.url, { max: 4 });
  closers.push(async () => {
    await pool.end();
    await db.drop();
  });
  return PostgresKeyValueStore.open({ pool });
}

async function setup(openKv: () => Promise<KeyValueStore> = sqliteKv) {
  const kv = await openKv();
  let now = Date.parse('2026-11-25T12:00:00.000Z');
  const signingKey = randomBytes(32);
  const auth = new KvAuth({ kv, clock: { now: () => now }, signingKey, bcryptCost: 4, accessTokenSeconds: 60, refreshTokenSeconds: 3600 });
  await auth.setLogin('alice', { userId: 'u1', tenantId: 't1', role: 'trader' }, 'correct horse battery');
  return { kv, auth, signingKey, advance: (ms: number) => (now += ms), now: () => now };
}
const pair = (x: TokenPair | string): TokenPair => {
  if (typeof x === 'string') throw new Error(`expected tokens, got ${x}`);
  return x;
};

describe('KvAuth', () => {
  it('logs in with the right password only; the password is stored as a bcrypt hash', async () => {
    const { kv, auth } = await setup();
    expect(await auth.login('alice', 'wrong')).toBe('INVALID_CREDENTIALS');
    expect(await auth.login('bob', 'correct horse battery')).toBe('INVALID_CREDENTIALS');
    const tokens = pair(await auth.login('alice', 'correct horse battery'));
    expect(await auth.authenticate(tokens.accessToken)).toEqual({ userId: 'u1', tenantId: 't1', role: 'trader', via: 'token', expiresAt: expect.any(Number) });
    const stored = (await kv.get('auth/login/alice/t1'))!;
    expect(stored).toMatch(/"passwordHash":"\$2b\$04\$/);
    expect(stored).not.toContain('correct horse');
  });

  it('refuses expired, unsigned (alg none), foreign-key, tampered and claim-less tokens', async () => {
    const { auth, advance, signingKey, now } = await setup();
    const tokens = pair(await auth.login('alice', 'correct horse battery'));
    const iat = Math.floor(now() / 1000);
    const none = new UnsecuredJWT({ tid: 't1', role: 'admin' }).setSubject('u1').setIssuer('patriot').setAudience('patriot-api').setIssuedAt(iat).setExpirationTime(iat + 60).encode();
    expect(await auth.authenticate(none)).toBe('INVALID_TOKEN');
    const foreign = await new SignJWT({ tid: 't1', role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').setIssuer('patriot').setAudience('patriot-api').setIssuedAt(iat).setExpirationTime(iat + 60).sign(randomBytes(32));
    expect(await auth.authenticate(foreign)).toBe('INVALID_TOKEN');
    const hs512 = await new SignJWT({ tid: 't1', role: 'admin' }).setProtectedHeader({ alg: 'HS512' }).setSubject('u1').setIssuer('patriot').setAudience('patriot-api').setIssuedAt(iat).setExpirationTime(iat + 60).sign(createHmac('sha256', signingKey).digest());
    expect(await auth.authenticate(hs512)).toBe('INVALID_TOKEN');
    const noExp = await new SignJWT({ tid: 't1', role: 'trader' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').setIssuer('patriot').setAudience('patriot-api').setIssuedAt(iat).sign(signingKey);
    expect(await auth.authenticate(noExp)).toBe('INVALID_TOKEN');
    const [h, p, sig] = tokens.accessToken.split('.') as [string, string, string];
    const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'admin' })).toString('base64url');
    expect(await auth.authenticate(`${h}.${elevated}.${sig}`)).toBe('INVALID_TOKEN');
    expect(await auth.authenticate('garbage')).toBe('INVALID_TOKEN');
    advance(61_000);
    expect(await auth.authenticate(tokens.accessToken)).toBe('TOKEN_EXPIRED');
  });

  it('a token used before is refused as soon as it expires, its user is disabled or its session retired, like a fresh one', async () => {
    const { auth, advance } = await setup();
    const tokens = pair(await auth.login('alice', 'correct horse battery'));
    expect(await auth.authenticate(tokens.accessToken)).toMatchObject({ userId: 'u1' });
    advance(58_000);
    expect(await auth.authenticate(tokens.accessToken)).toMatchObject({ userId: 'u1' }); // remembered, still inside its minute
    advance(2_000); // exp == now: expired, as jose has it
    expect(await auth.authenticate(tokens.accessToken)).toBe('TOKEN_EXPIRED');
    expect(await auth.authenticate(tokens.accessToken)).toBe('TOKEN_EXPIRED');

    const second = pair(await auth.login('alice', 'correct horse battery'));
    expect(await auth.authenticate(second.accessToken)).toMatchObject({ userId: 'u1' });
    await auth.logout(second.refreshToken);
    expect(await auth.authenticate(second.accessToken)).toBe('CREDENTIAL_REVOKED');

    const third = pair(await auth.login('alice', 'correct horse battery'));
    expect(await auth.authenticate(third.accessToken)).toMatchObject({ userId: 'u1' });
    await auth.setDisabled('u1', true);
    expect(await auth.authenticate(third.accessToken)).toBe('CREDENTIAL_REVOKED');
    const [h, p, sig] = third.accessToken.split('.') as [string, string, string];
    expect(await auth.authenticate(`${h}.${p}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`)).toBe('INVALID_TOKEN'); // another text is verified in full
  });

  it('access tokens stay plain HS256 JWTs of the signing key: one signed elsewhere with the raw key verifies, and ours verify with it', async () => {
    const { auth, signingKey, now } = await setup();
    await auth.setLogin('uma', { userId: 'u9', tenantId: 't1', role: 'viewer' }, 'another long password'); // a token names a user who exists
    const iat = Math.floor(now() / 1000);
    const elsewhere = await new SignJWT({ tid: 't1', role: 'viewer' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('u9')
      .setIssuer('patriot').setAudience('patriot-api').setIssuedAt(iat).setExpirationTime(iat + 60).sign(new Uint8Array(signingKey));
    expect(await auth.authenticate(elsewhere)).toEqual({ userId: 'u9', tenantId: 't1', role: 'viewer', via: 'token', expiresAt: (iat + 60) * 1000 });
    const ours = pair(await auth.login('alice', 'correct horse battery')).accessToken;
    const [h, p] = ours.split('.') as [string, string, string];
    const expected = createHmac('sha256', signingKey).update(`${h}.${p}`).digest('base64url');
    expect(ours.split('.')[2]).toBe(expected);
    // many verifications at once share the one imported key
    const results = await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(ours)));
    expect(new Set(results.map((r) => JSON.stringify({ ...(r as object), expiresAt: undefined })))).toEqual(new Set([JSON.stringify({ userId: 'u1', tenantId: 't1', role: 'trader', via: 'token' })]));
  });

  it('rotates refresh tokens (single use); a reused one retires the whole login; logout retires it too', async () => {
    const { auth, advance } = await setup();
    const first = pair(await auth.login('alice', 'correct horse battery'));
    const second = pair(await auth.refresh(first.refreshToken));
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await auth.refresh(first.refreshToken)).toBe('REFRESH_TOKEN_REUSED'); // stolen copy replayed
    expect(await auth.refresh(second.refreshToken)).toBe('INVALID_TOKEN'); // the family is retired
    const third = pair(await auth.login('alice', 'correct horse battery'));
    await auth.logout(third.refreshToken);
    expect(await auth.refresh(third.refreshToken)).toBe('INVALID_TOKEN');
    const fourth = pair(await auth.login('alice', 'correct horse battery'));
    advance(3_601_000);
    expect(await auth.refresh(fourth.refreshToken)).toBe('TOKEN_EXPIRED');
    expect(await auth.refresh('not-a-token')).toBe('INVALID_TOKEN');
  });

  it('API keys: shown once, stored hashed, authenticate as their user, revocable only by their user', async () => {
    const { kv, auth } = await setup();
    const alice = { userId: 'u1', tenantId: 't1', role: 'trader' as const, via: 'token' as const };
    const { key, info } = await auth.createApiKey(alice, 'my script');
    expect(key).toMatch(/^pk_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
    const secret = /^pk_[0-9a-f]{12}_(.+)$/.exec(key)![1]!; // the secret itself may hold '_'
    expect(JSON.stringify(await kv.entries('auth/apikey/'))).not.toContain(secret);
    expect(await auth.authenticate(key)).toEqual({ userId: 'u1', tenantId: 't1', role: 'trader', via: 'api_key' });
    expect(await auth.authenticate(`${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`)).toBe('INVALID_TOKEN'); // one character off (never the same one)
    expect(await auth.listApiKeys(alice)).toEqual([info]);
    expect(await auth.revokeApiKey({ ...alice, userId: 'u2' }, info.keyId)).toBe(false);
    expect(await auth.revokeApiKey(alice, info.keyId)).toBe(true);
    expect(await auth.authenticate(key)).toBe('INVALID_TOKEN');
  });
});

const backends: [string, () => Promise<KeyValueStore>][] = [['SQLite', sqliteKv], ...(testPgUrl ? [['PostgreSQL', postgresKv] as [string, () => Promise<KeyValueStore>]] : [])];

describe.each(backends)('KvAuth login names per tenant, on %s', (_name, openKv) => {
  it('login names are per tenant: the same name in two tenants, the password picks the one user; "tenant" settles a shared password; failures all read the same', async () => {
    const { auth } = await setup(openKv);
    await auth.setLogin('alice', { userId: 'u2', tenantId: 't2', role: 'viewer' }, 'another long password');
    expect(await auth.hasLogin('alice', 't1')).toBe(true);
    expect(await auth.hasLogin('alice', 't3')).toBe(false);
    const t1 = pair(await auth.login('alice', 'correct horse battery'));
    expect(await auth.authenticate(t1.accessToken)).toMatchObject({ userId: 'u1', tenantId: 't1' });
    const t2 = pair(await auth.login('alice', 'another long password'));
    expect(await auth.authenticate(t2.accessToken)).toMatchObject({ userId: 'u2', tenantId: 't2' });
    // a refresh keeps to its own tenant's login
    expect(await auth.authenticate(pair(await auth.refresh(t2.refreshToken)).accessToken)).toMatchObject({ userId: 'u2', tenantId: 't2' });
    expect(await auth.login('alice', 'correct horse battery', 't2')).toBe('INVALID_CREDENTIALS');
    expect(await auth.login('alice', 'a/b', 't2')).toBe('INVALID_CREDENTIALS');
    expect(await auth.login('al/ice', 'correct horse battery')).toBe('INVALID_CREDENTIALS');
    // the same password in both: ambiguous without "tenant", which then picks one
    await auth.setLogin('alice', { userId: 'u2', tenantId: 't2', role: 'viewer' }, 'correct horse battery');
    expect(await auth.login('alice', 'correct horse battery')).toBe('INVALID_CREDENTIALS');
    expect(await auth.authenticate(pair(await auth.login('alice', 'correct horse battery', 't2')).accessToken)).toMatchObject({ userId: 'u2' });
    // unless one of them is disabled: a disabled user never counts
    await auth.setDisabled('u1', true);
    expect(await auth.authenticate(pair(await auth.login('alice', 'correct horse battery')).accessToken)).toMatchObject({ userId: 'u2' });
    // a password reset writes the user's own tenant's login only
    await auth.resetPassword('u2', 'a third long password');
    expect(await auth.login('alice', 'correct horse battery', 't2')).toBe('INVALID_CREDENTIALS');
    expect(await auth.authenticate(pair(await auth.login('alice', 'a third long password')).accessToken)).toMatchObject({ userId: 'u2' });
  });

  it('migrate moves logins made when names were global to their tenant (idempotent) and they log in as before', async () => {
    const { kv, auth } = await setup(openKv);
    const legacy = (await kv.get('auth/login/alice/t1'))!;
    await kv.delete('auth/login/alice/t1');
    await kv.set('auth/login/alice', legacy);
    await kv.set('auth/login/bob', JSON.stringify({ ...JSON.parse(legacy), userId: 'u7', tenantId: 't7' }));
    expect(await auth.login('alice', 'correct horse battery')).toBe('INVALID_CREDENTIALS'); // not found until migrated
    await auth.migrate();
    await auth.migrate();
    expect((await kv.entries('auth/login/')).map(([k]) => k)).toEqual(['auth/login/alice/t1', 'auth/login/bob/t7']);
    expect(await auth.authenticate(pair(await auth.login('alice', 'correct horse battery')).accessToken)).toMatchObject({ userId: 'u1', tenantId: 't1' });
    expect(await auth.authenticate(pair(await auth.login('bob', 'correct horse battery')).accessToken)).toMatchObject({ userId: 'u7', tenantId: 't7', role: 'trader' });
  });
});
