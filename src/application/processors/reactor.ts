import type { CheckpointStore } from '../ports/event-store.js';
import { StaleCheckpointError } from '../ports/projection-store.js';
import { checkpointName, type BatchRange, type Processor, type RecordedOf, type RunsOn } from './processor.js';
import type { PatriotEventType } from '../../domain/events.js';

/** A reaction with effects outside the read models (appending events, telling someone): each must be idempotent. */
export interface Reaction<T extends PatriotEventType> {
  readonly id: string;
  readonly handles: readonly T[];
  readonly runsOn: RunsOn;
  readonly batchSize?: number;
  /** the effect of one event; called again for the same event after a crash, so idempotent (e.g. an append with an expected version) */
  react(event: RecordedOf<T>): Promise<void>;
}

/** A reaction to a whole batch at once (e.g. one snapshot per account touched, not one per event); idempotent like a Reaction. */
export interface BatchReaction<T extends PatriotEventType> {
  readonly id: string;
  /** the types it is given, or every event ('all') */
  readonly handles: readonly T[] | 'all';
  readonly runsOn: RunsOn;
  readonly batchSize?: number;
  /** the effect of the batch's handled events (possibly none); done again after a crash, so idempotent */
  reactToBatch(events: readonly RecordedOf<T>[], range: BatchRange): Promise<void>;
}

/**
 * A reaction as a processor. Its effects live elsewhere than its checkpoint (the event store's
 * named checkpoints), so they cannot commit together: the checkpoint is saved after the batch's
 * effects (at least once), and the effects are idempotent, so a batch done again after a crash
 * changes nothing twice. The stored checkpoint is checked before a batch (a node that lost the
 * duty stops at its next batch; the idempotence covers the overlap).
 */
export function reactor<T extends PatriotEventType>(events: CheckpointStore, reaction: Reaction<T>): Processor<T> {
  const { react, ...rest } = reaction;
  return batchReactor(events, {
    ...rest,
    async reactToBatch(batch) {
      for (const e of batch) await react.call(reaction, e);
    },
  });
}

/** A batch reaction as a processor (at least once, as `reactor`). */
export function batchReactor<T extends PatriotEventType>(events: CheckpointStore, reaction: BatchReaction<T>): Processor<T> {
  return {
    id: reaction.id,
    handles: reaction.handles,
    runsOn: reaction.runsOn,
    ...(reaction.batchSize !== undefined ? { batchSize: reaction.batchSize } : {}),
    checkpoint: (scope) => events.loadCheckpoint(checkpointName(reaction.id, scope)),
    async process(batch: readonly RecordedOf<T>[], range: BatchRange, scope?: string): Promise<void> {
      const name = checkpointName(reaction.id, scope);
      if ((await events.loadCheckpoint(name)) !== range.from) throw new StaleCheckpointError(range.from);
      await reaction.reactToBatch(batch, range);
      await events.saveCheckpoint(name, range.to);
    },
  };
}
