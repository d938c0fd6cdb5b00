import { eventTypesOf, givenUp, isCritical, noticeOf, retryDelay, type Notice, type NoticeKind, type RetryPolicy } from '../../domain/notices/notice.js';
import { isQuiet, type ChannelSettings } from '../../domain/notices/channel-settings.js';
import { quietDigest } from '../../domain/notices/digest.js';
import type { HeldNotices } from './held-notices.js';
import type { PatriotEventType } from '../../domain/events.js';
import type { CheckpointStore } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import { StaleCheckpointError } from '../ports/projection-store.js';
import type { BatchRange, Processor, RecordedOf } from '../processors/processor.js';
import type { NoticeSink } from './channel.js';
import type { Delivery, DeliveryLog } from './delivery-log.js';

/** A delivery stopped because its runner stopped (the lead moved, the endpoint was disabled): not a failure. */
export class DeliveryStopped extends Error {
  constructor() {
    super('delivery stopped');
  }
}

/** One destination of a channel: whose notices, which kinds, where to (the sink), and how to retry. */
export interface NoticeDestination {
  /** the checkpoint's name, e.g. outbound-webhook@<endpointId> */
  readonly processorId: string;
  /** the delivery log's key */
  readonly destinationId: string;
  readonly tenantId: string;
  readonly kinds: readonly NoticeKind[];
  readonly sink: NoticeSink;
  /** quiet hours in a time zone (absent: never quiet) */
  readonly quiet?: Pick<ChannelSettings, 'timeZone' | 'quietHours'>;
  /** extra work at the end of each pass, inside it (the daily summary): delivers through `deliver` */
  readonly onCaughtUp?: (deliver: (notice: Notice) => Promise<void>) => Promise<void>;
}

export interface NoticeDeliveryDeps {
  readonly checkpoints: CheckpointStore;
  readonly deliveries: DeliveryLog;
  /** where notices wait during quiet hours (needed when the destination has quiet hours) */
  readonly held?: HeldNotices;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  /** stops a delivery waiting or in flight (the runner is being stopped) */
  readonly signal: AbortSignal;
  /** one failed try (for a log line: never the URL nor a secret) */
  readonly onFailedAttempt?: (destinationId: string, delivery: Delivery) => void;
  /** events read per batch (default 100) */
  readonly batchSize?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Waits `ms`, or rejects with DeliveryStopped as soon as `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DeliveryStopped());
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stopped);
      resolve();
    };
    const stopped = () => {
      clearTimeout(timer);
      reject(new DeliveryStopped());
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', stopped, { once: true });
  });
}

/**
 * The processor of one destination (one runner each, so a destination that is down or slow delays
 * only itself): each of its tenant's events of the chosen kinds is delivered in log order, tried
 * again with exponential back-off until delivered or `giveUpAfterMs` after its first try (then
 * recorded failed and the next goes). The checkpoint (the event store's named checkpoints) moves
 * past each event as soon as it is delivered or given up, so a batch interrupted midway does not
 * send again what was delivered: at least once, and only the event in flight at a crash is sent twice,
 * with the same id. The first try's time is in the delivery log, so the deadline survives restarts.
 */
export function noticeDelivery(destination: NoticeDestination, deps: NoticeDeliveryDeps): Processor {
  const { processorId: name } = destination;
  const types: readonly PatriotEventType[] = eventTypesOf(destination.kinds);

  const deliver = async (notice: Notice): Promise<void> => {
    const known = await deps.deliveries.get(destination.destinationId, notice.id);
    if (known?.status === 'delivered' || known?.status === 'failed') return; // concluded before a crash, the checkpoint not yet past it
    let first = known ? Date.parse(known.firstAttemptAt) : deps.clock.now();
    let attempts = known?.attempts ?? 0;
    if (Number.isNaN(first)) first = deps.clock.now();
    for (;;) {
      if (deps.signal.aborted) throw new DeliveryStopped();
      const outcome = await destination.sink.deliver(notice, deps.signal);
      if (deps.signal.aborted && !outcome.ok) throw new DeliveryStopped();
      attempts += 1;
      const now = deps.clock.now();
      const base = { eventId: notice.id, type: notice.type, kind: notice.kind, attempts, firstAttemptAt: iso(first), lastAttemptAt: iso(now), ...(outcome.status !== undefined ? { lastStatusCode: outcome.status } : {}) };
      if (outcome.ok) {
        await deps.deliveries.put(destination.destinationId, { ...base, status: 'delivered', deliveredAt: iso(now) });
        return;
      }
      const wait = retryDelay(deps.retry, attempts);
      const over = givenUp(deps.retry, first, now) || givenUp(deps.retry, first, now + wait);
      const delivery: Delivery = { ...base, status: over ? 'failed' : 'pending', lastError: outcome.error, ...(over ? {} : { nextAttemptAt: iso(now + wait) }) };
      await deps.deliveries.put(destination.destinationId, delivery);
      deps.onFailedAttempt?.(destination.destinationId, delivery);
      if (over) return;
      await pause(wait, deps.signal);
    }
  };

  const quiet = (): boolean => destination.quiet !== undefined && deps.held !== undefined && isQuiet(destination.quiet, deps.clock.now());

  /** Once the quiet hours are over, what was held goes as one digest (recorded in the delivery log like any notice), then is released. */
  const flushHeld = async (): Promise<void> => {
    if (!deps.held || quiet()) return;
    const held = await deps.held.all(destination.destinationId);
    if (held.length === 0) return;
    await deliver(quietDigest(held.map((h) => h.notice), iso(deps.clock.now())));
    await deps.held.release(destination.destinationId, held.map((h) => h.position));
  };

  return {
    id: name,
    handles: types,
    runsOn: 'leader',
    batchSize: deps.batchSize ?? 100,
    checkpoint: () => deps.checkpoints.loadCheckpoint(name),
    async process(events: readonly RecordedOf<PatriotEventType>[], range: BatchRange): Promise<void> {
      // fenced like a reactor: another runner (a former leader) moved it meanwhile
      if ((await deps.checkpoints.loadCheckpoint(name)) !== range.from) throw new StaleCheckpointError(range.from);
      await flushHeld(); // what waited goes before what came after it
      for (const event of events) {
        if (event.metadata.tenantId !== destination.tenantId) continue;
        const notice = noticeOf(event);
        if (!notice || !destination.kinds.includes(notice.kind as NoticeKind)) continue;
        if (deps.held && !isCritical(notice) && quiet()) await deps.held.hold(destination.destinationId, notice, event.globalPosition);
        else await deliver(notice);
        await deps.checkpoints.saveCheckpoint(name, event.globalPosition); // past it for good, even if the batch stops later
      }
      await deps.checkpoints.saveCheckpoint(name, range.to);
    },
    // at the end of every pass (the owner also starts a pass every poll): the digest once the quiet hours ended, the daily summary when due
    async caughtUp(): Promise<void> {
      await flushHeld();
      await destination.onCaughtUp?.(deliver);
    },
  };
}
