/**
 * The event stream (issue 19) on a real NATS JetStream server (Debian's nats-server, started here):
 * every event of every tenant arrives in log order on `<prefix>.<tenant>.<Type>`, once, replayable
 * from any position; a server killed for a while holds back only this processor and gets every
 * event later; a batch published again after a crash stores nothing twice (same message ids).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, AckPolicy, DeliverPolicy, type JsMsg } from 'nats';
import { SqliteEventStore } from '../../adapters/eventstore/sqlite/sqlite-event-store.js';
import { natsSink } from '../../adapters/events/nats-sink.js';
import { NatsServer, natsAvailable } from '../../../test/support/nats.js';
import { ProcessorRunner } from './processor-runner.js';
import { eventStream } from './event-stream.js';
import { checkpointName } from './processor.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** Every message of the stream from its first, as a consumer replaying it would read them. */
async function readAll(url: string, stream: string): Promise<{ subject: string; id: string; body: { id: string; position: number; type: string; tenantId: string; data: Record<string, unknown> } }[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream);
    const consumer = await nc.jetstream().consumers.get(stream, (await jsm.consumers.add(stream, { ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All })).name);
    const out: { subject: string; id: string; body: never }[] = [];
    if (info.state.messages === 0) return [];
    const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 2000 });
    for await (const m of messages as AsyncIterable<JsMsg>) {
      out.push({ subject: m.subject, id: m.headers?.get('Nats-Msg-Id') ?? '', body: JSON.parse(new TextDecoder().decode(m.data)) as never });
      if (out.length === info.state.messages) break;
    }
    return out;
  } finally {
    await nc.close();
  }
}

async function until(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((r) => setTimeout(r, 25));
}

describe.skipIf(!natsAvailable)('the event stream on NATS JetStream', () => {
  it('every event in log order per tenant and type; a server down for a while gets them later; republished batches store nothing twice', async () => {
    const nats = new NatsServer();
    await nats.start();
    closers.push(() => nats.close());
    const events = await SqliteEventStore.open({ path: ':memory:' });
    closers.push(() => events.close());
    const sink = natsSink({ url: nats.url, stream: 'PATRIOT_TEST', subjectPrefix: 'patriot', timeoutMs: 2000 });
    closers.push(() => sink.close());
    const processor = eventStream(events, sink, 'patriot');
    let failures = 0;
    const runner = new ProcessorRunner(events, processor, { intervalMs: 5, maxRetryMs: 200, observer: { failed: () => void failures++ } });
    closers.push(() => runner.stop());
    const append = async (tenantId: string, streamId: string, type: string, data: object) => {
      const r = await events.append({ streamId, expectedVersion: 'any', metadata: { tenantId, time: new Date().toISOString() }, events: [{ type, data }] });
      return r.kind === 'appended' ? r.lastPosition : 0;
    };
    await append('t1', 'account-a1', 'KillSwitchEngaged', { accountId: 'a1', reason: 'test' });
    await append('t2', 'account-b1', 'KillSwitchEngaged', { accountId: 'b1', reason: 'other tenant' });
    await runner.start();
    await until(async () => (await events.loadCheckpoint(checkpointName('event-stream'))) === 2);

    // the server dies: appends go on, the stream waits, then gets everything in order
    await nats.kill();
    await append('t1', 'account-a1', 'KillSwitchReleased', { accountId: 'a1' });
    const last = await append('t1.with.dots', 'account-c1', 'KillSwitchEngaged', { accountId: 'c1', reason: 'x' });
    await until(async () => failures >= 2); // tried, and tried again, while the server is away
    expect(await events.loadCheckpoint(checkpointName('event-stream'))).toBe(2);
    await nats.start();
    await until(async () => (await events.loadCheckpoint(checkpointName('event-stream'))) === last);

    // a crash after publishing but before the checkpoint: the batch is published again, stored once
    await runner.stop();
    await events.saveCheckpoint(checkpointName('event-stream'), 0);
    const again = new ProcessorRunner(events, processor, { intervalMs: 5, maxRetryMs: 200 });
    closers.push(() => again.stop());
    await again.start();
    await until(async () => (await events.loadCheckpoint(checkpointName('event-stream'))) === last);

    const got = await readAll(nats.url, 'PATRIOT_TEST');
    expect(got.map((m) => m.body.position)).toEqual([1, 2, 3, 4]);
    expect(got.map((m) => m.subject)).toEqual(['patriot.t1.KillSwitchEngaged', 'patriot.t2.KillSwitchEngaged', 'patriot.t1.KillSwitchReleased', 'patriot.t1_with_dots.KillSwitchEngaged']);
    expect(got.map((m) => m.id)).toEqual(['evt_1', 'evt_2', 'evt_3', 'evt_4']);
    expect(got[0]!.body).toMatchObject({ id: 'evt_1', type: 'KillSwitchEngaged', tenantId: 't1', data: { accountId: 'a1', reason: 'test' } });
  });
});
