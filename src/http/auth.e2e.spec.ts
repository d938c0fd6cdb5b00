/**
 * The API's gate, attacked over every route of the OpenAPI document: no credential, a forged,
 * unsigned or expired one, a role too low, another tenant's ids, mass assignment. Each gets the
 * right 4xx and changes nothing. Bodies too: oversized, malformed, of the wrong type or shape, on
 * every route that takes one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { DEMO_PASSWORD, cleanupTempDirs, fetchJson, login, marketAlert, postAlert, quiesce, startTestServer, type OrderView, type Page, type TestServer } from '../../test/support/server.js';
import { registerUser } from '../application/commands/configure.js';
import { KeyedMutex } from '../application/shared/keyed-mutex.js';
import { systemClock } from '../adapters/system/system-clock.js';

let server: TestServer;
let viewer: string;
let stranger: string;
let orderId: string;
let signalId: string;
/** one of the demo tenant's outbound webhook endpoints */
let endpointId: string;

beforeAll(async () => {
  server = await startTestServer();
  const { runtime } = server;
  await runtime.auth.setLogin('vera', { userId: 'usr_vera', tenantId: 'tnt_demo', role: 'viewer' }, 'viewer-password-1');
  await registerUser({ store: runtime.events, mutex: new KeyedMutex(), clock: systemClock }, { userId: 'usr_sam', tenantId: 'tnt_other', name: 'Sam', role: 'admin' }, 'test');
  await runtime.auth.setLogin('sam', { userId: 'usr_sam', tenantId: 'tnt_other', role: 'admin' }, 'stranger-password-1');
  viewer = (await login(runtime, 'vera', 'viewer-password-1'))!;
  stranger = (await login(runtime, 'sam', 'stranger-password-1'))!;
  expect(viewer && stranger).toBeTruthy();
  await postAlert(runtime, marketAlert(runtime.demo!.secret, { id: 'auth-1' }));
  await quiesce(runtime);
  const order = (await fetchJson<Page<OrderView>>(runtime, '/api/v1/orders')).body.items[0]!;
  orderId = order.clientOrderId;
  signalId = order.signalId;
  const endpoint = await fetchJson<{ endpoint: { endpointId: string } }>(runtime, '/api/v1/outbound-webhooks', { json: { url: 'https://hooks.invalid/auth-spec', kinds: ['fill'] } });
  endpointId = endpoint.body.endpoint.endpointId;
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

/** Every operation of /api/v1 in the OpenAPI document, with path parameters filled in. */
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly public: boolean;
  readonly template: string;
  readonly body?: Schema;
}
interface Schema {
  readonly type?: string;
  readonly properties?: Record<string, Schema>;
  readonly required?: string[];
  readonly enum?: unknown[];
  readonly const?: unknown;
  readonly anyOf?: Schema[];
  readonly minLength?: number;
  readonly minimum?: number;
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly items?: Schema;
  readonly examples?: unknown[];
}

/** A value valid for a (simple) JSON schema: required properties only, plain sample values. */
function sample(schema: Schema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.examples?.[0] !== undefined) return schema.examples[0];
  if (schema.anyOf) return sample(schema.anyOf[0]!);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, sample(schema.properties?.[key] ?? {})]));
    case 'boolean':
      return true;
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1);
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}));
    default: {
      const candidates = ['sample-value-long-enough-1', 'sample_value_1', '1', 'BTC/USDT'];
      const fits = (c: string) => (schema.pattern === undefined || new RegExp(schema.pattern).test(c)) && c.length >= (schema.minLength ?? 0) && c.length <= (schema.maxLength ?? Infinity);
      return candidates.find(fits) ?? 'x'.repeat(schema.minLength ?? 1);
    }
  }
}

async function operations(): Promise<Operation[]> {
  const doc = (await fetchJson<{ paths: Record<string, Record<string, { security?: unknown[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>> }>(server.runtime, '/openapi.json')).body;
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const [method, op] of Object.entries(methods)) {
      const filled = path.replace('{accountId}', 'acc_demo_paper').replace('{clientOrderId}', orderId).replace('{signalId}', signalId).replace('{strategyId}', 'strat_demo').replace('{userId}', 'usr_demo').replace('{endpointId}', endpointId).replace('{chatId}', '4242').replace(/\{[^}]+\}/g, 'x');
      ops.push({ method: method.toUpperCase(), path: filled, public: Array.isArray(op.security) && op.security.length === 0, template: path, body: op.requestBody?.content?.['application/json']?.schema });
    }
  }
  return ops;
}

describe('the API gate', () => {
  it('every non-public route refuses a request without a credential, or with a forged, unsigned, expired or malformed one: 401, nothing changes', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(15);
    const iat = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ tid: 'tnt_demo', role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('usr_demo').setIssuer('patriot').setAudience('patriot-api').setIssuedAt(iat).setExpirationTime(iat + 600).sign(randomBytes(32));
    const unsigned = new UnsecuredJWT({ tid: 'tnt_demo', role: 'admin' }).setSubject('usr_demo').setIssuer('patriot').setAudience('patriot-api').setIssuedAt(iat).setExpirationTime(iat + 600).encode();
    const before = await server.runtime.events.headPosition();
    for (const op of ops.filter((o) => !o.public)) {
      for (const token of [null, forged, unsigned, 'pk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not a token']) {
        const res = await fetchJson<{ error: { code: string } }>(server.runtime, op.path, { method: op.method, token, ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { json: { engaged: true, apiKey: 'k', secret: 's', name: 'n' } }) });
        expect(res.status, `${op.method} ${op.path} with ${String(token).slice(0, 12)}`).toBe(401);
        expect(['UNAUTHENTICATED', 'INVALID_TOKEN']).toContain(res.body.error.code);
      }
    }
    expect(await server.runtime.events.headPosition()).toBe(before);
  });

  it('a viewer reads but cannot change anything (403), and nothing changes', async () => {
    expect((await fetchJson(server.runtime, '/api/v1/orders', { token: viewer })).status).toBe(200);
    const before = await server.runtime.events.headPosition();
    const kill = await fetchJson<{ error: { code: string } }>(server.runtime, '/api/v1/accounts/acc_demo_paper/kill-switch', { method: 'PUT', json: { engaged: true }, token: viewer });
    expect(kill.status).toBe(403);
    expect(kill.body.error.code).toBe('FORBIDDEN');
    expect((await fetchJson(server.runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: true }, token: viewer })).status).toBe(403);
    expect(await server.runtime.events.headPosition()).toBe(before);
  });

  it("another tenant's user gets 404 (never 403) for this tenant's objects, sees none of its data, and changes nothing", async () => {
    const before = await server.runtime.events.headPosition();
    const as = (path: string, init: { method?: string; json?: unknown } = {}) => fetchJson<{ items?: unknown[]; error?: { code: string } }>(server.runtime, path, { ...init, token: stranger });
    expect((await as('/api/v1/accounts/acc_demo_paper')).status).toBe(404);
    expect((await as(`/api/v1/orders/${orderId}`)).status).toBe(404);
    expect((await as('/api/v1/accounts/acc_demo_paper/kill-switch', { method: 'PUT', json: { engaged: true } })).status).toBe(404);
    expect((await as('/api/v1/accounts/acc_demo_paper/credentials', { method: 'PUT', json: { apiKey: 'k', secret: 's' } })).status).toBe(404);
    expect((await as('/api/v1/accounts/acc_demo_paper/equity')).status).toBe(404);
    for (const list of ['/api/v1/orders', '/api/v1/signals', '/api/v1/accounts', '/api/v1/positions', '/api/v1/fills', '/api/v1/strategies']) {
      const res = await as(list);
      expect(res.status, list).toBe(200);
      expect(res.body.items, list).toEqual([]);
    }
    expect(await server.runtime.events.headPosition()).toBe(before);
  });

  it("every route, walked from the OpenAPI document, answers another tenant's user 404 for this tenant's ids and shows none of its data", async () => {
    const { runtime } = server;
    const ops = (await operations()).filter((o) => !o.public);
    const before = await runtime.events.headPosition();
    const ours = ['acc_demo_paper', orderId, signalId, 'strat_demo', 'usr_demo', 'tnt_demo', endpointId];
    let targeted = 0;
    for (const op of ops) {
      if (op.template === '/api/v1/stream') continue; // endless; its own spec shows each subscriber hears only its tenant
      const hasId = /\{(accountId|clientOrderId|signalId|strategyId|userId|endpointId|chatId|replayId)\}/.test(op.template);
      if (!hasId && op.method !== 'GET') continue; // a change without an id acts on the caller's own tenant (tested on its own)
      const res = await fetchJson<{ error?: { code: string } }>(runtime, op.path, { method: op.method, token: stranger, ...(op.body === undefined ? {} : { json: sample(op.body) }) });
      const label = `${op.method} ${op.path}: ${res.status} ${res.text.slice(0, 120)}`;
      if (hasId) {
        targeted++;
        expect(res.status, label).toBe(404);
      } else {
        expect([200, 403], label).toContain(res.status);
      }
      for (const id of ours) expect(res.text.includes(id), `${label} shows ${id}`).toBe(false);
    }
    expect(targeted).toBeGreaterThanOrEqual(8);
    expect(await runtime.events.headPosition()).toBe(before);
  });

  it("one tenant's kill switch for all its accounts never stops another tenant's trading", async () => {
    const { runtime } = server;
    expect((await fetchJson(runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: true, reason: 'their panic' }, token: stranger })).status).toBe(200);
    const accepted = await postAlert(runtime, marketAlert(runtime.demo!.secret, { id: 'auth-after-other-kill' }));
    expect(accepted.status).toBe(202);
    await quiesce(runtime);
    const signal = await fetchJson<{ outcome: string }>(runtime, `/api/v1/signals/${accepted.body.signalId}`);
    expect(signal.body.outcome).toBe('accepted');
    expect((await fetchJson<{ engaged: boolean }>(runtime, '/api/v1/kill-switch')).body.engaged).toBe(false);
    expect((await fetchJson<{ engaged: boolean }>(runtime, '/api/v1/kill-switch', { token: stranger })).body.engaged).toBe(true);
  });

  it('an admin adds users to its own tenant; below admin it is 403; taken usernames, weak passwords and extra fields are refused', async () => {
    const { runtime } = server;
    const add = (json: unknown, token?: string) => fetchJson<{ userId?: string; role?: string; error?: { code: string } }>(runtime, '/api/v1/users', { json, ...(token ? { token } : {}) });
    const created = await add({ username: 'tom', name: 'Tom', role: 'trader', password: 'trader-password-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'trader', name: 'Tom' });
    const tom = (await login(runtime, 'tom', 'trader-password-1'))!;
    expect((await fetchJson(runtime, '/api/v1/orders', { token: tom })).status).toBe(200);
    expect((await add({ username: 'x1', name: 'X', role: 'admin', password: 'another-password-1' }, tom)).status).toBe(403);
    expect((await fetchJson(runtime, '/api/v1/users', { token: tom })).status).toBe(403);
    expect((await add({ username: 'tom', name: 'Tom again', role: 'viewer', password: 'trader-password-2' })).body.error?.code).toBe('USERNAME_TAKEN');
    expect((await add({ username: 'weak', name: 'W', role: 'viewer', password: 'short' })).status).toBe(400);
    expect((await add({ username: 'mass', name: 'M', role: 'viewer', password: 'long-enough-pass', tenantId: 'tnt_other' })).status).toBe(400);
    const users = await fetchJson<{ items: { name: string }[] }>(runtime, '/api/v1/users');
    expect(users.body.items.map((u) => u.name)).toContain('Tom');
    expect((await fetchJson<{ items: { name: string }[] }>(runtime, '/api/v1/users', { token: stranger })).body.items.map((u) => u.name)).toEqual(['Sam']);
  });

  it('login: wrong passwords and extra fields are refused; refresh rotates; API keys work until revoked', async () => {
    const { runtime } = server;
    expect((await fetchJson(runtime, '/api/v1/auth/login', { json: { username: 'demo', password: 'nope' }, token: null })).status).toBe(401);
    expect((await fetchJson(runtime, '/api/v1/auth/login', { json: { username: 'demo', password: 'demo-password-for-tests', role: 'admin' }, token: null })).status).toBe(400);
    const pair = (await fetchJson<{ accessToken: string; refreshToken: string }>(runtime, '/api/v1/auth/login', { json: { username: 'vera', password: 'viewer-password-1' }, token: null })).body;
    const next = await fetchJson<{ accessToken: string; refreshToken: string }>(runtime, '/api/v1/auth/refresh', { json: { refreshToken: pair.refreshToken }, token: null });
    expect(next.status).toBe(200);
    expect((await fetchJson(runtime, '/api/v1/auth/refresh', { json: { refreshToken: pair.refreshToken }, token: null })).status).toBe(401); // reused
    expect((await fetchJson(runtime, '/api/v1/auth/refresh', { json: { refreshToken: next.body.refreshToken }, token: null })).status).toBe(401); // family retired
    const created = await fetchJson<{ key: string; keyId: string }>(runtime, '/api/v1/me/api-keys', { json: { name: 'script' } });
    expect(created.status).toBe(201);
    expect((await fetchJson(runtime, '/api/v1/orders', { token: created.body.key })).status).toBe(200);
    expect((await fetchJson(runtime, '/api/v1/me/api-keys', { json: { name: 'from a key' }, token: created.body.key })).status).toBe(403);
    const listed = await fetchJson<{ items: { keyId: string }[] }>(runtime, '/api/v1/me/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect((await fetchJson(runtime, `/api/v1/me/api-keys/${created.body.keyId}`, { method: 'DELETE', token: stranger })).status).toBe(404);
    expect((await fetchJson(runtime, `/api/v1/me/api-keys/${created.body.keyId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetchJson(runtime, '/api/v1/orders', { token: created.body.key })).status).toBe(401);
  });

  it('every route that takes a body refuses an oversized, malformed, mistyped or misshapen one with a stable 4xx, and nothing changes', async () => {
    const { runtime } = server;
    const ops = (await operations()).filter((o) => o.method !== 'GET');
    expect(ops.length).toBeGreaterThan(8);
    const nested = '['.repeat(5_000) + ']'.repeat(5_000);
    const bodies: { what: string; contentType: string; body: string | Buffer; statuses: number[]; codes: string[] }[] = [
      { what: 'oversized', contentType: 'application/json', body: JSON.stringify({ name: 'x'.repeat(300 * 1024) }), statuses: [413], codes: ['BODY_TOO_LARGE'] },
      { what: 'truncated JSON', contentType: 'application/json', body: '{"engaged": tru', statuses: [400], codes: ['MALFORMED_BODY'] },
      { what: 'empty JSON', contentType: 'application/json', body: '', statuses: [400], codes: ['MALFORMED_BODY'] },
      { what: 'not UTF-8', contentType: 'application/json', body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), statuses: [400], codes: ['VALIDATION_FAILED', 'MALFORMED_BODY'] },
      { what: 'an array', contentType: 'application/json', body: '[1,2,3]', statuses: [400], codes: ['VALIDATION_FAILED'] },
      { what: 'a string', contentType: 'application/json', body: '"engaged"', statuses: [400], codes: ['VALIDATION_FAILED'] },
      { what: 'null', contentType: 'application/json', body: 'null', statuses: [400], codes: ['VALIDATION_FAILED', 'MALFORMED_BODY'] },
      { what: 'deeply nested', contentType: 'application/json', body: nested, statuses: [400], codes: ['VALIDATION_FAILED'] },
      { what: 'XML', contentType: 'application/xml', body: '<engaged>true</engaged>', statuses: [415], codes: ['UNSUPPORTED_MEDIA_TYPE'] },
      { what: 'wrong field types', contentType: 'application/json', body: JSON.stringify({ engaged: 'yes', username: 7, password: [], name: {}, role: 1, apiKey: 1, secret: true, refreshToken: 0 }), statuses: [400], codes: ['VALIDATION_FAILED'] },
    ];
    const head = await runtime.events.headPosition();
    const seen = new Map<string, number>();
    for (const op of ops) {
      for (const attempt of bodies) {
        // a replay takes an alert history and its candles: its limit is 12 MiB (ADR-0025), its oversized body bigger
        const body = attempt.what === 'oversized' && op.template === '/api/v1/replays' ? JSON.stringify({ name: 'x'.repeat(13 * 1024 * 1024) }) : attempt.body;
        const res = await fetch(`${runtime.url}${op.path}`, { method: op.method, headers: { 'content-type': attempt.contentType, authorization: `Bearer ${await adminToken()}` }, body });
        const text = await res.text();
        const label = `${op.method} ${op.path} with ${attempt.what}: ${res.status} ${text.slice(0, 160)}`;
        // a route that takes no body refuses any well-formed one it is sent
        const parsed = attempt.contentType === 'application/json' && attempt.statuses[0] === 400 && !['MALFORMED_BODY'].includes(attempt.codes[0]!);
        const [statuses, codes] = op.body === undefined && parsed ? [[400], ['UNEXPECTED_BODY']] : [attempt.statuses, attempt.codes];
        expect(statuses, label).toContain(res.status);
        expect(codes, label).toContain((JSON.parse(text) as { error: { code: string } }).error.code);
        seen.set(String(res.status), (seen.get(String(res.status)) ?? 0) + 1);
      }
    }
    expect(await runtime.events.headPosition()).toBe(head);
    expect((await fetchJson(runtime, '/health')).status).toBe(200);
    expect(seen.get('413')).toBeGreaterThanOrEqual(ops.length - 2);
  });
});

/** The demo admin's token, fresh for each batch (an access token lives 15 minutes). */
let cachedAdmin: string | undefined;
async function adminToken(): Promise<string> {
  cachedAdmin ??= (await login(server.runtime, 'demo', DEMO_PASSWORD))!;
  return cachedAdmin;
}
