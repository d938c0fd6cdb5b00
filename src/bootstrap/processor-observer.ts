import type { Logger } from '../application/ports/logger.js';
import type { ProcessorObserver } from '../application/processors/processor-runner.js';
import type { PatriotMetrics } from './metrics.js';

/** Where every processor's failures and lag go: one log line per failure, one gauge and one counter by processor. */
export function processorObserver(log: Logger, metrics: PatriotMetrics): ProcessorObserver {
  return {
    failed: (processorId, error) => {
      metrics.processorFailures.inc({ processor: processorId });
      log.error({ processor: processorId, err: String(error) }, 'processor batch failed; tried again with back-off');
    },
    lag: (processorId, lag) => metrics.processorLag.set({ processor: processorId }, lag),
    resumed: (processorId, position) => log.info({ processor: processorId, position }, 'processor resumed from its checkpoint'),
  };
}
