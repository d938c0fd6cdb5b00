import type { RecordedEvent } from '../ports/event-store.js';
import type { EventOf, PatriotEventType } from '../../domain/events.js';

/**
 * A processor follows the log: everything that reacts to recorded events (read models, live
 * updates, notifications, the next capability's reactions) is one. It names:
 *  - an id (its checkpoint's name; stable across versions),
 *  - the event types it handles (typed: its handler sees each type's own data),
 *  - where it runs: on every node, on the leader only, or on the node owning the event's account
 *    (the lease keeper starts and stops it there),
 *  - how its progress is durable: `checkpoint()` reads it; `process()` commits the batch's effects
 *    together with the new checkpoint where the store allows (a projector's documents), or after
 *    idempotent effects (a reactor: at least once).
 * The runner (processor-runner.ts) does the rest once for all: reading batches after the
 * checkpoint, following appends, back-pressure (the next batch is read only after the last one is
 * committed), logging failures and measuring lag.
 */
export type RunsOn = 'every-node' | 'leader' | 'account-owner';

/** A recorded event whose data is typed by its type. */
export type RecordedOf<T extends PatriotEventType> = T extends PatriotEventType
  ? Omit<RecordedEvent, 'type' | 'data'> & { readonly type: T; readonly data: EventOf<T>['data'] }
  : never;

/** The range of the log a batch covers: events after `from` up to and including `to`. */
export interface BatchRange {
  readonly from: number;
  readonly to: number;
}

export interface Processor<T extends PatriotEventType = PatriotEventType> {
  readonly id: string;
  /** the event types it is given; other events only move its checkpoint */
  readonly handles: readonly T[] | 'all';
  readonly runsOn: RunsOn;
  /** its documents and checkpoint live with the read models: a rebuild of everything derived from the log makes them again */
  readonly rebuiltWithReadModels?: boolean;
  /** events read from the log per batch (default 1000) */
  readonly batchSize?: number;
  /**
   * Where its effects are durable up to (0: nothing processed yet). `scope`: the account, for a
   * processor running on each account's owner (one checkpoint per account, handed over with it).
   */
  checkpoint(scope?: string): Promise<number>;
  /**
   * Applies the handled events of (from, to] and makes them durable with `to` as the checkpoint.
   * Fenced: when the stored checkpoint is no longer `from` (another node processed meanwhile), it
   * commits nothing and throws StaleCheckpointError; the runner then takes up the stored one.
   */
  process(events: readonly RecordedOf<T>[], range: BatchRange, scope?: string): Promise<void>;
  /** The runner took up the stored checkpoint (start, or after another node moved it): forget what is cached. */
  resynced?(position: number): void;
  /** Drops its effects and checkpoint, for a replay from the start of the log. */
  reset?(): Promise<void>;
  /**
   * Called at the end of every pass, once the log is read to its head (also when the pass found
   * nothing new): for work that depends on the whole state rather than on one batch (routing the
   * signals still pending, handing over accounts taken meanwhile). Runs inside the pass, so it
   * never overlaps a batch.
   */
  caughtUp?(): Promise<void>;
}

/** Any processor, whatever events it handles (the registry's element type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProcessor = Processor<any>;

/** The name of a processor's checkpoint: per account for one running on each account's owner. */
export const checkpointName = (id: string, scope?: string): string => (scope === undefined ? id : `${id}@${scope}`);

/**
 * The handled events of a batch, typed (the log's data is JSON; its type names its shape), and
 * only the account's when the processor runs for one account.
 */
export function handledBy<T extends PatriotEventType>(processor: Pick<Processor<T>, 'handles'>, batch: readonly RecordedEvent[], accountId?: string): RecordedOf<T>[] {
  const types: ReadonlySet<string> | undefined = processor.handles === 'all' ? undefined : new Set(processor.handles);
  const handled = batch.filter((e) => (types === undefined || types.has(e.type)) && (accountId === undefined || e.data.accountId === accountId));
  return handled as unknown as RecordedOf<T>[];
}
