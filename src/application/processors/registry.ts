import type { EventStore } from '../ports/event-store.js';
import type { ProjectionStore } from '../ports/projection-store.js';
import type { AnyProcessor } from './processor.js';
import { documentProjector } from './document-projector.js';
import { strategyFillCounts } from './strategy-fill-counts.js';
import { portfolioSnapshots, type AccountSnapshots } from './portfolio-snapshots.js';
import { bracketOrders } from './bracket-orders.js';
import { eventStream } from './event-stream.js';
import type { EventSink } from '../ports/event-sink.js';

/** What processors are built from (the adapters the composition root chose). */
export interface ProcessorPorts {
  /** the log: reactors keep their checkpoints there, and some append (brackets) */
  readonly events: EventStore;
  readonly readModels: ProjectionStore;
  /** snapshots of accounts whose balances changed (absent: only the timer takes snapshots, or none) */
  readonly snapshots?: AccountSnapshots;
  /** every event to a message bus (absent: no event stream; issue 19) */
  readonly eventStream?: { readonly sink: EventSink; readonly subjectPrefix: string };
}

/**
 * Every processor besides the read models (which the HTTP API waits on, so the root holds them):
 * a new reaction to the log is a module and one line here (docs/processors.md).
 */
export const registeredProcessors = (ports: ProcessorPorts): AnyProcessor[] => [
  documentProjector(ports.readModels, strategyFillCounts),
  ...(ports.snapshots ? [portfolioSnapshots(ports.events, ports.snapshots)] : []),
  bracketOrders(ports.events), // issue 17: brackets managed by PATRIOT
  ...(ports.eventStream ? [eventStream(ports.events, ports.eventStream.sink, ports.eventStream.subjectPrefix)] : []), // issue 19
];
