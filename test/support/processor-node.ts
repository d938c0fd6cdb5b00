/**
 * A node that runs processors and nothing else, for test/processors-crash.e2e.spec.ts: the read
 * models, every registered processor (as the leader) and an account-owner reactor with an
 * idempotent effect (a row per fill in an outbox file), over the SQLite files in the directory
 * given. With KILL_IN set it SIGKILLs itself in the middle of a batch of that processor (after
 * the batch's work, before its commit; for the reactor after KILL_AFTER effects), leaving a note
 * of the batch it was in. Without, it catches up with the log, notes where each processor
 * resumed from, and exits.
 *
 *   node --import tsx test/support/processor-node.ts <dir>
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteProjectionStore } from '../../src/adapters/readmodels/sqlite-projection-store.js';
import type { ProjectionStore } from '../../src/application/ports/projection-store.js';
import { ProcessorHost } from '../../src/application/processors/processor-host.js';
import { registeredProcessors } from '../../src/application/processors/registry.js';
import { reactor } from '../../src/application/processors/reactor.js';
import type { RecordedOf } from '../../src/application/processors/processor.js';
import { ProcessorRunner } from '../../src/application/processors/processor-runner.js';
import { ReadModelProcessor } from '../../src/application/projections/read-model-processor.js';

const dir = process.argv[2]!;
const killIn = process.env.KILL_IN;
const killAfter = Number(process.env.KILL_AFTER ?? '1');

function die(note: Record<string, unknown>): never {
  writeFileSync(join(dir, 'killed.json'), JSON.stringify(note));
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

/** The store, but the `killAfter`-th commit of `which` kills the node before it commits (the batch's work done, nothing durable). */
function killingStore(store: ProjectionStore, which: string): ProjectionStore {
  let commits = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (killIn === which && which === 'read-models' && prop === 'commit') {
        return (docs: unknown[], checkpoint: number, expected?: number) => {
          if (++commits === killAfter) die({ processor: which, from: expected, to: checkpoint, documents: docs.length });
          return target.commit(docs as never, checkpoint, expected);
        };
      }
      if (killIn === which && which !== 'read-models' && prop === 'commitProcessor') {
        return (id: string, docs: unknown[], checkpoint: number, expected: number) => {
          if (id === which && ++commits === killAfter) die({ processor: which, from: expected, to: checkpoint, documents: docs.length });
          return target.commitProcessor(id, docs as never, checkpoint, expected);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const events = await SqliteEventStore.open({ path: join(dir, 'events.db') });
const readModels = new SqliteProjectionStore(join(dir, 'readmodels.db'));
const outbox = new Database(join(dir, 'outbox.db'));
outbox.exec(`CREATE TABLE IF NOT EXISTS effects (trade_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, position INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS attempts (trade_id TEXT PRIMARY KEY, n INTEGER NOT NULL)`);
const record = outbox.transaction((tradeId: string, accountId: string, position: number) => {
  outbox.prepare('INSERT INTO effects (trade_id, account_id, position) VALUES (?, ?, ?) ON CONFLICT (trade_id) DO NOTHING').run(tradeId, accountId, position);
  outbox.prepare('INSERT INTO attempts (trade_id, n) VALUES (?, 1) ON CONFLICT (trade_id) DO UPDATE SET n = n + 1').run(tradeId);
});
let effects = 0;
const batchFrom = new Map<string, number>();
const outboxReactor = reactor(events, {
  id: 'outbox', handles: ['OrderFilled'], runsOn: 'account-owner', batchSize: 1000,
  react: async (e: RecordedOf<'OrderFilled'>) => {
    record(e.data.tradeId, e.data.accountId, e.globalPosition);
    // killed among a1's effects: the batch's effects so far are done, its checkpoint not saved
    if (killIn === 'outbox' && e.data.accountId === 'a1' && ++effects === killAfter) {
      die({ processor: 'outbox@a1', from: batchFrom.get('a1'), effects: killAfter, lastTrade: e.data.tradeId });
    }
  },
});
// the batch the reactor is in, for the note
const outboxProcessor: typeof outboxReactor = {
  ...outboxReactor,
  process: (batch, range, scope) => {
    batchFrom.set(scope ?? '', range.from);
    return outboxReactor.process(batch, range, scope);
  },
};

const resumed: Record<string, number> = {};
const observer = {
  failed: (id: string, error: unknown) => process.stderr.write(`${id} failed: ${String(error)}\n`),
  lag: () => undefined,
  // noted at once: a later kill in this run must not lose where each processor resumed from
  resumed: (id: string, position: number) => {
    resumed[id] ??= position;
    writeFileSync(join(dir, 'resumed.json'), JSON.stringify(resumed));
  },
};
const projections = new ProcessorRunner(events, new ReadModelProcessor(killingStore(readModels, 'read-models'), { batchSize: 400 }), { observer });
const host = new ProcessorHost(events, [...registeredProcessors({ events, readModels: killingStore(readModels, 'strategy-fill-counts') }), outboxProcessor], { observer });
await Promise.all([
  projections.start(),
  host.start(),
  host.setLeader(true),
  host.accountTaken('a1'),
  host.accountTaken('a2'),
]);
await host.catchUp();
await projections.catchUp();
await host.stop();
await projections.stop();
outbox.close();
await readModels.close();
await events.close();
