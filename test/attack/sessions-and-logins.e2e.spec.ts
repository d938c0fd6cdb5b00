/**
 * Attack suite, issue 15 items 3 and 4, through HTTP behind a (simulated) TLS proxy that sets
 * X-Forwarded-For: with PATRIOT_TRUST_PROXY the client address is the real one, so one client's
 * bad logins no longer refuse everyone's; logins slow down per username (whichever addresses
 * guess) with back-off; refreshes have their own budget; and logging out (or a replayed refresh
 * token) ends the session's access tokens too, not only its refresh token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, startTestServer, type TestServer } from '../support/server.js';
import { loadConfig } from '../../src/bootstrap/config.js';
import { addUser, killSwitch, loginSession, postPublic } from './support.js';

let behindProxy: TestServer;
let direct: TestServer;
const limits = { webhookPerMinute: 100, webhookAuthFailuresPerMinute: 100, loginsPerMinute: 6, refreshesPerMinute: 60, readsPerMinute: 1000, writesPerMinute: 1000, tradingPerMinute: 100 };

beforeAll(async () => {
  const security = loadConfig({ PATRIOT_TRUST_PROXY: '127.0.0.1' }).security;
  behindProxy = await startTestServer({ config: { rateLimits: limits, security: { ...security, loginFailuresPerUser: 5, loginFailuresPerAddress: 1000 } } });
  direct = await startTestServer({ config: { rateLimits: limits } });
});
afterAll(async () => {
  await behindProxy.close();
  await direct.close();
  cleanupTempDirs();
});

const from = (address: string) => ({ 'x-forwarded-for': address });
/** a client of its own behind the proxy (its login budget untouched by the other tests) */
const client = from('198.51.100.77');

describe('behind a proxy: client addresses, login back-off, refresh budget (issue 15, item 3)', () => {
  it("one client's bad logins do not refuse another client's login (each is its own address behind the proxy)", async () => {
    const url = behindProxy.runtime.url;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await loginSession(url, `nobody-${i}`, 'wrong-password-x', from('203.0.113.7'))).status);
    expect(statuses.slice(-2)).toEqual([429, 429]); // that address spent its budget
    expect((await loginSession(url, 'demo', 'demo-password-for-tests', from('198.51.100.20'))).status).toBe(200);
  });

  it('guesses at one username from many addresses slow down (429 LOGIN_THROTTLED with Retry-After), even for the right password', async () => {
    await addUser(behindProxy, 'victim', 'viewer', 'victim-password-1');
    const url = behindProxy.runtime.url;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await loginSession(url, 'victim', `guess-${i}-xxxxx`, from(`192.0.2.${10 + i}`))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const blocked = await loginSession(url, 'victim', 'victim-password-1', from('192.0.2.99'));
    expect(blocked.status).toBe(429);
    expect((blocked.body as { error: { code: string } }).error.code).toBe('LOGIN_THROTTLED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // the same name in other letter case is the same target
    expect((await loginSession(url, 'VICTIM', 'guess-x-xxxxx', from('192.0.2.98'))).status).toBe(429);
    // other users are not slowed by it
    expect((await loginSession(url, 'demo', 'demo-password-for-tests', from('192.0.2.97'))).status).toBe(200);
  });

  it('failed logins never block token refreshes from the same address', async () => {
    const url = behindProxy.runtime.url;
    const { session } = await loginSession(url, 'demo', 'demo-password-for-tests', from('198.51.100.30'));
    for (let i = 0; i < 8; i++) await loginSession(url, `guess-${i}`, 'wrong-password-x', from('198.51.100.30'));
    expect((await loginSession(url, 'demo', 'demo-password-for-tests', from('198.51.100.30'))).status).toBe(429);
    const refreshed = await postPublic(url, '/api/v1/auth/refresh', { refreshToken: session!.refreshToken }, from('198.51.100.30'));
    expect(refreshed.status).toBe(200);
  });

  it('without PATRIOT_TRUST_PROXY, X-Forwarded-For is ignored: a forged header does not escape the address budget', async () => {
    const url = direct.runtime.url;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await loginSession(url, `nobody-${i}`, 'wrong-password-x', from(`203.0.113.${i}`))).status);
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });

  it('PATRIOT_TRUST_PROXY takes a hop count, true, or addresses and CIDRs; anything else refuses to start', () => {
    expect(loadConfig({}).security.trustProxy).toBe(false);
    expect(loadConfig({ PATRIOT_TRUST_PROXY: 'true' }).security.trustProxy).toBe(true);
    expect(loadConfig({ PATRIOT_TRUST_PROXY: '2' }).security.trustProxy).toBe(2);
    expect(loadConfig({ PATRIOT_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,loopback' }).security.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'loopback']);
    for (const bad of ['10.0.0.0/33', 'proxy.example.com', '0', '1.2.3']) expect(() => loadConfig({ PATRIOT_TRUST_PROXY: bad }), bad).toThrow(/PATRIOT_TRUST_PROXY/);
  });
});

describe('sessions end with their access tokens (issue 15, item 4)', () => {
  it("after logout the session's access token is refused at once (PUT kill-switch 401 CREDENTIAL_REVOKED); another session of the user goes on", async () => {
    const url = behindProxy.runtime.url;
    const a = (await loginSession(url, 'demo', 'demo-password-for-tests', client)).session!;
    const b = (await loginSession(url, 'demo', 'demo-password-for-tests', client)).session!;
    expect(await killSwitch(behindProxy, a.accessToken)).toBe(200);
    expect((await postPublic(url, '/api/v1/auth/logout', { refreshToken: a.refreshToken }, client)).status).toBe(204);
    const after = await fetchJson<{ error: { code: string } }>(behindProxy.runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: false }, token: a.accessToken });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('CREDENTIAL_REVOKED');
    expect(await killSwitch(behindProxy, b.accessToken)).toBe(200);
  });

  it("a replayed refresh token ends the whole session, including the access tokens issued from it since", async () => {
    const url = behindProxy.runtime.url;
    const first = (await loginSession(url, 'demo', 'demo-password-for-tests', client)).session!;
    const second = await postPublic(url, '/api/v1/auth/refresh', { refreshToken: first.refreshToken }, client);
    expect(second.status).toBe(200);
    const current = second.body.accessToken!;
    expect(await killSwitch(behindProxy, current)).toBe(200);
    // a thief replays the stolen, already used refresh token
    expect((await postPublic(url, '/api/v1/auth/refresh', { refreshToken: first.refreshToken }, client)).body.error?.code).toBe('REFRESH_TOKEN_REUSED');
    expect(await killSwitch(behindProxy, current)).toBe(401);
    expect(await killSwitch(behindProxy, first.accessToken)).toBe(401);
    expect((await postPublic(url, '/api/v1/auth/refresh', { refreshToken: second.body.refreshToken }, client)).status).toBe(401);
  });
});
