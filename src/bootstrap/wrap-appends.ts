import type { EventStore, FollowingAppender } from '../application/ports/event-store.js';

/** Whether the store can write a follow-up in the same commit as an append (ADR-0030; SQLite's can). */
export function followsAppends(store: EventStore): store is EventStore & FollowingAppender {
  return typeof (store as Partial<FollowingAppender>).appendFollowedBy === 'function';
}

/** What runs around each append: the operation's name, and the append itself. */
export type AroundAppend = <R>(operation: 'append' | 'append_atomic', call: () => Promise<R>) => Promise<R>;

/**
 * The store, with `around` run around every append (metrics, health); everything else passes
 * through. A store that writes follow-ups (ADR-0030) still does, its appends wrapped the same way.
 */
export function wrapAppends(store: EventStore, around: AroundAppend): EventStore {
  const wrapped: EventStore = {
    append: (request) => around('append', () => store.append(request)),
    appendAtomic: (requests) => around('append_atomic', () => store.appendAtomic(requests)),
    readStream: (streamId, fromVersion) => store.readStream(streamId, fromVersion),
    readAll: (after, limit) => store.readAll(after, limit),
    readByCorrelation: (correlationId) => store.readByCorrelation(correlationId),
    headPosition: () => store.headPosition(),
    onAppended: (listener) => store.onAppended(listener),
    findDedupe: (scope, key) => store.findDedupe(scope, key),
    loadCheckpoint: (name) => store.loadCheckpoint(name),
    saveCheckpoint: (name, position) => store.saveCheckpoint(name, position),
    verifyChain: () => store.verifyChain(),
    close: () => store.close(),
  };
  if (!followsAppends(store)) return wrapped;
  const following: EventStore & FollowingAppender = {
    ...wrapped,
    appendFollowedBy: (request, followUp) => around('append', () => store.appendFollowedBy(request, followUp)),
  };
  return following;
}
