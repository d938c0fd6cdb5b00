/**
 * Attack suite, issue 15 item 2: a user can be revoked. An admin disables and enables users,
 * changes roles, sets passwords and revokes any API key of their tenant; every credential (access
 * token, API key, live stream) is checked against the user's current state, so a change takes
 * effect on the next request; API keys can expire. Another tenant's ids answer 404 and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, login, startTestServer, waitUntil, type TestServer } from '../support/server.js';
import { openSse, type SseConnection } from '../support/sse.js';
import { addUser, apiKeyOf, killSwitch, loginSession, postPublic } from './support.js';

let server: TestServer;
let strangerAdmin: string;
const streams: SseConnection[] = [];

beforeAll(async () => {
  server = await startTestServer();
  // an admin of another tenant (created as the CLI does)
  await server.runtime.auth.setLogin('mallory', { userId: 'usr_mallory', tenantId: 'tnt_mallory', role: 'admin' }, 'mallory-password-1');
  strangerAdmin = (await login(server.runtime, 'mallory', 'mallory-password-1'))!;
});
afterAll(async () => {
  for (const s of streams) s.close();
  await server.close();
  cleanupTempDirs();
});

const stream = async (token: string) => {
  const s = await openSse(`${server.runtime.url}/api/v1/stream`, token);
  streams.push(s);
  return s;
};
const user = (userId: string, path = '', init: { method?: string; json?: unknown; token?: string } = {}) =>
  fetchJson<{ role?: string; disabled?: boolean; username?: string; error?: { code: string } }>(server.runtime, `/api/v1/users/${userId}${path}`, init);

describe('revoking users (issue 15, item 2)', () => {
  it('disabling a user stops their access token, API key and live stream at once; refresh and login are refused; enabling needs a new login', async () => {
    const id = await addUser(server, 'dave', 'trader', 'dave-password-12');
    const { session } = await loginSession(server.runtime.url, 'dave', 'dave-password-12');
    const key = await apiKeyOf(server, session!.accessToken);
    expect(await killSwitch(server, session!.accessToken)).toBe(200);
    expect(await killSwitch(server, key.key)).toBe(200);
    const live = await stream(session!.accessToken);
    expect(live.status).toBe(200);

    const disabled = await user(id, '/disable', { method: 'POST' });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ disabled: true, username: 'dave' });

    const refused = await fetchJson<{ error: { code: string } }>(server.runtime, '/api/v1/orders', { token: session!.accessToken });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('CREDENTIAL_REVOKED');
    expect(await killSwitch(server, key.key)).toBe(401);
    const told = await live.next((m) => m.event === 'reauthenticate');
    expect(JSON.parse(told.data)).toEqual({ reason: 'CREDENTIAL_REVOKED' });
    await live.ended;
    expect((await postPublic(server.runtime.url, '/api/v1/auth/refresh', { refreshToken: session!.refreshToken })).status).toBe(401);
    // the right password is answered like a wrong one: a disabled account does not confirm it
    const again = await loginSession(server.runtime.url, 'dave', 'dave-password-12');
    expect(again.status).toBe(401);
    expect((again.body as { error: { code: string } }).error.code).toBe('INVALID_CREDENTIALS');

    expect((await user(id, '/enable', { method: 'POST' })).body).toMatchObject({ disabled: false });
    // old sessions stay ended; a new login works; the API key works again
    expect((await fetchJson(server.runtime, '/api/v1/orders', { token: session!.accessToken })).status).toBe(401);
    expect((await loginSession(server.runtime.url, 'dave', 'dave-password-12')).status).toBe(200);
    expect(await killSwitch(server, key.key)).toBe(200);

    // recorded for the audit, without any secret
    const events = await server.runtime.events.readStream(`user-${id}`);
    expect(events.map((e) => e.type)).toEqual(['UserRegistered', 'UserDisabled', 'UserEnabled']);
    expect(JSON.stringify(events)).not.toContain('dave-password');
  });

  it("a role change applies to the user's token and API key at once (no longer the role they were issued with), and ends their live stream", async () => {
    const id = await addUser(server, 'erin', 'trader', 'erin-password-12');
    const token = (await login(server.runtime, 'erin', 'erin-password-12'))!;
    const key = await apiKeyOf(server, token);
    const live = await stream(token);
    expect(await killSwitch(server, token)).toBe(200);

    const changed = await user(id, '/role', { method: 'PUT', json: { role: 'viewer' } });
    expect(changed.status).toBe(200);
    expect(changed.body.role).toBe('viewer');
    expect(await killSwitch(server, token)).toBe(403);
    expect(await killSwitch(server, key.key)).toBe(403);
    expect((await fetchJson(server.runtime, '/api/v1/orders', { token: key.key })).status).toBe(200); // still reads
    expect(JSON.parse((await live.next((m) => m.event === 'reauthenticate')).data)).toEqual({ reason: 'ROLE_CHANGED' });
    // and back up: the same token writes again
    await user(id, '/role', { method: 'PUT', json: { role: 'trader' } });
    expect(await killSwitch(server, token)).toBe(200);
    // (a bad role is a 400 and changes nothing)
    const bad = await user(id, '/role', { method: 'PUT', json: { role: 'root' } });
    expect(bad.status).toBe(400);
    expect((await user(id)).body.role).toBe('trader');
  });

  it("a new password set by an admin ends the user's sessions; the old password no longer logs in", async () => {
    const id = await addUser(server, 'frank', 'viewer', 'frank-password-12');
    const { session } = await loginSession(server.runtime.url, 'frank', 'frank-password-12');
    expect((await user(id, '/password', { method: 'PUT', json: { password: 'short' } })).status).toBe(400);
    expect((await fetchJson(server.runtime, '/api/v1/orders', { token: session!.accessToken })).status).toBe(200); // the refused reset changed nothing
    expect((await user(id, '/password', { method: 'PUT', json: { password: 'frank-new-password-1' } })).status).toBe(200);
    expect((await fetchJson(server.runtime, '/api/v1/orders', { token: session!.accessToken })).status).toBe(401);
    expect((await postPublic(server.runtime.url, '/api/v1/auth/refresh', { refreshToken: session!.refreshToken })).status).toBe(401);
    expect((await loginSession(server.runtime.url, 'frank', 'frank-password-12')).status).toBe(401);
    expect((await loginSession(server.runtime.url, 'frank', 'frank-new-password-1')).status).toBe(200);
  });

  it("an admin revokes another user's API key; it stops at once", async () => {
    const id = await addUser(server, 'gina', 'trader', 'gina-password-12');
    const token = (await login(server.runtime, 'gina', 'gina-password-12'))!;
    const key = await apiKeyOf(server, token);
    const listed = await fetchJson<{ items: { keyId: string }[] }>(server.runtime, `/api/v1/users/${id}/api-keys`);
    expect(listed.body.items.map((k) => k.keyId)).toEqual([key.keyId]);
    expect(listed.text).not.toContain(key.key);
    expect((await fetchJson(server.runtime, `/api/v1/users/${id}/api-keys/${key.keyId}`, { method: 'DELETE' })).status).toBe(204);
    expect(await killSwitch(server, key.key)).toBe(401);
    expect((await fetchJson(server.runtime, `/api/v1/users/${id}/api-keys/${key.keyId}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('API keys can carry an expiry: refused after it (TOKEN_EXPIRED), and an expiry in the past is a 400', async () => {
    const token = (await login(server.runtime, 'demo', 'demo-password-for-tests'))!;
    const past = await fetchJson<{ error: { code: string } }>(server.runtime, '/api/v1/me/api-keys', { json: { name: 'old', expiresAt: '2001-01-01T00:00:00Z' }, token });
    expect(past.status).toBe(400);
    expect(past.body.error.code).toBe('INVALID_EXPIRY');
    // long enough that the key is surely used before it expires on a loaded machine (the use right after creation must pass)
    const key = await apiKeyOf(server, token, new Date(Date.now() + 8000).toISOString());
    const listed = await fetchJson<{ items: { keyId: string; expiresAt?: string }[] }>(server.runtime, '/api/v1/me/api-keys', { token });
    expect(listed.body.items.find((k) => k.keyId === key.keyId)?.expiresAt).toMatch(/^\d{4}-/);
    expect((await fetchJson(server.runtime, '/api/v1/orders', { token: key.key })).status).toBe(200);
    const expired = await waitUntil(async () => {
      const res = await fetchJson<{ error?: { code: string } }>(server.runtime, '/api/v1/orders', { token: key.key });
      return res.status === 401 ? res : undefined;
    }, 'the key to expire', 60_000, 200);
    expect(expired.body.error?.code).toBe('TOKEN_EXPIRED');
  });

  it("another tenant's admin gets 404 for every user route with this tenant's ids, and changes nothing", async () => {
    const id = await addUser(server, 'hank', 'trader', 'hank-password-12');
    const token = (await login(server.runtime, 'hank', 'hank-password-12'))!;
    const key = await apiKeyOf(server, token);
    await server.runtime.settle();
    const before = await server.runtime.events.headPosition();
    const attempts = [
      await user(id, '', { token: strangerAdmin }),
      await user(id, '/disable', { method: 'POST', token: strangerAdmin }),
      await user(id, '/enable', { method: 'POST', token: strangerAdmin }),
      await user(id, '/role', { method: 'PUT', json: { role: 'viewer' }, token: strangerAdmin }),
      await user(id, '/password', { method: 'PUT', json: { password: 'taken-over-password-1' }, token: strangerAdmin }),
      await user(id, '/api-keys', { token: strangerAdmin }),
      await user(id, `/api-keys/${key.keyId}`, { method: 'DELETE', token: strangerAdmin }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
    expect(await server.runtime.events.headPosition()).toBe(before);
    expect(await killSwitch(server, token)).toBe(200);
    expect(await killSwitch(server, key.key)).toBe(200);
    const theirs = await fetchJson<{ items: { userId: string }[] }>(server.runtime, '/api/v1/users', { token: strangerAdmin });
    expect(theirs.body.items.map((u) => u.userId)).not.toContain(id);
  });

  it('only admins administer users, and an admin cannot disable or demote themselves', async () => {
    const id = await addUser(server, 'ivy', 'trader', 'ivy-password-123');
    const trader = (await login(server.runtime, 'ivy', 'ivy-password-123'))!;
    expect((await user('usr_demo', '/disable', { method: 'POST', token: trader })).status).toBe(403);
    expect((await user(id, '/role', { method: 'PUT', json: { role: 'admin' }, token: trader })).status).toBe(403);
    const self = await user('usr_demo', '/disable', { method: 'POST' });
    expect(self.status).toBe(409);
    expect(self.body.error?.code).toBe('CANNOT_CHANGE_OWN_ACCESS');
    expect((await user('usr_demo', '/role', { method: 'PUT', json: { role: 'viewer' } })).status).toBe(409);
    expect((await user('usr_nobody', '/disable', { method: 'POST' })).status).toBe(404);
  });
});
