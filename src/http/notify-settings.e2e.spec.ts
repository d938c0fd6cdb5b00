/**
 * A channel's choices over the API (issue 19): an endpoint's kinds, time zone, quiet hours and
 * summary time are changed with PUT …/settings and shown in the list; each bad value is a 400
 * with a stable code and changes nothing; another tenant's or an unknown endpoint is 404; the
 * Telegram link settings route answers 404 for a chat that is not linked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, demoOf, fetchJson, marketAlert, postAlert, quiesce, startTestServer, type TestServer } from '../../test/support/server.js';
import { WebhookReceiver } from '../../test/support/webhook-receiver.js';

let server: TestServer | undefined;
afterAll(async () => {
  await server?.close();
  cleanupTempDirs();
});

interface Endpoint { endpointId: string; kinds: string[]; timeZone: string; quietHours?: { from: string; to: string }; summaryAt: string }

describe('notification settings over the API', () => {
  it('changes an endpoint\'s kinds, time zone, quiet hours and summary time; refuses bad values with stable codes and changes nothing', async () => {
    server = await startTestServer({ config: { outbound: { allowPrivate: true, timeoutMs: 2000, retryBaseMs: 20, retryMaxMs: 200, giveUpAfterMs: 60_000, pollMs: 200 } } });
    const { runtime } = server;
    const created = await fetchJson<{ endpoint: Endpoint }>(runtime, '/api/v1/outbound-webhooks', { json: { url: 'https://discord.example.com/api/webhooks/1/token-xyz', format: 'discord' } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.endpoint.endpointId;
    expect(created.body.endpoint).toMatchObject({ kinds: ['fill', 'partial_fill', 'order_rejected', 'order_unknown', 'order_expired', 'order_cancelled', 'alert_rejected', 'kill_switch', 'reconciliation', 'daily_summary', 'circuit_breaker', 'stale_prices', 'takeover'], timeZone: 'UTC', summaryAt: '08:00' });

    const before = (await fetchJson<{ items: Endpoint[] }>(runtime, '/api/v1/outbound-webhooks')).body.items;
    for (const [body, status, code] of [
      [{ kinds: ['fill', 'funding_paid'] }, 400, 'UNKNOWN_EVENT_KIND'],
      [{ timeZone: 'Europe/Atlantis' }, 400, 'INVALID_TIME_ZONE'],
      [{ quietHours: { from: '22:00', to: '25:00' } }, 400, 'INVALID_QUIET_HOURS'],
      [{ summaryAt: '7:5' }, 400, 'INVALID_SUMMARY_TIME'],
      [{ kinds: ['fill'], extra: true }, 400, 'VALIDATION_FAILED'],
    ] as const) {
      const res = await fetchJson<{ error: { code: string } }>(runtime, `/api/v1/outbound-webhooks/${id}/settings`, { method: 'PUT', json: body });
      expect([res.status, res.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const missing = await fetchJson<{ error: { code: string } }>(runtime, '/api/v1/outbound-webhooks/owh_nope/settings', { method: 'PUT', json: { kinds: ['fill'] } });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'ENDPOINT_NOT_FOUND']);
    expect((await fetchJson<{ items: Endpoint[] }>(runtime, '/api/v1/outbound-webhooks')).body.items).toEqual(before);

    const changed = await fetchJson<Endpoint>(runtime, `/api/v1/outbound-webhooks/${id}/settings`, { method: 'PUT', json: { kinds: ['kill_switch', 'fill'], timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' }, summaryAt: '18:00' } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ kinds: ['fill', 'kill_switch'], timeZone: 'Europe/Berlin', quietHours: { from: '22:00', to: '07:00' }, summaryAt: '18:00' });
    const cleared = await fetchJson<Endpoint>(runtime, `/api/v1/outbound-webhooks/${id}/settings`, { method: 'PUT', json: { quietHours: null } });
    expect(cleared.body.quietHours).toBeUndefined();
    expect((await fetchJson<{ items: Endpoint[] }>(runtime, '/api/v1/outbound-webhooks')).body.items[0]).toMatchObject({ kinds: ['fill', 'kill_switch'], timeZone: 'Europe/Berlin', summaryAt: '18:00' });

    const notLinked = await fetchJson<{ error: { code: string } }>(runtime, '/api/v1/telegram/links/12345/settings', { method: 'PUT', json: { kinds: ['fill'] } });
    expect([notLinked.status, notLinked.body.error.code]).toEqual([404, 'LINK_NOT_FOUND']);
  }, 60_000);

  it('the daily summary carries the numbers the API answers for its window: PnL after fees, fees and trades per account, and the open positions', async () => {
    const { runtime } = server!;
    const { secret } = demoOf(runtime);
    for (const [action, quantity, price, id] of [['buy', '0.02', '97000', 'sum-1'], ['sell', '0.02', '97500', 'sum-2'], ['buy', '0.01', '97200', 'sum-3']] as const) {
      runtime.feed.setPrice('BTC/USDT', price);
      expect((await postAlert(runtime, marketAlert(secret, { id, action, quantity }))).status).toBe(202);
      await quiesce(runtime);
    }
    const receiver = new WebhookReceiver('/summary/path-token-ffffffffffff');
    await receiver.up();
    try {
      const created = await fetchJson<{ endpoint: Endpoint; secret: string }>(runtime, '/api/v1/outbound-webhooks', { json: { url: receiver.url, kinds: ['fill'] } });
      receiver.secret = created.body.secret;
      const id = created.body.endpoint.endpointId;
      // yesterday's summary went (as if it ran for a while): today's is due at 00:00 UTC, i.e. now
      await runtime.kv.set(`daily-summary/${id}`, JSON.stringify({ day: '2000-01-01', sent: true }));
      expect((await fetchJson(runtime, `/api/v1/outbound-webhooks/${id}/settings`, { method: 'PUT', json: { kinds: ['daily_summary'], timeZone: 'UTC', summaryAt: '00:00' } })).status).toBe(200);
      await receiver.waitFor(1);
      const summary = receiver.received[0]!;
      expect(summary).toMatchObject({ type: 'DailySummary', kind: 'daily_summary' });
      const data = summary.body.data as { from: string; to: string; accounts: { accountId: string; realizedPnl: string; fees: string; trades: number }[]; openPositions: { accountId: string; symbol: string; quantity: string }[] };
      expect(summary.id).toBe(`summary_${data.to.slice(0, 10)}`); // the UTC day it was made on
      const api = await fetchJson<{ accounts: { accountId: string; metrics: { realizedPnl: string; fees: string; trades: number } }[] }>(runtime, `/api/v1/analytics?from=${encodeURIComponent(data.from)}&to=${encodeURIComponent(data.to)}`);
      expect(api.status, api.text).toBe(200);
      expect(data.accounts).toEqual(api.body.accounts.map((a) => ({ accountId: a.accountId, realizedPnl: a.metrics.realizedPnl, fees: a.metrics.fees, trades: a.metrics.trades })));
      expect(data.accounts.length).toBeGreaterThan(0);
      expect(data.accounts[0]!.trades).toBeGreaterThan(0);
      const positions = await fetchJson<{ items: { accountId: string; symbol: string; quantity: string }[] }>(runtime, '/api/v1/positions');
      expect(data.openPositions.map((p) => [p.accountId, p.symbol, p.quantity])).toEqual(positions.body.items.filter((p) => Number(p.quantity) !== 0).map((p) => [p.accountId, p.symbol, p.quantity]));
      expect(data.openPositions.length).toBeGreaterThan(0);
    } finally {
      await receiver.down();
    }
  }, 60_000);
});
