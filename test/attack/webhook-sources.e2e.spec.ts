/**
 * Attack suite, issue 15 "Webhook source controls": a server-wide allowlist (PATRIOT_WEBHOOK_ALLOW,
 * with the `tradingview` preset) and a per-strategy one (allowedSources), applied to the client
 * address behind trusted proxies. A refused source gets 403 SOURCE_NOT_ALLOWED, nothing is
 * recorded, the strategy's budget is untouched, and the refusal spends the address's failure budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, marketAlert, quiesce, startTestServer, type TestServer } from '../support/server.js';
import { loadConfig, ConfigError } from '../../src/bootstrap/config.js';
import { recordSecrets } from '../support/secret-scan.js';
import { TRADINGVIEW_SENDERS } from '../../src/application/shared/source-allowlist.js';

const limits = { webhookPerMinute: 3, webhookAuthFailuresPerMinute: 4, loginsPerMinute: 100, refreshesPerMinute: 100, readsPerMinute: 1000, writesPerMinute: 1000, tradingPerMinute: 100 };
let proxied: TestServer; // behind a trusted proxy on loopback, allowlist tradingview + 198.51.100.0/24
let direct: TestServer; // no trusted proxy: X-Forwarded-For is ignored
let perStrategy: TestServer; // no server-wide list; one strategy with its own

async function send(server: TestServer, from: string | undefined, body: object, strategyId = 'strat_demo'): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${server.runtime.url}/webhook/${strategyId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(from ? { 'x-forwarded-for': from } : {}) },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { error?: { code: string } };
  return { status: response.status, ...(answer.error ? { code: answer.error.code } : {}) };
}

const signals = async (server: TestServer) => (await fetchJson<{ items: unknown[] }>(server.runtime, '/api/v1/signals')).body.items.length;

beforeAll(async () => {
  const behind = loadConfig({ PATRIOT_TRUST_PROXY: 'loopback', PATRIOT_WEBHOOK_ALLOW: 'tradingview, 198.51.100.0/24' }).security;
  proxied = await startTestServer({ config: { rateLimits: limits, security: behind } });
  direct = await startTestServer({ config: { rateLimits: limits, security: loadConfig({ PATRIOT_WEBHOOK_ALLOW: '203.0.113.9' }).security } });
  perStrategy = await startTestServer({ config: { rateLimits: limits, security: loadConfig({ PATRIOT_TRUST_PROXY: 'loopback' }).security } });
});
afterAll(async () => {
  for (const server of [proxied, direct, perStrategy]) await server.close();
  cleanupTempDirs();
});

describe('server-wide allowlist (PATRIOT_WEBHOOK_ALLOW)', () => {
  it("TradingView's sender addresses and a listed CIDR are let through; any other address gets 403 SOURCE_NOT_ALLOWED and nothing is recorded", async () => {
    const secret = proxied.runtime.demo!.secret;
    const before = await signals(proxied);
    expect(await send(proxied, TRADINGVIEW_SENDERS[0], marketAlert(secret, { id: 'tv-1' }))).toEqual({ status: 202 });
    expect(await send(proxied, '198.51.100.200', marketAlert(secret, { id: 'cidr-1' }))).toEqual({ status: 202 });
    const head = await quiesce(proxied.runtime);
    expect(await signals(proxied)).toBe(before + 2);
    // the right secret from elsewhere: refused before the body is read; nothing appended
    expect(await send(proxied, '203.0.113.50', marketAlert(secret, { id: 'outside-1' }))).toEqual({ status: 403, code: 'SOURCE_NOT_ALLOWED' });
    expect(await send(proxied, '::ffff:203.0.113.50', marketAlert(secret, { id: 'outside-2' }))).toEqual({ status: 403, code: 'SOURCE_NOT_ALLOWED' });
    expect(await quiesce(proxied.runtime)).toBe(head);
    expect(await signals(proxied)).toBe(before + 2);
  });

  it("refusals spend the address's failure budget (429 after it), never the strategy's: the owner's alert still goes through", async () => {
    const secret = proxied.runtime.demo!.secret;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(proxied, '203.0.113.77', marketAlert(secret, { id: `flood-${i}` }))).status);
    expect(statuses).toEqual([403, 403, 403, 403, 429, 429]);
    expect(await send(proxied, TRADINGVIEW_SENDERS[3], marketAlert(secret, { id: 'owner-1' }))).toEqual({ status: 202 });
    // the operator sees it at warn, with the address and never the secret
    expect(proxied.logs.text()).toMatch(/"security":"webhook_source_refused","source":"203\.0\.113\.77"/);
  });

  it('without a trusted proxy, X-Forwarded-For is ignored: a forged listed address does not get in', async () => {
    const secret = direct.runtime.demo!.secret;
    expect(await send(direct, '203.0.113.9', marketAlert(secret, { id: 'forged-1' }))).toEqual({ status: 403, code: 'SOURCE_NOT_ALLOWED' });
    expect(await send(direct, undefined, marketAlert(secret, { id: 'forged-2' }))).toEqual({ status: 403, code: 'SOURCE_NOT_ALLOWED' });
  });

  it('an entry that is not an address, a CIDR or "tradingview" refuses to start', () => {
    expect(() => loadConfig({ PATRIOT_WEBHOOK_ALLOW: 'tradingview,example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ PATRIOT_WEBHOOK_ALLOW: '10.0.0.0/33' })).toThrow(/PATRIOT_WEBHOOK_ALLOW/);
    expect(loadConfig({ PATRIOT_WEBHOOK_ALLOW: ' tradingview , 2001:db8::/32 ' }).security.webhookAllow).toEqual(['tradingview', '2001:db8::/32']);
    expect(loadConfig({}).security.webhookAllow).toBeUndefined();
  });
});

describe("a strategy's own allowlist (allowedSources)", () => {
  const accounts = [{ accountId: 'acc_demo_paper', sizing: { kind: 'signal_quantity', multiplier: '1' }, orderTemplate: { type: 'market' } }];
  let strategyId = '';
  let secret = '';

  it('is validated: anything but addresses, CIDRs and "tradingview" is 422 INVALID_SOURCE (400 for a malformed body) and records nothing', async () => {
    const before = (await fetchJson<{ items: unknown[] }>(perStrategy.runtime, '/api/v1/strategies')).body.items.length;
    const bad = await fetchJson<{ error: { code: string } }>(perStrategy.runtime, '/api/v1/strategies', { json: { name: 'x', accounts, allowedSources: ['tradingview', '300.1.1.1'] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('INVALID_SOURCE');
    const empty = await fetchJson<{ error: { code: string } }>(perStrategy.runtime, '/api/v1/strategies', { json: { name: 'x', accounts, allowedSources: [] } });
    expect(empty.status).toBe(400);
    expect((await fetchJson<{ items: unknown[] }>(perStrategy.runtime, '/api/v1/strategies')).body.items.length).toBe(before);
  });

  it('lets its listed senders through and answers others 403 SOURCE_NOT_ALLOWED without recording or spending its budget', async () => {
    const created = await fetchJson<{ strategy: { strategyId: string; allowedSources?: string[] }; webhook: { secret: string } }>(perStrategy.runtime, '/api/v1/strategies', {
      json: { name: 'listed', accounts, allowedSources: ['tradingview', '2001:db8::/32'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.strategy.allowedSources).toEqual(['tradingview', '2001:db8::/32']);
    strategyId = created.body.strategy.strategyId;
    secret = created.body.webhook.secret;
    recordSecrets(secret);
    const before = await signals(perStrategy);
    for (let i = 0; i < 5; i++) expect(await send(perStrategy, '203.0.113.60', marketAlert(secret, { id: `out-${i}` }), strategyId)).toMatchObject({ status: i < 4 ? 403 : 429 });
    expect(await signals(perStrategy)).toBe(before);
    // its budget (3/min) is whole: three alerts from listed senders go through
    expect(await send(perStrategy, TRADINGVIEW_SENDERS[1], marketAlert(secret, { id: 'in-1' }), strategyId)).toEqual({ status: 202 });
    expect(await send(perStrategy, '2001:db8::5', marketAlert(secret, { id: 'in-2' }), strategyId)).toEqual({ status: 202 });
    expect(await send(perStrategy, TRADINGVIEW_SENDERS[2], marketAlert(secret, { id: 'in-3' }), strategyId)).toEqual({ status: 202 });
    await quiesce(perStrategy.runtime);
    expect(await signals(perStrategy)).toBe(before + 3);
    // other strategies keep taking alerts from anywhere
    expect(await send(perStrategy, '203.0.113.61', marketAlert(perStrategy.runtime.demo!.secret, { id: 'demo-1' }))).toEqual({ status: 202 });
  });

  it('a sender outside the list without the secret gets the same 401 as for an unknown strategy (ids cannot be probed)', async () => {
    expect(await send(perStrategy, '203.0.113.62', marketAlert('wrong-secret-xxxxxxxx'), strategyId)).toEqual({ status: 401, code: 'INVALID_SECRET' });
    expect(await send(perStrategy, '203.0.113.62', marketAlert('wrong-secret-xxxxxxxx'), 'strat_nope')).toEqual({ status: 401, code: 'INVALID_SECRET' });
  });
});
