/**
 * GET /api/v1/stream over real HTTP: authentication, tenant isolation, a change after an alert
 * (visible to a refetch), prices, the heartbeat, Last-Event-ID, the stream caps, and a close that
 * ends open streams instead of hanging on them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, fetchJson, login, marketAlert, postAlert, quiesce, startTestServer, waitUntil, type FillView, type Page, type TestServer } from '../../../../test/support/server.js';
import { openSse, type SseConnection, type SseMessage } from '../../../../test/support/sse.js';
import { registerUser } from '../../../application/commands/configure.js';
import { KeyedMutex } from '../../../application/shared/keyed-mutex.js';
import { systemClock } from '../../../adapters/system/system-clock.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamCursor } from './stream-cursor.js';
import { signingKeyFrom } from '../../../adapters/auth/kv-auth.js';

let server: TestServer;
let demoToken: string;
let otherToken: string;
const open: SseConnection[] = [];

const streamUrl = () => `${server.runtime.url}/api/v1/stream`;
async function stream(token: string | null, headers: Record<string, string> = {}): Promise<SseConnection> {
  const connection = await openSse(streamUrl(), token, headers);
  open.push(connection);
  return connection;
}
const changeData = (m: SseMessage) => JSON.parse(m.data) as { seq: number; topics: string[] };
/** the event id the server gives a change at this log position (the test reads the master key beside the data) */
const cursorAt = (position: number) =>
  new StreamCursor(signingKeyFrom(Buffer.from(readFileSync(join(server.dataDir, 'master.key'), 'utf8').trim(), 'base64'))).encode('tnt_demo', position);
const isChangeWith = (topic: string) => (m: SseMessage) => m.event === 'change' && changeData(m).topics.includes(topic);

beforeAll(async () => {
  server = await startTestServer({ config: { streams: { perUser: 3, total: 6, heartbeatMs: 200, credentialRecheckMs: 200 } } });
  const { runtime } = server;
  runtime.feed.setPrice('BTC/USDT', '97000');
  await registerUser({ store: runtime.events, mutex: new KeyedMutex(), clock: systemClock }, { userId: 'usr_sam', tenantId: 'tnt_other', name: 'Sam', role: 'admin' }, 'test');
  await runtime.auth.setLogin('sam', { userId: 'usr_sam', tenantId: 'tnt_other', role: 'admin' }, 'stranger-password-1');
  demoToken = (await login(runtime, 'demo', 'demo-password-for-tests'))!;
  otherToken = (await login(runtime, 'sam', 'stranger-password-1'))!;
});
afterAll(async () => {
  for (const c of open) c.close();
  await server.close();
  cleanupTempDirs();
});

function closeAll(): void {
  for (const c of open.splice(0)) c.close();
}

describe('GET /api/v1/stream', () => {
  it('needs a credential (401 without one, or with a forged one)', async () => {
    const none = await stream(null);
    expect(none.status).toBe(401);
    expect((await stream('not-a-token')).status).toBe(401);
    closeAll();
  });

  it('is an event stream; after an alert the change comes once the read models show it, and only to its tenant', async () => {
    const mine = await stream(demoToken);
    const theirs = await stream(otherToken);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('text/event-stream');
    const sent = await postAlert(server.runtime, marketAlert(server.runtime.demo!.secret, { id: 'sse-1' }));
    expect(sent.status).toBe(202);
    const change = await mine.next(isChangeWith('fills'));
    const data = changeData(change);
    // the id is opaque: it does not tell the log position (which counts every tenant's events)
    expect(change.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(data).not.toHaveProperty('position');
    expect(data.seq).toBeGreaterThan(0);
    expect(data.topics).toEqual(expect.arrayContaining(['fills', 'positions', 'orders']));
    // a refetch right after the message sees the fill
    const fills = await fetchJson<Page<FillView>>(server.runtime, '/api/v1/fills', { token: demoToken });
    expect(fills.body.items.length).toBeGreaterThan(0);
    // the other tenant heard nothing of it, but hears its own kill switch (later in the log: so a
    // change meant for the alert would have reached it first)
    expect((await fetchJson(server.runtime, '/api/v1/kill-switch', { method: 'PUT', json: { engaged: true, reason: 'test' }, token: otherToken })).status).toBe(200);
    await theirs.next(isChangeWith('kill-switch'));
    expect(theirs.messages.filter((m) => m.event === 'change').map((m) => changeData(m).topics)).toEqual([['kill-switch']]);
    // a later change of my own tenant is the barrier: the log past the kill switch was announced to
    // me, so a kill-switch topic meant for me would have come in it or before it
    expect((await postAlert(server.runtime, marketAlert(server.runtime.demo!.secret, { id: 'sse-2' }))).status).toBe(202);
    await waitUntil(() => mine.messages.filter(isChangeWith('fills')).length >= 2, "the second alert's fill on my stream");
    expect(mine.messages.filter(isChangeWith('kill-switch'))).toEqual([]);
    closeAll();
    await quiesce(server.runtime); // the alerts' later events are all in: nothing of this test reaches the next ones
  });

  it('sends mark prices (throttled) and a heartbeat comment', async () => {
    const s = await stream(demoToken);
    server.runtime.feed.setPrice('BTC/USDT', '97100');
    server.runtime.feed.setPrice('BTC/USDT', '97200');
    const price = await s.next((m) => m.event === 'price');
    expect(JSON.parse(price.data)).toMatchObject({ symbol: 'BTC/USDT', price: '97200' });
    expect(JSON.parse(price.data).at).toMatch(/^\d{4}-/);
    await s.next((m) => m.event === 'comment' && m.data === 'ping');
    closeAll();
  });

  it('Last-Event-ID: a client behind the read models gets a change at once; an up-to-date one does not', async () => {
    const head = await quiesce(server.runtime); // nothing is appended meanwhile: only Last-Event-ID can bring a change
    const behind = await stream(demoToken, { 'last-event-id': cursorAt(head - 1) });
    const at = await stream(demoToken, { 'last-event-id': cursorAt(head) });
    const change = await behind.next((m) => m.event === 'change');
    expect(change.id).toBe(cursorAt(head));
    // the change for a client behind is written before the response starts, so the first
    // heartbeat of the up-to-date one comes after where such a change would have been
    await at.next((m) => m.event === 'comment' && m.data === 'ping');
    const beforePing = at.messages.slice(0, at.messages.findIndex((m) => m.event === 'comment' && m.data === 'ping'));
    expect(beforePing.filter((m) => m.event === 'change')).toEqual([]);
    closeAll();
  });

  it('caps streams per user and in all: 429 TOO_MANY_STREAMS, and a closed stream frees its slot', async () => {
    const first = [await stream(demoToken), await stream(demoToken), await stream(demoToken)];
    expect(first.map((s) => s.status)).toEqual([200, 200, 200]);
    const over = await stream(demoToken);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ error: { code: 'TOO_MANY_STREAMS' } });
    first[0]!.close();
    // the server frees the slot once it sees the connection closed: ask until it does
    await waitUntil(async () => (await stream(demoToken)).status === 200, 'the closed stream\'s slot to be free');
    // 3 of demo's + 3 of sam's = the overall cap of 6
    expect((await stream(otherToken)).status).toBe(200);
    expect((await stream(otherToken)).status).toBe(200);
    expect((await stream(otherToken)).status).toBe(200);
    const full = await stream(otherToken);
    expect(full.status).toBe(429);
    expect(full.body).toMatchObject({ error: { code: 'TOO_MANY_STREAMS' } });
    closeAll();
  });

  it('lives no longer than its credential: a revoked API key ends the stream with event reauthenticate', async () => {
    closeAll();
    const created = await fetchJson<{ key: string; keyId: string }>(server.runtime, '/api/v1/me/api-keys', { json: { name: 'dashboard script' }, token: demoToken });
    expect(created.status).toBe(201);
    const viaKey = await stream(created.body.key);
    expect(viaKey.status).toBe(200);
    await viaKey.next((m) => m.event === 'comment' && m.data === 'ping'); // alive, and checked again meanwhile
    expect((await fetchJson(server.runtime, `/api/v1/me/api-keys/${created.body.keyId}`, { method: 'DELETE', token: demoToken })).status).toBe(204);
    const told = await viaKey.next((m) => m.event === 'reauthenticate', 5_000);
    expect(JSON.parse(told.data)).toEqual({ reason: 'INVALID_TOKEN' });
    await viaKey.ended;
    expect((await stream(created.body.key)).status).toBe(401);
    closeAll();
  });

  it('closing the server ends open streams instead of waiting for them', async () => {
    const a = await stream(demoToken);
    const b = await stream(otherToken);
    expect([a.status, b.status]).toEqual([200, 200]);
    // without ending them, close() would wait for the streams for ever (the test would time out)
    await server.runtime.close();
    await Promise.all([a.ended, b.ended]);
  });

});
