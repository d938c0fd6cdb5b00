import type { EventStore } from '../ports/event-store.js';
import type { ProjectionStore } from '../ports/projection-store.js';
import type { AnyProcessor } from './processor.js';
import { documentProjector } from './document-projector.js';
import { strategyFillCounts } from './strategy-fill-counts.js';
import { bracketOrders } from './bracket-orders.js';

/** What processors are built from (the adapters the composition root chose). */
export interface ProcessorPorts {
  readonly events: EventStore;
  readonly readModels: ProjectionStore;
}

/**
 * Every processor besides the read models (which the HTTP API waits on, so the root holds them):
 * a new reaction to the log is a module and one line here (docs/processors.md).
 */
export const registeredProcessors = (ports: ProcessorPorts): AnyProcessor[] => [
  documentProjector(ports.readModels, strategyFillCounts),
  bracketOrders(ports.events), // issue 17: brackets managed by PATRIOT
];
