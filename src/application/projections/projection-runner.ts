import type { EventReader } from '../ports/event-store.js';
import type { ProjectionStore } from '../ports/projection-store.js';
import { ProcessorRunner } from '../processors/processor-runner.js';
import { ReadModelProcessor } from './read-model-processor.js';

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  /** how long appends are gathered before a projection pass (default 20 ms) */
  readonly intervalMs?: number;
  /** documents kept in memory between batches (default 20,000); the store holds the rest */
  readonly cacheSize?: number;
  readonly onError?: (error: unknown) => void;
  readonly onLag?: (lag: number) => void;
  /** while not running (another node projects), how often a waitFor looks at the stored checkpoint (default 25 ms) */
  readonly followerPollMs?: number;
  /** how long a waitFor on a node that does not project waits at most (default 10 s) */
  readonly followerWaitMs?: number;
}

/** The read-model processor on its runner: keeps the read models up to date with the log (see ReadModelProcessor). */
export class ProjectionRunner extends ProcessorRunner {
  constructor(events: EventReader, store: ProjectionStore, options: ProjectionRunnerOptions = {}) {
    super(events, new ReadModelProcessor(store, { ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}), ...(options.cacheSize !== undefined ? { cacheSize: options.cacheSize } : {}) }), {
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      ...(options.followerPollMs !== undefined ? { followerPollMs: options.followerPollMs } : {}),
      ...(options.followerWaitMs !== undefined ? { followerWaitMs: options.followerWaitMs } : {}),
      observer: { failed: (_id, error) => options.onError?.(error), lag: (_id, lag) => options.onLag?.(lag) },
    });
  }
}
