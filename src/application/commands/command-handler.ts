import type { EventMetadata, EventStore, RecordedEvent } from '../ports/event-store.js';
import type { Decider } from '../../domain/shared/decider.js';
import type { DomainError, Result } from '../../domain/shared/result.js';
import { err, ok } from '../../domain/shared/result.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';
import { aggregateStream } from '../shared/aggregate-stream.js';
import type { PatriotEvent } from '../../domain/events.js';

export interface HandledCommand<E> {
  readonly events: readonly E[];
  /** global position of the last appended event (undefined when nothing was appended) */
  readonly lastPosition?: number;
}

export class ConcurrencyExhaustedError extends Error {
  constructor(streamId: string) {
    super(`stream ${streamId} kept changing while deciding; gave up after retries`);
  }
}

/**
 * load -> decide (each command in turn, against the state the previous ones left) ->
 * append with the expected version; on a version conflict (another
 * writer got there first) reload and decide again. `mutex` serialises writers in this
 * process so conflicts only come from other processes.
 */
export async function handleCommand<C, E extends PatriotEvent, S>(
  store: EventStore,
  mutex: KeyedMutex,
  decider: Decider<C, E, S>,
  streamId: string,
  commands: C | readonly C[],
  metadata: (history: readonly RecordedEvent[]) => EventMetadata,
): Promise<Result<HandledCommand<E>, DomainError>> {
  const list: readonly C[] = Array.isArray(commands) ? commands : [commands as C];
  return mutex.run(streamId, async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const stream = await aggregateStream(store, streamId, decider);
      const history = stream.history;
      let state = stream.state;
      const decidedEvents: E[] = [];
      for (const command of list) {
        const decided = decider.decide(command, state);
        if (!decided.ok) return decided;
        for (const e of decided.value) {
          state = decider.evolve(state, e);
          decidedEvents.push(e);
        }
      }
      if (decidedEvents.length === 0) return ok({ events: [] });
      const result = await store.append({
        streamId,
        expectedVersion: stream.version,
        events: decidedEvents,
        metadata: metadata(history),
      });
      switch (result.kind) {
        case 'appended':
          return ok({ events: decidedEvents, lastPosition: result.lastPosition });
        case 'conflict':
          continue;
        case 'duplicate':
          return err({ code: 'DUPLICATE', message: `duplicate claim on ${streamId}` });
      }
    }
    throw new ConcurrencyExhaustedError(streamId);
  });
}
