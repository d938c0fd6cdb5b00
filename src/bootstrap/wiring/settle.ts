import type { Core } from './core.js';
import type { Markets } from './markets.js';
import type { ReadSide } from './read-side.js';
import type { Trading } from './trading.js';

/**
 * Until a whole round changes nothing: route, let the exchange commit and publish, record, project,
 * process (the runtime's and a replay's). `readModels: false` (a replay between its alerts): the
 * read models are not waited for, only the processors still running (bracket orders).
 */
export async function settleAll(core: Core, markets: Markets, trading: Trading, readSide: ReadSide, options: { readModels?: boolean } = {}): Promise<void> {
  for (let head = -1; ; ) {
    await trading.processor.pump();
    await markets.exchanges.paper.settle();
    await new Promise((resolve) => setImmediate(resolve));
    await trading.executor.idle();
    const now = await core.events.headPosition();
    if (options.readModels !== false) await readSide.projections.waitFor(now);
    await readSide.processors.catchUp();
    if (now === head) return;
    head = now;
  }
}
