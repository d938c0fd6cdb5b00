/**
 * Attack suite, issue 15, the Low list: a NUL in an alert is a 400 (not a 503 "send it again");
 * (USERNAME_TAKEN: see usernames-per-tenant.e2e.spec.ts); the live stream's
 * ids do not reveal the log position; /metrics can require a token; nosniff, frame protection and
 * no-store on the API and its docs; no public source map, compressed dashboard files; a lowercase
 * `bearer` scheme; generated secrets can be kept out of stdout.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, login, marketAlert, postAlert, startTestServer, type TestServer } from '../support/server.js';
import { openSse } from '../support/sse.js';
import { loadConfig } from '../../src/bootstrap/config.js';
import { printBanner, SECRETS_FILE } from '../../src/cli/banner.js';

const METRICS_TOKEN = 'metrics-token-0123456789';
let server: TestServer;
let stranger: string;

beforeAll(async () => {
  server = await startTestServer({ config: { security: { ...loadConfig({ PATRIOT_METRICS_TOKEN: METRICS_TOKEN }).security }, streams: { perUser: 5, total: 50, heartbeatMs: 150, credentialRecheckMs: 60_000 } } });
  await server.runtime.auth.setLogin('mallory', { userId: 'usr_mallory', tenantId: 'tnt_mallory', role: 'admin' }, 'mallory-password-1');
  stranger = (await login(server.runtime, 'mallory', 'mallory-password-1'))!;
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

describe('the Low findings of issue 15', () => {
  it('a NUL in an alert (its id, anywhere in the body, raw or escaped) is 400 MALFORMED_BODY and records nothing', async () => {
    const { runtime } = server;
    await runtime.settle();
    const head = await runtime.events.headPosition();
    const secret = runtime.demo!.secret;
    const escaped = await postAlert(runtime, marketAlert(secret, { id: 'nul\u0000id' }));
    expect(escaped.status).toBe(400);
    expect(escaped.body.error?.code).toBe('MALFORMED_BODY');
    expect((await postAlert(runtime, `secret=${secret}\naction=buy\nticker=BINANCE:BTCUSDT\nquantity=0.01\nid=a\u0000b`)).status).toBe(400);
    expect(await runtime.events.headPosition()).toBe(head);
    expect((await postAlert(runtime, marketAlert(secret, { id: 'no-nul' }))).status).toBe(202);
  });

  it("the live stream's ids are opaque and per tenant: they do not count other tenants' events, and another tenant's id resumes nothing", async () => {
    const { runtime } = server;
    const mine = await openSse(`${runtime.url}/api/v1/stream`, null, { authorization: `Bearer ${(await login(runtime, 'demo', 'demo-password-for-tests'))!}` });
    expect((await postAlert(runtime, marketAlert(runtime.demo!.secret, { id: 'cursor-1' }))).status).toBe(202);
    const change = await mine.next((m) => m.event === 'change');
    mine.close();
    expect(change.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(change.id).not.toBe(String(await runtime.events.headPosition()));
    expect(JSON.parse(change.data)).not.toHaveProperty('position');
    for (const lastEventId of [change.id!, '1']) {
      const theirs = await openSse(`${runtime.url}/api/v1/stream`, stranger, { 'last-event-id': lastEventId });
      await theirs.next((m) => m.event === 'comment' && m.data === 'ping');
      theirs.close();
      const beforePing = theirs.messages.slice(0, theirs.messages.findIndex((m) => m.event === 'comment' && m.data === 'ping'));
      expect(beforePing.filter((m) => m.event === 'change'), lastEventId).toEqual([]);
    }
  });

  it('/metrics needs the token when PATRIOT_METRICS_TOKEN is set', async () => {
    const url = `${server.runtime.url}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('# HELP');
  });

  it('nosniff, frame protection and no-store on /docs, /openapi.json and /api/*; the dashboard keeps its own policy', async () => {
    const { runtime } = server;
    const token = (await login(runtime, 'demo', 'demo-password-for-tests'))!;
    for (const path of ['/docs', '/docs/static/index.html', '/openapi.json', '/api/v1/orders', '/api/v1/nothing-here']) {
      const res = await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    const app = await fetch(`${runtime.url}/app/`);
    expect(app.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('the source map is not served; dashboard files come compressed to clients that accept it', async () => {
    const { runtime } = server;
    const index = await fetch(`${runtime.url}/app/`);
    expect(index.status, 'the dashboard is built (npm run build)').toBe(200);
    expect((await fetch(`${runtime.url}/app/app.js.map`)).status).toBe(404);
    const js = await fetch(`${runtime.url}/app/app.js`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-encoding')).toBe('br');
    expect(await js.text()).not.toContain('sourceMappingURL');
    const gz = await fetch(`${runtime.url}/app/app.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
  });

  it('accepts the bearer scheme in any letter case', async () => {
    const token = (await login(server.runtime, 'demo', 'demo-password-for-tests'))!;
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      expect((await fetch(`${server.runtime.url}/api/v1/orders`, { headers: { authorization: `${scheme} ${token}` } })).status, scheme).toBe(200);
    }
  });

  it('PATRIOT_BANNER_SECRETS=false keeps the webhook secret out of stdout, in a 0600 file of the data directory instead', async () => {
    const fresh = await startTestServer();
    try {
      const out = collect();
      printBanner(fresh.runtime, out, { secrets: false, dataDir: fresh.dataDir });
      const file = join(fresh.dataDir, SECRETS_FILE);
      expect(out.text()).not.toContain(fresh.runtime.demo!.secret);
      expect(out.text()).toContain(file);
      expect(readFileSync(file, 'utf8')).toContain(fresh.runtime.demo!.secret);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // the default still shows it (the first start of a laptop install)
      const shown = collect();
      printBanner(fresh.runtime, shown);
      expect(shown.text()).toContain(fresh.runtime.demo!.secret);
    } finally {
      await fresh.close();
    }
  });
});

function collect(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk.toString('utf8')), done()) });
  return Object.assign(stream, { text: () => chunks.join('') });
}
