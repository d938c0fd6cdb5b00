/**
 * Processors survive a node killed in the middle of a batch. A node running the read models,
 * every registered processor (as the leader) and an account-owner reactor (an idempotent row per
 * fill in an outbox) is SIGKILLed three times, each time inside a batch of another processor: the
 * read models and the fill counter after their batch's work but before its commit, the reactor
 * after some of its batch's effects but before its checkpoint. Each time more of the log has come
 * in. The next run resumes each killed processor from its stored checkpoint (the batch's `from`);
 * at the end every effect is there exactly once: fill counts equal the fills in the log, the read
 * models equal a rebuild, the outbox has each fill once (the reactor's re-done effects, at least
 * once, changed nothing twice).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cleanupTempDirs, makeTempDir } from './support/server.js';
import { ROOT, childEnv } from './support/processes.js';
import { SqliteEventStore } from '../src/adapters/eventstore/sqlite/sqlite-event-store.js';
import { SqliteProjectionStore } from '../src/adapters/readmodels/sqlite-projection-store.js';
import type { AppendRequest } from '../src/application/ports/event-store.js';
import { ProjectionRunner } from '../src/application/projections/projection-runner.js';
import { ProcessorHost } from '../src/application/processors/processor-host.js';
import { registeredProcessors } from '../src/application/processors/registry.js';
import { STRATEGY_FILLS, type StrategyFillsView } from '../src/application/processors/strategy-fill-counts.js';
import { digestReadModels } from '../src/bootstrap/maintenance.js';

const CHUNK = 1000; // fills per chunk, each followed by another event: 2000 events
const meta = { tenantId: 't1', time: '2026-01-01T00:00:00.000Z' };

afterAll(() => cleanupTempDirs());

async function appendChunk(dir: string, chunk: number): Promise<void> {
  const events = await SqliteEventStore.open({ path: join(dir, 'events.db') });
  try {
    if (chunk === 0) {
      for (const accountId of ['a1', 'a2']) {
        await events.append({
          streamId: `account-${accountId}`, expectedVersion: 0, metadata: meta,
          events: [{ type: 'AccountOpened', data: { accountId, tenantId: 't1', name: accountId, exchange: 'paper', quoteAsset: 'USDT', initialBalances: [{ asset: 'USDT', amount: '1000000' }], risk: {} } }],
        });
      }
    }
    let requests: AppendRequest[] = [];
    for (let n = 0; n < CHUNK; n++) {
      const i = chunk * CHUNK + n;
      const accountId = i % 2 === 0 ? 'a1' : 'a2';
      requests.push({
        streamId: `order-c${i}`, expectedVersion: 0, metadata: meta,
        events: [{
          type: 'OrderFilled',
          data: {
            clientOrderId: `c${i}`, accountId, strategyId: `s${i % 3}`, tradeId: `t${i}`, symbol: 'BTC/USDT', side: i % 4 < 2 ? 'buy' : 'sell', quantity: '0.01', price: String(100 + (i % 7)),
            fee: '0.001', feeCurrency: 'USDT', liquidity: 'taker', filledAt: '2026-01-01T00:00:00.000Z', cumulativeQuantity: '0.01', complete: true,
          },
        }],
      });
      requests.push({ streamId: `marks-${i}`, expectedVersion: 0, metadata: meta, events: [{ type: 'KillSwitchReleased', data: { accountId } }] });
      if (requests.length === 200) {
        expect((await events.appendAtomic(requests)).kind).toBe('appended');
        requests = [];
      }
    }
    if (requests.length > 0) await events.appendAtomic(requests);
  } finally {
    await events.close();
  }
}

/** Runs the processor node; resolves with how it ended. */
function runNode(dir: string, env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/processor-node.ts'), dir], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

interface KillNote { processor: string; from: number; to?: number; documents?: number; effects?: number; lastTrade?: string }

async function stored(dir: string): Promise<{ readModels: number; fillCounts: number; outboxA1: number }> {
  const events = await SqliteEventStore.open({ path: join(dir, 'events.db') });
  const readModels = new SqliteProjectionStore(join(dir, 'readmodels.db'));
  try {
    return { readModels: await readModels.checkpoint(), fillCounts: await readModels.processorCheckpoint('strategy-fill-counts'), outboxA1: await events.loadCheckpoint('outbox@a1') };
  } finally {
    await readModels.close();
    await events.close();
  }
}

describe('processors and a node killed mid-batch', () => {
  it('given a node SIGKILLed inside a batch of each processor in turn, then each resumes from its checkpoint and no effect is lost or doubled', async () => {
    const dir = makeTempDir('patriot-processors-');
    const kills: { env: Record<string, string>; storedOf: (s: Awaited<ReturnType<typeof stored>>) => number; resumedAs: string }[] = [
      { env: { KILL_IN: 'strategy-fill-counts', KILL_AFTER: '2' }, storedOf: (s) => s.fillCounts, resumedAs: 'strategy-fill-counts' },
      { env: { KILL_IN: 'read-models', KILL_AFTER: '3' }, storedOf: (s) => s.readModels, resumedAs: 'read-models' },
      { env: { KILL_IN: 'outbox', KILL_AFTER: '400' }, storedOf: (s) => s.outboxA1, resumedAs: 'outbox@a1' },
    ];
    let previous: { note: KillNote; resumedAs: string } | undefined;
    let outboxNote: KillNote | undefined;
    for (const [cycle, kill] of kills.entries()) {
      await appendChunk(dir, cycle); // more of the log has come in: every processor has several batches to do
      rmSync(join(dir, 'killed.json'), { force: true });
      rmSync(join(dir, 'resumed.json'), { force: true });
      const run = await runNode(dir, kill.env);
      expect(run.signal, run.output).toBe('SIGKILL');
      const note = readJson<KillNote>(join(dir, 'killed.json'));
      if (previous) {
        // the processor killed last time resumed this time from the checkpoint its interrupted batch started from
        expect(readJson<Record<string, number>>(join(dir, 'resumed.json'))[previous.resumedAs]).toBe(previous.note.from);
      }
      // nothing of the interrupted batch is durable: the stored checkpoint is the batch's start
      expect(kill.storedOf(await stored(dir))).toBe(note.from);
      if (note.documents !== undefined) expect(note.documents).toBeGreaterThan(0); // the batch had done its work
      if (kill.env.KILL_IN === 'outbox') outboxNote = note;
      previous = { note, resumedAs: kill.resumedAs };
    }

    // the reactor's interrupted batch: some effects done, its checkpoint not moved
    const outbox = new Database(join(dir, 'outbox.db'), { readonly: true });
    const doneInBatch = outbox.prepare("SELECT count(*) FROM effects WHERE account_id = 'a1' AND position > ?").pluck().get(outboxNote!.from) as number;
    expect(doneInBatch).toBeGreaterThan(0);
    outbox.close();

    rmSync(join(dir, 'resumed.json'), { force: true });
    const last = await runNode(dir, {});
    expect(last.code, last.output).toBe(0);
    expect(readJson<Record<string, number>>(join(dir, 'resumed.json'))['outbox@a1']).toBe(outboxNote!.from);

    // every effect exactly once
    const events = await SqliteEventStore.open({ path: join(dir, 'events.db') });
    const readModels = new SqliteProjectionStore(join(dir, 'readmodels.db'));
    try {
      const head = await events.headPosition();
      expect(await stored(dir)).toMatchObject({ readModels: head, fillCounts: head });
      const all = await events.readAll(0, 1_000_000);
      const fills = all.filter((e) => e.type === 'OrderFilled');
      expect(fills).toHaveLength(3 * CHUNK);
      for (const strategyId of ['s0', 's1', 's2']) {
        const counted = (await readModels.get(STRATEGY_FILLS, 't1', strategyId))?.data as StrategyFillsView | undefined;
        expect(counted?.fills, strategyId).toBe(fills.filter((e) => e.data.strategyId === strategyId).length);
      }
      const scratch = new SqliteProjectionStore(':memory:');
      await new ProjectionRunner(events, scratch).rebuild();
      const host = new ProcessorHost(events, registeredProcessors({ events, readModels: scratch }));
      await host.setLeader(true);
      await host.stop();
      expect(await digestReadModels(readModels)).toEqual(await digestReadModels(scratch));
      await scratch.close();

      const db = new Database(join(dir, 'outbox.db'), { readonly: true });
      const rows = db.prepare('SELECT trade_id FROM effects').pluck().all() as string[];
      expect(rows.sort()).toEqual(fills.map((e) => String(e.data.tradeId)).sort());
      // at least once: the interrupted batch's effects were all done again (and, idempotent, changed nothing twice);
      // the reactor was interrupted in the other kills too, wherever it was then
      const redone = db.prepare("SELECT count(*) FROM attempts JOIN effects USING (trade_id) WHERE account_id = 'a1' AND position > ? AND n >= 2").pluck().get(outboxNote!.from) as number;
      expect(redone).toBe(doneInBatch);
      expect(db.prepare('SELECT max(n) FROM attempts').pluck().get()).toBeLessThanOrEqual(kills.length + 1);
      db.close();
    } finally {
      await readModels.close();
      await events.close();
    }
    expect(existsSync(join(dir, 'killed.json'))).toBe(true);
  }, 300_000);
});
