import type { CheckpointStore, RecordedEvent } from '../ports/event-store.js';
import type { EventSink, StreamMessage } from '../ports/event-sink.js';
import { noticeIdOf } from '../../domain/notices/notice.js';
import { batchReactor } from './reactor.js';
import type { AnyProcessor } from './processor.js';

/** A subject token: NATS subjects split on dots and treat * and > as wildcards, so anything else becomes _. */
const token = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, '_') || '_';

/** The subject of an event: `<prefix>.<tenant>.<EventType>` (a consumer of one tenant subscribes to `<prefix>.<tenant>.>`). */
export const eventSubject = (prefix: string, tenantId: string, type: string): string => `${prefix}.${token(tenantId)}.${token(type)}`;

/** The message of a recorded event: its id is the same as outbound webhooks' (evt_<position>). */
export function streamMessageOf(prefix: string, e: RecordedEvent): StreamMessage {
  const id = noticeIdOf(e.globalPosition);
  const tenantId = e.metadata.tenantId;
  const body = JSON.stringify({
    id, position: e.globalPosition, streamId: e.streamId, streamVersion: e.streamVersion, type: e.type, time: e.metadata.time, tenantId,
    ...(e.metadata.correlationId !== undefined ? { correlationId: e.metadata.correlationId } : {}), data: e.data,
  });
  return { subject: eventSubject(prefix, tenantId, e.type), id, body, headers: { 'Patriot-Event-Type': e.type, 'Patriot-Position': String(e.globalPosition) } };
}

/**
 * Every event of every tenant to a message bus (issue 19), from a checkpointed processor on the
 * leader: in log order, each published and acknowledged before the next, at least once (a batch
 * done again after a crash republishes with the same ids; the bus drops those within its dedupe
 * window). A bus that is down holds back only this processor: the runner retries with back-off.
 */
export function eventStream(events: CheckpointStore, sink: EventSink, prefix: string): AnyProcessor {
  return batchReactor(events, {
    id: 'event-stream',
    handles: 'all',
    runsOn: 'leader',
    batchSize: 500,
    async reactToBatch(batch) {
      for (const e of batch) await sink.publish(streamMessageOf(prefix, e as RecordedEvent));
    },
  }) as AnyProcessor;
}
