import type { EventStore } from '../application/ports/event-store.js';

/** What runs around each append: the operation's name, and the append itself. */
export type AroundAppend = <R>(operation: 'append' | 'append_atomic', call: () => Promise<R>) => Promise<R>;

/** The store, with `around` run around every append (metrics, health); everything else passes through. */
export function wrapAppends(store: EventStore, around: AroundAppend): EventStore {
  return {
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
}
