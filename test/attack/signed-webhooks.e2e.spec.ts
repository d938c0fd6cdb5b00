/**
 * Attack suite, issue 15 "Webhook source controls": an optional HMAC signature for senders that
 * can sign (not TradingView). A strategy gets a signing key (shown once, stored sealed), may
 * require signatures, and then an alert must carry `X-Patriot-Signature: t=<unix s>,v1=<hex>`
 * over `<t>.<raw body>` within 5 minutes; a bad or missing one is a stable 401 that records
 * nothing and spends the sender address's failure budget exactly as a wrong secret does.
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, login, marketAlert, quiesce, startTestServer, type TestServer } from '../support/server.js';
import { loadConfig } from '../../src/bootstrap/config.js';
import { recordSecrets } from '../support/secret-scan.js';
import { addUser } from './support.js';

const limits = { webhookPerMinute: 1000, webhookAuthFailuresPerMinute: 6, loginsPerMinute: 100, refreshesPerMinute: 100, readsPerMinute: 1000, writesPerMinute: 1000, tradingPerMinute: 100 };
let server: TestServer;
let secret: string;
let alertNumber = 0;

beforeAll(async () => {
  server = await startTestServer({ config: { rateLimits: limits, security: loadConfig({ PATRIOT_TRUST_PROXY: 'loopback' }).security } });
  secret = server.runtime.demo!.secret;
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

/** The README's recipe: HMAC-SHA256 over "<t>.<raw body>" with the key as written. */
const sign = (key: string, body: string, t = Math.floor(Date.now() / 1000)) => `t=${t},v1=${createHmac('sha256', key).update(`${t}.${body}`).digest('hex')}`;
const freshBody = () => JSON.stringify(marketAlert(secret, { id: `signed-${++alertNumber}`, quantity: '0.001' }));

async function send(body: string, signature?: string, from = '198.51.100.1'): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${server.runtime.url}/webhook/strat_demo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...(signature !== undefined ? { 'x-patriot-signature': signature } : {}) },
    body,
  });
  const answer = (await response.json()) as { error?: { code: string } };
  return { status: response.status, ...(answer.error ? { code: answer.error.code } : {}) };
}

async function newKey(required?: boolean): Promise<string> {
  const created = await fetchJson<{ key: string; required: boolean }>(server.runtime, '/api/v1/strategies/strat_demo/signing-key', { json: required === undefined ? {} : { required } });
  expect(created.status).toBe(201);
  recordSecrets(created.body.key); // the scan fails the run if it reaches a log line
  return created.body.key;
}

describe('signed alerts (issue 15, webhook source controls)', () => {
  it('a strategy without a key takes alerts as before; the status says so', async () => {
    expect((await fetchJson(server.runtime, '/api/v1/strategies/strat_demo/signing-key')).body).toEqual({ configured: false, required: false });
    expect((await send(freshBody())).status).toBe(202);
    expect((await fetchJson(server.runtime, '/api/v1/strategies/strat_demo/signing-key/required', { method: 'PUT', json: { required: true } })).status).toBe(404);
  });

  it('with a key: a correct signature passes, a wrong or stale one is 401 INVALID_SIGNATURE and records nothing; once required, an unsigned alert is 401 SIGNATURE_REQUIRED', async () => {
    const key = await newKey();
    const status = await fetchJson<Record<string, unknown>>(server.runtime, '/api/v1/strategies/strat_demo/signing-key');
    expect(status.body).toMatchObject({ configured: true, required: false });
    expect(JSON.stringify(status.body)).not.toContain(key);

    const body = freshBody();
    expect(await send(body, sign(key, body))).toEqual({ status: 202 });
    expect((await send(freshBody())).status).toBe(202); // not required yet: unsigned still goes

    await quiesce(server.runtime);
    const head = await server.runtime.events.headPosition();
    const other = freshBody();
    const now = Math.floor(Date.now() / 1000);
    const wrongs = [
      sign('f'.repeat(64), other), // another key
      sign(key, freshBody()), // another body
      // far outside the 5 minutes either way (the exact edges, 300 and 301 s, are checked with a fixed clock in alert-signature.unit.spec.ts;
      // here the server's clock moves on while the test runs, so an edge case would depend on the machine's speed)
      sign(key, other, now - 3600), // an hour old
      sign(key, other, now + 3600), // an hour in the future
      `t=${now},v1=${'0'.repeat(64)}`,
      'v1=abc',
    ];
    for (const signature of wrongs) expect(await send(other, signature, '198.51.100.2')).toEqual({ status: 401, code: 'INVALID_SIGNATURE' });
    expect(await server.runtime.events.headPosition()).toBe(head);

    const required = await fetchJson(server.runtime, '/api/v1/strategies/strat_demo/signing-key/required', { method: 'PUT', json: { required: true } });
    expect(required.body).toMatchObject({ configured: true, required: true });
    expect(await send(freshBody(), undefined, '198.51.100.3')).toEqual({ status: 401, code: 'SIGNATURE_REQUIRED' });
    expect(await server.runtime.events.headPosition()).toBe(head);
    const signed = freshBody();
    expect(await send(signed, sign(key, signed, now - 60))).toEqual({ status: 202 }); // a minute old: within the tolerance
    // the signature does not replace the secret: a signed alert with a wrong secret is still refused
    const noSecret = JSON.stringify(marketAlert('wrong-secret', { id: `signed-${++alertNumber}` }));
    expect(await send(noSecret, sign(key, noSecret), '198.51.100.4')).toEqual({ status: 401, code: 'INVALID_SECRET' });
  });

  it("signature failures spend the sender address's failure budget like a wrong secret (then 429), and never the strategy's", async () => {
    const key = await newKey(true);
    const from = '198.51.100.50';
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const body = freshBody();
      statuses.push((await send(body, i % 2 ? undefined : sign('0'.repeat(64), body), from)).status);
    }
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    // a properly signed alert from that address still goes (the budget stops failures only), as do other senders
    const good = freshBody();
    expect(await send(good, sign(key, good), from)).toEqual({ status: 202 });
    const other = freshBody();
    expect(await send(other, sign(key, other), '198.51.100.51')).toEqual({ status: 202 });
  });

  it('rotating stops the old key at once and keeps "required"; removing the key takes unsigned alerts again; a test alert is signed for the user', async () => {
    const old = await newKey(true);
    // a bare POST (no body) rotates too
    const bare = await fetchJson<{ key: string; required: boolean }>(server.runtime, '/api/v1/strategies/strat_demo/signing-key', { method: 'POST' });
    expect(bare.status).toBe(201);
    recordSecrets(bare.body.key);
    expect(bare.body.required).toBe(true);
    const rotated = await newKey();
    expect(rotated).not.toBe(old);
    expect((await fetchJson(server.runtime, '/api/v1/strategies/strat_demo/signing-key')).body).toMatchObject({ required: true });
    const body = freshBody();
    expect(await send(body, sign(old, body), '198.51.100.60')).toEqual({ status: 401, code: 'INVALID_SIGNATURE' });
    expect(await send(body, sign(rotated, body), '198.51.100.60')).toEqual({ status: 202 });
    const test = await fetchJson<{ status: string }>(server.runtime, '/api/v1/strategies/strat_demo/test-alert', { json: { action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.001' } });
    expect(test.body.status).toBe('accepted');

    expect((await fetchJson(server.runtime, '/api/v1/strategies/strat_demo/signing-key', { method: 'DELETE' })).body).toEqual({ configured: false, required: false });
    expect((await send(freshBody(), undefined, '198.51.100.61')).status).toBe(202);
    expect((await fetchJson(server.runtime, '/api/v1/strategies/strat_demo/signing-key', { method: 'DELETE' })).status).toBe(404);
  });

  it('the key is stored sealed (never in plain text in the kv table), only traders and admins manage it, and other tenants see 404', async () => {
    const key = await newKey();
    const db = new Database(join(server.dataDir, 'patriot.db'), { readonly: true });
    try {
      const row = db.prepare("SELECT value FROM kv WHERE key = 'webhook-signing/strat_demo'").get() as { value: string };
      expect(row.value).toContain('"sealed"');
      expect(row.value).not.toContain(key);
    } finally {
      db.close();
    }
    await addUser(server, 'signing-viewer', 'viewer', 'signing-viewer-password');
    const viewer = (await login(server.runtime, 'signing-viewer', 'signing-viewer-password'))!;
    expect((await fetchJson(server.runtime, '/api/v1/strategies/strat_demo/signing-key', { json: {}, token: viewer })).status).toBe(403);
    expect((await fetchJson(server.runtime, '/api/v1/strategies/strat_demo/signing-key/required', { method: 'PUT', json: { required: false }, token: viewer })).status).toBe(403);
    await server.runtime.auth.setLogin('signing-stranger', { userId: 'usr_signing_stranger', tenantId: 'tnt_signing_stranger', role: 'admin' }, 'stranger-password-1');
    const stranger = (await login(server.runtime, 'signing-stranger', 'stranger-password-1'))!;
    for (const [method, path] of [['GET', ''], ['POST', ''], ['DELETE', ''], ['PUT', '/required']] as const) {
      const answer = await fetchJson<{ error: { code: string } }>(server.runtime, `/api/v1/strategies/strat_demo/signing-key${path}`, { method, token: stranger, ...(method === 'POST' ? { json: {} } : method === 'PUT' ? { json: { required: false } } : {}) });
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('STRATEGY_NOT_FOUND');
    }
  });
});
