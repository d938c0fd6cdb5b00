import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteKeyValueStore } from '../../adapters/kv/sqlite-key-value-store.js';
import { kekFrom } from '../../adapters/crypto/envelope.js';
import { sealingWebhookSecrets } from '../../adapters/credentials/sealed-webhook-secrets.js';
import { httpPoster } from '../../adapters/notify/http-poster.js';
import { PostgresEventStore } from '../../adapters/eventstore/postgres/postgres-event-store.js';
import { PostgresKeyValueStore } from '../../adapters/kv/postgres-key-value-store.js';
import { createPool } from '../../adapters/postgres/pool.js';
import { freshDatabase, testPgUrl } from '../../../test/support/postgres.js';
import type { CheckpointStore, EventStore } from '../ports/event-store.js';
import { WebhookReceiver } from '../../../test/support/webhook-receiver.js';
import type { KeyValueStore } from '../ports/key-value.js';
import type { RetryPolicy } from '../../domain/notices/notice.js';
import { EndpointStore } from './endpoint-store.js';
import { DeliveryLog, type Delivery } from './delivery-log.js';
import { HeldNotices } from './held-notices.js';
import { OutboundWebhooks, outboundCheckpointName } from './outbound-webhooks.js';
import { MAX_ENDPOINTS_PER_TENANT, OutboundAdmin } from './outbound-admin.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const systemTime = { now: () => Date.now() };
const clock = systemTime;
const FAST: RetryPolicy = { baseMs: 20, maxMs: 100, giveUpAfterMs: 86_400_000 };

/** The stores of one test: SQLite, or a fresh PostgreSQL database (when the run has a server). */
type Stores = { events: EventStore & CheckpointStore; raw: KeyValueStore; close(): Promise<void> };
const BACKENDS: [string, () => Promise<Stores>][] = [
  ['SQLite', async () => {
    const events = await SqliteEventStore.open({ path: ':memory:' });
    return { events, raw: new SqliteKeyValueStore(events.database), close: async () => events.close() };
  }],
  ...(testPgUrl ? [['PostgreSQL', async () => {
    const db = await freshDatabase('outbound');
    const pool = createPool(db.url, { max: 6 });
    const events = await PostgresEventStore.open({ pool, onListenerError: () => undefined });
    const raw = await PostgresKeyValueStore.open({ pool });
    return {
      events, raw,
      close: async () => {
        await events.close();
        await raw.close();
        await pool.end();
        await db.drop();
      },
    };
  }] as [string, () => Promise<Stores>]] : []),
];
let openStores: () => Promise<Stores> = BACKENDS[0]![1];

async function world(retry: RetryPolicy = FAST, clock: { now(): number } = systemTime) {
  const { events, raw, close } = await openStores();
  const key = kekFrom(randomBytes(32));
  const kv = sealingWebhookSecrets(raw, { current: key, all: new Map([[key.id, key]]) });
  const endpoints = new EndpointStore(kv);
  const deliveries = new DeliveryLog(kv);
  const poster = httpPoster({ allowPrivate: true, timeoutMs: 2000 });
  const webhooks = new OutboundWebhooks({ events, endpoints, deliveries, held: new HeldNotices(kv), poster, clock, log: quiet, retry, pollMs: 60_000, intervalMs: 5 });
  let n = 0;
  const admin = new OutboundAdmin({ events, endpoints, deliveries, held: new HeldNotices(kv), poster, clock, newId: () => `owh_${++n}`, newSecret: () => randomBytes(32).toString('hex'), changed: () => void webhooks.refresh() });
  closers.push(async () => {
    await webhooks.stop();
    await close();
  });
  const append = async (tenantId: string, streamId: string, type: string, data: object) => {
    const appended = await events.append({ streamId, expectedVersion: 'any', metadata: { tenantId, time: new Date().toISOString() }, events: [{ type, data }] });
    if (appended.kind !== 'appended') throw new Error('not appended');
    return appended.lastPosition;
  };
  let fills = 0;
  const fill = (tenantId = 't1') => {
    const i = ++fills;
    return append(tenantId, `order-c${i}`, 'OrderFilled', { clientOrderId: `c${i}`, accountId: 'a1', strategyId: 's1', tradeId: `tr${i}`, symbol: 'BTC/USDT', side: 'buy', quantity: '1', price: '100', fee: '0', feeCurrency: 'USDT', liquidity: 'taker', filledAt: new Date().toISOString(), cumulativeQuantity: '1', complete: true });
  };
  return { events, raw, kv, webhooks, admin, deliveries, append, fill };
}

async function receiver(path = '/hook'): Promise<WebhookReceiver> {
  const r = new WebhookReceiver(path);
  await r.up();
  closers.push(() => r.down());
  return r;
}

async function endpoint(w: Awaited<ReturnType<typeof world>>, r: WebhookReceiver, kinds: string[], tenantId = 't1') {
  const created = await w.admin.create(tenantId, { url: r.url, kinds });
  if (!created.ok) throw new Error(created.error.code);
  r.secret = created.value.secret;
  return created.value.endpoint.endpointId;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(BACKENDS)('signed outbound webhooks on %s', (_name, stores) => {
  beforeEach(() => {
    openStores = stores;
  });

  it('given two endpoints, when events of the chosen kinds are recorded, then each receives only its tenant\'s events of its kinds, signed, in log order, from the log\'s head', async () => {
    const w = await world();
    const a = await receiver('/a/secret-path-token');
    const b = await receiver('/b');
    await w.fill(); // before the endpoints exist: never sent
    const aId = await endpoint(w, a, ['fill', 'kill_switch']);
    await endpoint(w, b, ['fill']);
    await w.webhooks.start();
    const p1 = await w.fill();
    await w.fill('t2'); // another tenant's
    const p2 = await w.append('t1', 'account-a1', 'KillSwitchEngaged', { accountId: 'a1', reason: 'daily loss limit' });
    await w.append('t1', 'account-a1', 'AccountBalancesObserved', { accountId: 'a1', trigger: 'poll', balances: [], cleared: [] }); // not a told kind
    const p3 = await w.fill();
    await Promise.all([a.waitFor(3), b.waitFor(2)]);
    expect(a.ids()).toEqual([`evt_${p1}`, `evt_${p2}`, `evt_${p3}`]);
    expect(a.received.map((r) => r.kind)).toEqual(['fill', 'kill_switch', 'fill']);
    expect(a.received.every((r) => r.headerId === r.id && r.tenantId === 't1')).toBe(true);
    expect(a.received[1]!.body.data).toEqual({ accountId: 'a1', reason: 'daily loss limit' });
    expect(b.ids()).toEqual([`evt_${p1}`, `evt_${p3}`]);
    expect(a.badSignatures + b.badSignatures).toBe(0);
    const log = await until(() => w.admin.deliveries('t1', aId, 10), (l) => l.ok && l.value.length === 3);
    expect(log.ok && log.value.map((d) => [d.eventId, d.status, d.attempts])).toEqual([[`evt_${p3}`, 'delivered', 1], [`evt_${p2}`, 'delivered', 1], [`evt_${p1}`, 'delivered', 1]]);
    // sealed at rest: the raw settings store holds neither the URL's path nor the secret
    const stored = JSON.stringify(await w.raw.entries(''));
    expect(stored).not.toContain('secret-path-token');
    expect(stored).not.toContain(a.secret);
    const listed = await w.admin.list('t1');
    expect(listed.map((e) => e.maskedUrl)).toContain(`http://${new URL(a.url).host}/…`);
  });

  it('given an endpoint answering 500 for a long stretch, then another endpoint receives meanwhile, and the failing one receives every event later, in order, with the same ids; progress is kept per event', async () => {
    const w = await world();
    const down = await receiver('/down');
    const ok = await receiver('/ok');
    const downId = await endpoint(w, down, ['fill']);
    await endpoint(w, ok, ['fill']);
    await w.webhooks.start();
    const first = await w.fill();
    await down.waitFor(1);
    down.failing = true;
    const positions = [first];
    for (let i = 0; i < 5; i++) positions.push(await w.fill());
    await ok.waitFor(6); // the other endpoint is not held up
    expect(ok.ids()).toEqual(positions.map((p) => `evt_${p}`));
    await down.waitForFailures(4); // several tries with back-off
    const pending = await until(() => w.deliveries.get(downId, `evt_${positions[1]}`), (d) => (d?.attempts ?? 0) >= 3);
    expect(pending).toMatchObject({ status: 'pending', lastError: expect.stringContaining('HTTP 500'), lastStatusCode: 500 });
    // the checkpoint is past what was delivered, not past what is pending
    expect(await w.events.loadCheckpoint(outboundCheckpointName(downId))).toBe(first);
    // refusing connections now, instead of answering 500
    await down.down();
    await until(() => w.deliveries.get(downId, `evt_${positions[1]}`), (d) => d?.lastError === 'connection refused');
    await down.up();
    down.failing = false;
    await down.waitFor(6);
    expect(down.ids()).toEqual(positions.map((p) => `evt_${p}`));
    const recovered = (await w.deliveries.get(downId, `evt_${positions[1]}`))!;
    expect(recovered.status).toBe('delivered');
    expect(recovered.attempts).toBeGreaterThan(3);
    await until(() => w.events.loadCheckpoint(outboundCheckpointName(downId)), (c) => c === positions.at(-1));
  });

  it('given a batch failing at its second event, when the runner stops and another starts, then the first event is not sent again', async () => {
    const w = await world();
    const r = await receiver();
    const id = await endpoint(w, r, ['fill']);
    const [p1, p2, p3] = [await w.fill(), await w.fill(), await w.fill()]; // one batch for a runner starting now
    r.failingIds.add(`evt_${p2}`);
    await w.webhooks.start();
    await r.waitForFailures(2);
    expect(r.ids()).toEqual([`evt_${p1}`]);
    expect(await w.events.loadCheckpoint(outboundCheckpointName(id))).toBe(p1); // saved inside the batch, past what was delivered
    await w.webhooks.stop(); // the lead moves mid-batch
    // what the log holds once the old runner stopped (the request a stop cut short may or may not have been recorded)
    const triedBefore = (await w.deliveries.get(id, `evt_${p2}`))?.attempts ?? 0;
    expect(triedBefore).toBeGreaterThanOrEqual(1);
    r.failingIds.clear();
    const next = new OutboundWebhooks({ events: w.events, endpoints: new EndpointStore(w.kv), deliveries: w.deliveries, held: new HeldNotices(w.kv), poster: httpPoster({ allowPrivate: true }), clock, log: quiet, retry: FAST, pollMs: 60_000, intervalMs: 5 });
    closers.push(() => next.stop());
    await next.start();
    await r.waitFor(3);
    expect(r.ids()).toEqual([`evt_${p1}`, `evt_${p2}`, `evt_${p3}`]);
    expect((await w.deliveries.get(id, `evt_${p2}`))?.attempts).toBe(triedBefore + 1); // the count survives the hand-over
  });

  it('given an event not delivered within the give-up time, then it is recorded failed and the next events go', async () => {
    let skew = 0; // the clock jumps a day ahead once the event has been tried: no waiting for it
    const w = await world({ baseMs: 10, maxMs: 20, giveUpAfterMs: 86_400_000 }, { now: () => Date.now() + skew });
    const r = await receiver();
    const id = await endpoint(w, r, ['fill']);
    r.failing = true;
    await w.webhooks.start();
    const lost = await w.fill();
    await until(() => w.deliveries.get(id, `evt_${lost}`), (d) => (d?.attempts ?? 0) >= 2 && d?.status === 'pending');
    skew = 86_400_000;
    const failed = await until(() => w.deliveries.get(id, `evt_${lost}`), (d) => d?.status === 'failed');
    expect(failed!.lastError).toMatch(/^HTTP (500|401)/); // 401: the receiver refuses a signature a day ahead of its clock
    skew = 0;
    r.failing = false;
    const next = await w.fill();
    await r.waitFor(1);
    expect(r.ids()).toEqual([`evt_${next}`]);
  });

  it('given a disabled endpoint, when it is enabled again, then it starts at the log\'s head; removed, it stops and its log is gone', async () => {
    const w = await world();
    const r = await receiver();
    const id = await endpoint(w, r, ['fill']);
    await w.webhooks.start();
    const disabled = await w.admin.setEnabled('t1', id, false);
    expect(disabled.ok && disabled.value.enabled).toBe(false);
    await until(async () => w.webhooks.active, (a) => a.length === 0);
    await w.fill(); // while disabled: never sent
    await w.admin.setEnabled('t1', id, true);
    await until(async () => w.webhooks.active, (a) => a.length === 1);
    const p = await w.fill();
    await r.waitFor(1);
    expect(r.ids()).toEqual([`evt_${p}`]);
    expect((await w.admin.remove('t1', id)).ok).toBe(true);
    await until(async () => w.webhooks.active, (a) => a.length === 0);
    expect(await w.kv.entries('outbound-')).toEqual([]);
  });

  it('given two nodes, when an endpoint is created on the one that does not lead, then the leader picks it up by polling; a new leader resumes from the checkpoint', async () => {
    const w = await world();
    const r = await receiver();
    const follower = new OutboundWebhooks({ events: w.events, endpoints: new EndpointStore(w.kv), deliveries: w.deliveries, held: new HeldNotices(w.kv), poster: httpPoster({ allowPrivate: true }), clock, log: quiet, retry: FAST, pollMs: 50, intervalMs: 5 });
    const leader = new OutboundWebhooks({ events: w.events, endpoints: new EndpointStore(w.kv), deliveries: w.deliveries, held: new HeldNotices(w.kv), poster: httpPoster({ allowPrivate: true }), clock, log: quiet, retry: FAST, pollMs: 50, intervalMs: 5 });
    closers.push(() => leader.stop(), () => follower.stop());
    await leader.start();
    // the follower's admin: its refresh is a no-op (it does not lead); the leader's poll finds the endpoint
    const admin = new OutboundAdmin({ events: w.events, endpoints: new EndpointStore(w.kv), deliveries: w.deliveries, held: new HeldNotices(w.kv), poster: httpPoster({ allowPrivate: true }), clock, newId: () => 'owh_polled', newSecret: () => randomBytes(32).toString('hex'), changed: () => void follower.refresh() });
    const created = await admin.create('t1', { url: r.url, kinds: ['fill'] });
    if (!created.ok) throw new Error(created.error.code);
    r.secret = created.value.secret;
    await until(async () => leader.active, (a) => a.includes('owh_polled'));
    expect(follower.active).toEqual([]);
    const p1 = await w.fill();
    await r.waitFor(1);
    await until(() => w.events.loadCheckpoint(outboundCheckpointName('owh_polled')), (c) => c >= p1); // its answer is in (else it is in flight: sent again)
    await leader.stop(); // the lead moves
    const p2 = await w.fill(); // while nobody leads
    await follower.start();
    await r.waitFor(2);
    expect(r.ids()).toEqual([`evt_${p1}`, `evt_${p2}`]);
  });

  it('refuses bad input with stable codes and changes nothing; another tenant\'s endpoint is not found', async () => {
    const w = await world();
    const r = await receiver();
    const id = await endpoint(w, r, ['fill']);
    const before = await w.kv.entries('outbound-');
    const code = async (p: Promise<{ ok: boolean; error?: { code: string; message: string } }>) => {
      const res = await p;
      return res.ok ? 'ok' : res.error!.code;
    };
    expect(await code(w.admin.create('t1', { url: 'ftp://example.com/x', kinds: ['fill'] }))).toBe('INVALID_URL');
    expect(await code(w.admin.create('t1', { url: 'not a url https://hooks.slack.com/services/T000/B000/XXXXSECRET', kinds: ['fill'] }))).toBe('INVALID_URL');
    expect(await code(w.admin.create('t1', { url: r.url, kinds: ['fills'] }))).toBe('UNKNOWN_EVENT_KIND');
    expect(await code(w.admin.create('t1', { url: r.url, kinds: [] }))).toBe('UNKNOWN_EVENT_KIND');
    expect(await code(w.admin.setEnabled('t2', id, false))).toBe('ENDPOINT_NOT_FOUND');
    expect(await code(w.admin.remove('t2', id))).toBe('ENDPOINT_NOT_FOUND');
    expect(await code(w.admin.deliveries('t2', id, 10))).toBe('ENDPOINT_NOT_FOUND');
    expect(await code(w.admin.sendTest('t2', id))).toBe('ENDPOINT_NOT_FOUND');
    expect(await w.kv.entries('outbound-')).toEqual(before);
    const refused = await w.admin.create('t1', { url: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET#x', kinds: ['fill'] });
    expect(!refused.ok && refused.error.message).not.toContain('XXXXSECRET');
    for (let i = 1; i < MAX_ENDPOINTS_PER_TENANT; i++) expect(await code(w.admin.create('t1', { url: r.url, kinds: ['fill'] }))).toBe('ok');
    expect(await code(w.admin.create('t1', { url: r.url, kinds: ['fill'] }))).toBe('TOO_MANY_ENDPOINTS');
    expect(await code(w.admin.create('t2', { url: r.url, kinds: ['fill'] }))).toBe('ok');
  });

  it('sends a signed test delivery and records it; a failing one answers why', async () => {
    const w = await world();
    const r = await receiver();
    const id = await endpoint(w, r, ['fill']);
    const sent = await w.admin.sendTest('t1', id);
    expect(sent.ok && sent.value).toMatchObject({ delivered: true, statusCode: 200 });
    expect(r.received[0]).toMatchObject({ type: 'Test', kind: 'test', tenantId: 't1' });
    r.failing = true;
    const failed = await w.admin.sendTest('t1', id);
    expect(failed.ok && failed.value).toMatchObject({ delivered: false, statusCode: 500, error: expect.stringContaining('HTTP 500') });
    const log = await w.admin.deliveries('t1', id, 10);
    expect(log.ok && log.value.map((d: Delivery) => d.status).sort()).toEqual(['delivered', 'failed']);
  });
});
