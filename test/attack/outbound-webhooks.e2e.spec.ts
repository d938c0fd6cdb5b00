/**
 * Attack suite, issue 19 "Signed outbound webhooks": whoever may add an endpoint could point the
 * server at its own network (SSRF). By default no delivery reaches a loopback, private,
 * link-local (cloud metadata) or reserved address: IP literals are refused before connecting, and
 * names are checked on the addresses they resolve to, at connect time (the `lookup` of the
 * connection), so a name that resolves to 127.0.0.1 is refused too. Only admins manage endpoints;
 * the URL's path and the signing secret never come back after creation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, demoOf, fetchJson, login, marketAlert, postAlert, startTestServer, waitUntil, type TestServer } from '../support/server.js';
import { recordSecrets } from '../support/secret-scan.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { addUser } from './support.js';

let server: TestServer;
const receiver = new WebhookReceiver('/private/path-token-dddddddddddd');

beforeAll(async () => {
  // the default guard (no PATRIOT_OUTBOUND_ALLOW_PRIVATE), fast retries
  server = await startTestServer({ config: { outbound: { allowPrivate: false, timeoutMs: 3000, retryBaseMs: 20, retryMaxMs: 100, giveUpAfterMs: 86_400_000, pollMs: 200 } } });
  server.runtime.feed.setPrice('BTC/USDT', '97000');
  recordSecrets(receiver.path);
  await receiver.up();
});
afterAll(async () => {
  await server.close();
  await receiver.down();
  cleanupTempDirs();
});

async function create(url: string): Promise<{ endpointId: string; secret: string }> {
  const res = await fetchJson<{ endpoint: { endpointId: string }; secret: string }>(server.runtime, '/api/v1/outbound-webhooks', { json: { url, kinds: ['fill'] } });
  expect(res.status, res.text).toBe(201);
  return { endpointId: res.body.endpoint.endpointId, secret: res.body.secret };
}

async function test(endpointId: string): Promise<{ delivered: boolean; error?: string }> {
  const res = await fetchJson<{ delivered: boolean; error?: string }>(server.runtime, `/api/v1/outbound-webhooks/${endpointId}/test`, { method: 'POST' });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe('outbound webhooks cannot reach the server\'s own network', () => {
  it('refuses loopback, private, link-local and metadata addresses, literal or resolved from a name, and a mapped IPv6 form', async () => {
    const port = new URL(receiver.url).port;
    for (const url of [
      receiver.url, // 127.0.0.1
      `http://localhost:${port}${receiver.path}`, // a name resolving to loopback: checked at connect time
      `http://[::ffff:127.0.0.1]:${port}${receiver.path}`,
      `http://[::1]:${port}${receiver.path}`,
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://10.0.0.1/', 'http://192.168.1.1/', 'http://0.0.0.0/',
    ]) {
      const { endpointId } = await create(url);
      const result = await test(endpointId);
      expect(result, url).toMatchObject({ delivered: false, error: expect.stringContaining('refused: the address is loopback, private, link-local or reserved') });
      expect((await fetchJson(server.runtime, `/api/v1/outbound-webhooks/${endpointId}`, { method: 'DELETE' })).status).toBe(200);
    }
    expect(receiver.received).toEqual([]);
    expect(receiver.badSignatures).toBe(0);
  });

  it('given a fill for an endpoint on a private address, then nothing leaves and the delivery log says why; trading goes on', async () => {
    const { endpointId, secret } = await create(receiver.url);
    receiver.secret = secret;
    expect((await postAlert(server.runtime, marketAlert(demoOf(server.runtime).secret, { quantity: '0.001', id: 'ssrf-fill-1' }))).status).toBe(202);
    const pending = await waitUntil(async () => {
      const res = await fetchJson<{ items: { status: string; attempts: number; lastError?: string }[] }>(server.runtime, `/api/v1/outbound-webhooks/${endpointId}/deliveries`);
      return res.body.items.find((d) => d.status === 'pending' && d.attempts >= 2);
    }, 'the refused delivery to be retried', 30_000);
    expect(pending.lastError).toContain('refused');
    expect(receiver.received).toEqual([]);
  });

  it('only admins manage endpoints; the URL path and the secret never come back after creation', async () => {
    const { endpointId, secret } = await create('https://hooks.example.com/services/T000/B000/outbound-url-secret-xyz');
    recordSecrets('outbound-url-secret-xyz', secret);
    for (const role of ['trader', 'viewer'] as const) {
      await addUser(server, `outbound-${role}`, role, `password-of-${role}-123`);
      const token = await login(server.runtime, `outbound-${role}`, `password-of-${role}-123`);
      expect((await fetchJson(server.runtime, '/api/v1/outbound-webhooks', { token: token! })).status, role).toBe(403);
      expect((await fetchJson(server.runtime, '/api/v1/outbound-webhooks', { token: token!, json: { url: 'https://example.com/x', kinds: ['fill'] } })).status, role).toBe(403);
      expect((await fetchJson(server.runtime, `/api/v1/outbound-webhooks/${endpointId}`, { token: token!, method: 'DELETE' })).status, role).toBe(403);
    }
    const list = await fetchJson(server.runtime, '/api/v1/outbound-webhooks');
    expect(list.text).toContain('https://hooks.example.com/…');
    expect(list.text).not.toContain('outbound-url-secret-xyz');
    expect(list.text).not.toContain(secret);
  });
});
