/**
 * Attack suite, issue 15 (Low): `USERNAME_TAKEN` confirmed that a login name existed in another
 * tenant. Login names are now unique per tenant: an admin can create any name their own tenant
 * does not use, whoever else uses it; a login tries the password against every user of that name
 * and succeeds when exactly one fits (`tenant` settles a shared password); every failed login
 * reads the same, and the per-username back-off holds whatever `tenant` says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, login, startTestServer, type TestServer } from '../support/server.js';
import { loadConfig } from '../../src/bootstrap/config.js';
import { loginSession, postPublic } from './support.js';

const DEMO_PASSWORD = 'demo-password-for-tests';
let server: TestServer;
let mallory: string;

beforeAll(async () => {
  const security = loadConfig({}).security;
  server = await startTestServer({ config: { security: { ...security, loginFailuresPerUser: 5, loginFailuresPerAddress: 1000 } } });
  await server.runtime.auth.setLogin('mallory', { userId: 'usr_mallory', tenantId: 'tnt_mallory', role: 'admin' }, 'mallory-password-1');
  mallory = (await login(server.runtime, 'mallory', 'mallory-password-1'))!;
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

const add = (token: string, username: string, password: string) =>
  fetchJson<{ userId?: string; error?: { code: string; message: string } }>(server.runtime, '/api/v1/users', { json: { username, name: username, role: 'viewer', password }, token });
/** whom the token acts for: /me answers for the user, and the token names its tenant */
const me = async (token: string) => {
  const user = (await fetchJson<{ userId: string }>(server.runtime, '/api/v1/me', { token })).body;
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { tid: string };
  return { userId: user.userId, tenantId: claims.tid };
};

describe('login names per tenant (issue 15, USERNAME_TAKEN)', () => {
  it("an admin of another tenant creates 'demo' (taken in the demo tenant) and each 'demo' logs into its own tenant by its password", async () => {
    const created = await add(mallory, 'demo', 'mallorys-demo-password');
    expect(created.status).toBe(201);
    const theirs = await loginSession(server.runtime.url, 'demo', 'mallorys-demo-password');
    expect(theirs.status).toBe(200);
    expect(await me(theirs.session!.accessToken)).toMatchObject({ userId: created.body.userId, tenantId: 'tnt_mallory' });
    const ours = await loginSession(server.runtime.url, 'demo', DEMO_PASSWORD);
    expect(ours.status).toBe(200);
    expect((await me(ours.session!.accessToken)).tenantId).not.toBe('tnt_mallory');
    // a name the tenant itself uses is still taken, with words that name nothing
    const again = await add(mallory, 'demo', 'yet-another-password');
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('USERNAME_TAKEN');
    expect(again.body.error?.message).not.toContain('demo');
  });

  it('the same password in two tenants: refused without "tenant", which then picks one; failures read the same whatever the reason', async () => {
    expect((await add(mallory, 'twin', 'shared-twin-password')).status).toBe(201);
    const demoAdmin = (await login(server.runtime, 'demo', DEMO_PASSWORD))!;
    expect((await add(demoAdmin, 'twin', 'shared-twin-password')).status).toBe(201);
    const url = server.runtime.url;
    const ambiguous = await postPublic(url, '/api/v1/auth/login', { username: 'twin', password: 'shared-twin-password' });
    const wrong = await postPublic(url, '/api/v1/auth/login', { username: 'twin', password: 'not-the-password' });
    const nobody = await postPublic(url, '/api/v1/auth/login', { username: 'nobody-at-all', password: 'not-the-password' });
    const otherTenant = await postPublic(url, '/api/v1/auth/login', { username: 'mallory', password: 'mallory-password-1', tenant: 'tnt_elsewhere' });
    for (const failure of [ambiguous, wrong, nobody, otherTenant]) {
      expect(failure.status).toBe(401);
      expect(failure.body).toEqual(nobody.body);
    }
    const picked = await postPublic(url, '/api/v1/auth/login', { username: 'twin', password: 'shared-twin-password', tenant: 'tnt_mallory' });
    expect(picked.status).toBe(200);
    expect((await me(picked.body.accessToken!)).tenantId).toBe('tnt_mallory');
  });

  it('the per-username back-off holds across tenants: naming a tenant buys no further guesses', async () => {
    expect((await add(mallory, 'target', 'target-password-1')).status).toBe(201);
    const url = server.runtime.url;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postPublic(url, '/api/v1/auth/login', { username: 'target', password: `guess-${i}-xxxx`, ...(i % 2 ? { tenant: `tnt_${i}` } : {}) })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const blocked = await postPublic(url, '/api/v1/auth/login', { username: 'target', password: 'target-password-1', tenant: 'tnt_mallory' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error?.code).toBe('LOGIN_THROTTLED');
  });
});
