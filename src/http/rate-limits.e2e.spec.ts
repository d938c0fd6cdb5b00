/** Rate limits: per strategy on the webhook, per address on login, per user and endpoint on the API (strictest where trading is armed); 429 with standard headers, nothing changed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, marketAlert, postAlert, startTestServer, type TestServer } from '../../test/support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { rateLimits: { webhookPerMinute: 5, webhookAuthFailuresPerMinute: 3, loginsPerMinute: 4, readsPerMinute: 100, writesPerMinute: 3, tradingPerMinute: 2 }, corsOrigins: ['https://dash.example.com'] } });
});
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

describe('rate limits', () => {
  it("alerts with a wrong secret never spend the strategy's budget: the owner's alerts still go, and the sender address is slowed instead", async () => {
    const { runtime } = server;
    const wrong = (i: number) => postAlert(runtime, marketAlert('not-the-secret-0123456789', { id: `attack-${i}` }));
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await wrong(i)).status);
    expect(statuses).toEqual([401, 401, 401, ...Array<number>(9).fill(429)]);
    // the owner's valid alert from the same address is not blocked (TradingView's addresses are shared by everyone)
    expect((await postAlert(runtime, marketAlert(runtime.demo!.secret, { id: 'owner-after-attack' }))).status).toBe(202);
    // an unknown strategy answers like a wrong secret (its ids cannot be probed) — and is slowed the same way
    const unknown = await fetch(`${runtime.url}/webhook/strat_guess`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(marketAlert('whatever-secret-0123456789')) });
    expect(unknown.status).toBe(429);
  });

  it('the webhook takes a strategy budget of alerts, then answers 429 with Retry-After and records nothing', async () => {
    const { runtime } = server;
    // one of the 5 went to the owner's alert above
    for (let i = 0; i < 4; i++) expect((await postAlert(runtime, marketAlert(runtime.demo!.secret, { id: `rl-${i}` }))).status).toBe(202);
    await runtime.settle();
    const head = await runtime.events.headPosition();
    const refused = await fetch(`${runtime.url}/webhook/strat_demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(marketAlert(runtime.demo!.secret, { id: 'rl-over' })) });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-limit')).toBe('5');
    expect(await runtime.events.headPosition()).toBe(head);
  });

  it('API writes have a per-user budget; reads have their own; 429 carries RateLimit headers and changes nothing', async () => {
    const { runtime } = server;
    const kill = (engaged: boolean) => fetchJson<{ error?: { code: string } }>(runtime, '/api/v1/accounts/acc_demo_paper/kill-switch', { method: 'PUT', json: { engaged } });
    for (const engaged of [true, false, true]) expect((await kill(engaged)).status).toBe(200);
    await runtime.settle();
    const head = await runtime.events.headPosition();
    const over = await kill(false);
    expect(over.status).toBe(429);
    expect(over.body.error?.code).toBe('RATE_LIMITED');
    expect(await runtime.events.headPosition()).toBe(head);
    expect((await fetchJson(runtime, '/api/v1/orders')).status).toBe(200); // reads still go
    // the budget is per endpoint: the global kill switch has its own
    expect((await fetchJson(runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: false } })).status).toBe(200);
  });

  it('routes that arm trading (exchange keys) have the strictest per-endpoint budget', async () => {
    const { runtime } = server;
    const put = () => fetchJson<{ error?: { code: string } }>(runtime, '/api/v1/accounts/acc_demo_paper/credentials', { method: 'PUT', json: { apiKey: 'rate-limit-key-1234', secret: 'rate-limit-secret-5678' } });
    const first = [(await put()).status, (await put()).status];
    expect(first).not.toContain(429);
    const head = await runtime.events.headPosition();
    const over = await put();
    expect(over.status).toBe(429);
    expect(over.body.error?.code).toBe('RATE_LIMITED');
    expect(await runtime.events.headPosition()).toBe(head);
  });

  it('logins have a per-address budget (password guessing stops at 429)', async () => {
    const { runtime } = server;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetchJson(runtime, '/api/v1/auth/login', { json: { username: 'demo', password: `guess-${i}` }, token: null })).status);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]); // the helper's own login used one
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });

  it('CORS answers only the configured origin', async () => {
    const { runtime } = server;
    const allowed = await fetch(`${runtime.url}/api/v1/orders`, { method: 'OPTIONS', headers: { origin: 'https://dash.example.com', 'access-control-request-method': 'GET' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');
    const other = await fetch(`${runtime.url}/api/v1/orders`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
