import type { JetStreamClient, MsgHdrs, NatsConnection } from 'nats';
import type { EventSink, StreamMessage } from '../../application/ports/event-sink.js';

export interface NatsSinkOptions {
  /** nats://host:port (credentials in the URL are taken by the client) */
  readonly url: string;
  /** the JetStream stream kept for PATRIOT's subjects (created when missing) */
  readonly stream: string;
  /** every subject starts with this (the stream holds `<prefix>.>`) */
  readonly subjectPrefix: string;
  /** how long a publish waits for the stream's acknowledgement (default 5 s) */
  readonly timeoutMs?: number;
  /** the stream's duplicate window: a message id published again within it is dropped (default 10 min) */
  readonly duplicateWindowMs?: number;
}

/**
 * The event stream on NATS JetStream (issue 19; the `nats` client, NATS's own Node client — v2,
 * which speaks to the Debian nats-server 2.9 the tests run). Connects on first use and reconnects
 * by itself; makes sure the stream exists (file storage, the prefix's subjects, a duplicate window);
 * each message carries `Nats-Msg-Id` = the event id, so republishing after a crash stores nothing
 * twice within the window. A publish resolves once JetStream acknowledged it as stored.
 */
export function natsSink(options: NatsSinkOptions): EventSink {
  let ready: Promise<{ nc: NatsConnection; js: JetStreamClient; headers: () => MsgHdrs }> | undefined;
  const timeout = options.timeoutMs ?? 5000;

  const open = async () => {
    // loaded on the first publish: a server without PATRIOT_NATS_URL never loads the client
    const { connect, headers, nanos } = await import('nats');
    const nc = await connect({ servers: options.url, name: 'patriot', reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 500, timeout });
    try {
      const jsm = await nc.jetstreamManager({ timeout });
      const wanted = { subjects: [`${options.subjectPrefix}.>`], duplicate_window: nanos(options.duplicateWindowMs ?? 600_000) };
      try {
        await jsm.streams.info(options.stream);
        await jsm.streams.update(options.stream, wanted);
      } catch (error) {
        if (!/not found/i.test(String(error))) throw error;
        await jsm.streams.add({ name: options.stream, ...wanted });
      }
      return { nc, js: nc.jetstream({ timeout }), headers };
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
  };

  return {
    async publish(message: StreamMessage) {
      ready ??= open().catch((error: unknown) => {
        ready = undefined; // the next try connects again
        throw error;
      });
      const { js, headers } = await ready;
      const h = headers();
      for (const [k, v] of Object.entries(message.headers)) h.set(k, v);
      await js.publish(message.subject, new TextEncoder().encode(message.body), { msgID: message.id, headers: h, timeout });
    },
    async close() {
      const current = ready;
      ready = undefined;
      if (!current) return;
      const { nc } = await current.catch(() => ({ nc: undefined }));
      await nc?.drain().catch(() => undefined);
    },
  };
}
