/** Small helpers of the attack suite: logins that keep the refresh token, and user creation through the API. */
import { fetchJson, type TestServer } from '../support/server.js';
import { recordSecrets } from '../support/secret-scan.js';

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export async function loginSession(url: string, username: string, password: string, headers: Record<string, string> = {}): Promise<{ status: number; session?: Session; body: unknown; headers: Headers }> {
  recordSecrets(password);
  const response = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password }) });
  const body = (await response.json().catch(() => undefined)) as { accessToken?: string; refreshToken?: string } | undefined;
  if (response.status === 200 && body?.accessToken && body.refreshToken) recordSecrets(body.accessToken, body.refreshToken);
  return {
    status: response.status, body, headers: response.headers,
    ...(response.status === 200 && body?.accessToken && body.refreshToken ? { session: { accessToken: body.accessToken, refreshToken: body.refreshToken } } : {}),
  };
}

export async function postPublic(url: string, path: string, json: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: { error?: { code: string }; accessToken?: string; refreshToken?: string } }> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(json) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as { error?: { code: string } }) : {} };
}

/** Adds a user to the demo tenant through the API (as the demo admin); its user id. */
export async function addUser(server: TestServer, username: string, role: 'admin' | 'trader' | 'viewer', password: string): Promise<string> {
  recordSecrets(password);
  const created = await fetchJson<{ userId: string }>(server.runtime, '/api/v1/users', { json: { username, name: username, role, password } });
  if (created.status !== 201) throw new Error(`adding ${username}: ${created.status} ${created.text}`);
  return created.body.userId;
}

/** Creates an API key for the user behind `token`; the key. */
export async function apiKeyOf(server: TestServer, token: string, expiresAt?: string): Promise<{ key: string; keyId: string }> {
  const created = await fetchJson<{ key: string; keyId: string }>(server.runtime, '/api/v1/me/api-keys', { json: { name: 'script', ...(expiresAt ? { expiresAt } : {}) }, token });
  if (created.status !== 201) throw new Error(`creating an API key: ${created.status} ${created.text}`);
  recordSecrets(created.body.key);
  return created.body;
}

/** PUT the global kill switch (a trader's write) with a credential: the status. */
export async function killSwitch(server: TestServer, token: string, engaged = false): Promise<number> {
  return (await fetchJson(server.runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged }, token })).status;
}
