import { digestText, messagesLeft, nextSlotAt, planSends, quietDigest, type DigestPolicy } from '../../../domain/notices/digest.js';
import { isQuiet, type ChannelSettings } from '../../../domain/notices/channel-settings.js';
import type { HeldNotices } from '../held-notices.js';
import type { DeliveryLog } from '../delivery-log.js';
import { noticeText } from '../../../domain/notices/notice-text.js';
import { eventTypesOf, givenUp, isCritical, noticeOf, retryDelay, type Notice, type NoticeKind, type RetryPolicy } from '../../../domain/notices/notice.js';
import type { PatriotEventType } from '../../../domain/events.js';
import type { CheckpointStore } from '../../ports/event-store.js';
import type { Clock } from '../../ports/clock.js';
import type { TelegramApi } from '../../ports/telegram-api.js';
import { StaleCheckpointError } from '../../ports/projection-store.js';
import type { BatchRange, Processor, RecordedOf } from '../../processors/processor.js';
import { DeliveryStopped, pause } from '../notice-delivery.js';

/** The checkpoint of a linked chat's notices (the event store's named checkpoints). */
export const telegramCheckpointName = (tenantId: string, chatId: number): string => `telegram@${tenantId}/${chatId}`;
/** A chat's key in the delivery log (the outbound endpoints' log, another key space). */
export const telegramDeliveryKey = (tenantId: string, chatId: number): string => `telegram@${tenantId}:${chatId}`;

/** Telegram's limit is 4,096 characters a message. */
const MAX_TEXT = 4000;

export interface TelegramDeliveryDeps {
  readonly api: TelegramApi;
  readonly checkpoints: CheckpointStore;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly digest: DigestPolicy;
  /** where notices wait during the chat's quiet hours */
  readonly held: HeldNotices;
  /** each message's status, attempts and last error (never the token), for the API */
  readonly deliveries: DeliveryLog;
  /** extra work at the end of each pass (the daily summary): sends through `send` */
  readonly onCaughtUp?: (send: (notice: Notice) => Promise<void>) => Promise<void>;
  /** stops a wait or a request in flight (the runner is being stopped) */
  readonly signal: AbortSignal;
  /** a failed try or a message given up (never the token: the API port leaves it out) */
  readonly onFailure?: (what: { chatId: number; attempts: number; error: string; givenUp: boolean }) => void;
}

/** A request in flight is finished when the runner stops (within the API's deadline): stopping never makes a sent message look unsent. */
const UNSTOPPED = new AbortController().signal;

const cut = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

/**
 * The processor of one linked chat (one runner each, on the leader): its tenant's notices of the
 * bot's kinds, in log order, as plain-text messages (no parse mode, so nothing from an event's
 * data is markup). At most `digest.maxMessages` per `digest.windowMs`: when more wait than the
 * window allows, the last message of the window is one digest of all the rest of the batch (counts
 * per kind, fills per symbol and side), and the next window starts after it. A 429 waits Telegram's
 * `retry_after`; other failures back off exponentially and a message is given up after
 * `retry.giveUpAfterMs`, or at once when Telegram refuses it for good (400, 403: the chat is gone
 * or the user blocked the bot). The checkpoint moves past each notice (or digest) once sent: at
 * least once. Stopping (the lead lost) ends the waits at once but lets a message in flight finish
 * and be checkpointed, so only a crash sends one again.
 */
export function telegramDelivery(tenantId: string, chatId: number, settings: ChannelSettings, deps: TelegramDeliveryDeps): Processor {
  const name = telegramCheckpointName(tenantId, chatId);
  const { kinds } = settings;
  const heldAt = name; // held notices are keyed like the checkpoint
  const sentAt: number[] = [];

  const logKey = telegramDeliveryKey(tenantId, chatId);
  const iso = (ms: number) => new Date(ms).toISOString();

  /** Sends one message (a notice, a digest, a summary: `notice` names it in the delivery log) until sent or given up. */
  const send = async (notice: Pick<Notice, 'id' | 'type' | 'kind'>, text: string): Promise<void> => {
    let attempts = 0;
    const first = deps.clock.now();
    const record = (status: 'delivered' | 'pending' | 'failed', extra: { lastError?: string; lastStatusCode?: number; nextAttemptAt?: string } = {}) => {
      const now = deps.clock.now();
      return deps.deliveries.put(logKey, {
        eventId: notice.id, type: notice.type, kind: notice.kind, status, attempts: Math.max(attempts, 1), firstAttemptAt: iso(first), lastAttemptAt: iso(now), ...extra, ...(status === 'delivered' ? { deliveredAt: iso(now) } : {}),
      });
    };
    for (;;) {
      if (deps.signal.aborted) throw new DeliveryStopped();
      const outcome = await deps.api.sendMessage(chatId, cut(text), undefined, UNSTOPPED);
      if (outcome.ok) {
        attempts += 1;
        await record('delivered');
        if (sentAt.length > deps.digest.maxMessages * 4) sentAt.splice(0, sentAt.length - deps.digest.maxMessages);
        return;
      }
      if (deps.signal.aborted) throw new DeliveryStopped();
      attempts += 1;
      if (outcome.status === 429) {
        await record('pending', { lastError: outcome.error, lastStatusCode: 429 });
        await pause(Math.max(1, outcome.retryAfterS ?? 1) * 1000, deps.signal); // as Telegram asks; not a failure
        continue;
      }
      const permanent = outcome.status === 400 || outcome.status === 403;
      const wait = retryDelay(deps.retry, attempts);
      const over = permanent || givenUp(deps.retry, first, deps.clock.now() + wait);
      deps.onFailure?.({ chatId, attempts, error: outcome.error, givenUp: over });
      await record(over ? 'failed' : 'pending', { lastError: outcome.error, ...(outcome.status !== undefined ? { lastStatusCode: outcome.status } : {}), ...(over ? {} : { nextAttemptAt: iso(deps.clock.now() + wait) }) });
      if (over) return;
      await pause(wait, deps.signal);
    }
  };

  /** Once the quiet hours are over, what was held goes as one digest message, then is released (a crash between the two sends it once more). */
  const flushHeld = async (): Promise<void> => {
    if (isQuiet(settings, deps.clock.now())) return;
    const held = await deps.held.all(heldAt);
    if (held.length === 0) return;
    const digest = quietDigest(held.map((h) => h.notice), iso(deps.clock.now()));
    await send(digest, `PATRIOT · ${noticeText(digest)}`);
    await deps.held.release(heldAt, held.map((h) => h.position));
  };

  return {
    id: name,
    handles: eventTypesOf(kinds),
    runsOn: 'leader',
    batchSize: 1000,
    checkpoint: () => deps.checkpoints.loadCheckpoint(name),
    async process(events: readonly RecordedOf<PatriotEventType>[], range: BatchRange): Promise<void> {
      if ((await deps.checkpoints.loadCheckpoint(name)) !== range.from) throw new StaleCheckpointError(range.from);
      await flushHeld(); // what waited goes before what came after it
      const told: { notice: Notice; position: number }[] = [];
      for (const event of events) {
        if (event.metadata.tenantId !== tenantId) continue;
        const notice = noticeOf(event);
        if (!notice || !kinds.includes(notice.kind as NoticeKind)) continue;
        if (!isCritical(notice) && isQuiet(settings, deps.clock.now())) await deps.held.hold(heldAt, notice, event.globalPosition); // before the checkpoint passes it
        else told.push({ notice, position: event.globalPosition });
      }
      for (let i = 0; i < told.length; ) {
        const now = deps.clock.now();
        const plan = planSends(told.length - i, messagesLeft(deps.digest, sentAt, now));
        if (plan.single === 0 && !plan.digest) {
          await pause(Math.max(1, nextSlotAt(deps.digest, sentAt, now) - now), deps.signal);
          continue;
        }
        for (const { notice, position } of told.slice(i, i + plan.single)) {
          await send(notice, `PATRIOT · ${noticeText(notice)}`);
          await deps.checkpoints.saveCheckpoint(name, position);
          i += 1;
        }
        if (plan.digest) {
          const rest = told.slice(i).map((t) => t.notice);
          await send({ id: `digest_${rest[rest.length - 1]!.id}`, type: 'Digest', kind: 'digest' }, `PATRIOT · ${digestText(rest)}`);
          await deps.checkpoints.saveCheckpoint(name, told[told.length - 1]!.position);
          i = told.length;
        }
      }
      await deps.checkpoints.saveCheckpoint(name, range.to);
    },
    async caughtUp(): Promise<void> {
      await flushHeld();
      await deps.onCaughtUp?.((notice) => send(notice, `PATRIOT · ${noticeText(notice)}`));
    },
  };
}
