import type { EventMetadata, EventStore, RecordedEvent } from '../ports/event-store.js';
import type { Decider } from '../../domain/shared/decider.js';
import type { DomainError, Result } from '../../domain/shared/result.js';
import { err, ok } from '../../domain/shared/result.js';
import type { KeyedMutex } from '../shared/keyed-mutex.js';

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
export async function handleCommand<C, E extends { type: string; data: object }, S>(
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
      const history = await store.readStream(streamId);
      let state = history.reduce((s, r) => decider.evolve(s, { type: r.type, data: r.data } as unknown as E), decider.initialState());
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
        expectedVersion: history.length,
        events: decidedEvents.map((e) => ({ type: e.type, data: e.data as Record<string, unknown> })),
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
