import type { EventStore, RecordedEvent } from '../ports/event-store.js';
import type { PatriotEvent } from '../../domain/events.js';

export interface AggregatedStream<S> {
  readonly state: S;
  /** the stream's version (its number of events): the expected version of the next append */
  readonly version: number;
  /** the recorded events the state was folded from */
  readonly history: readonly RecordedEvent[];
}

/**
 * The typed view of a recorded event. The log's data is JSON written from a PatriotEvent of the
 * same type (every append goes through a decider or a command), so its type names its shape:
 * this is the one place that says so.
 */
export function eventOf<E extends PatriotEvent = PatriotEvent>(recorded: Pick<RecordedEvent, 'type' | 'data'>): E {
  return { type: recorded.type, data: recorded.data } as unknown as E;
}

/** Reads a stream and folds it into a state with the aggregate's evolve (Emmett's aggregateStream). */
export async function aggregateStream<E extends PatriotEvent, S>(
  store: Pick<EventStore, 'readStream'>,
  streamId: string,
  options: { readonly evolve: (state: S, event: E) => S; readonly initialState: () => S },
): Promise<AggregatedStream<S>> {
  const history = await store.readStream(streamId);
  let state = options.initialState();
  for (const recorded of history) state = options.evolve(state, eventOf<E>(recorded));
  return { state, version: history.length, history };
}
