/**
 * A channel's choices over the API (issue 19): an endpoint's kinds, time zone, quiet hours and
 * summary time are changed with PUT …/settings and shown in the list; each bad value is a 400
 * with a stable code and changes nothing; another tenant's or an unknown endpoint is 404; the
 * Telegram link settings route answers 404 for a chat that is not linked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, startTestServer, type TestServer } from '../../test/support/server.js';

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
    expect(created.body.endpoint).toMatchObject({ kinds: ['fill', 'partial_fill', 'order_rejected', 'order_unknown', 'order_expired', 'order_cancelled', 'alert_rejected', 'kill_switch', 'reconciliation', 'daily_summary'], timeZone: 'UTC', summaryAt: '08:00' });

    const before = (await fetchJson<{ items: Endpoint[] }>(runtime, '/api/v1/outbound-webhooks')).body.items;
    for (const [body, status, code] of [
      [{ kinds: ['fill', 'takeover'] }, 400, 'UNKNOWN_EVENT_KIND'],
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
});
