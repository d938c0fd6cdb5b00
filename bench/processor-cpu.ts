/**
 * CPU of the bracket-orders processor per alert (issue 18), two builds interleaved in one process:
 * a plain market order per alert (approved, accepted, filled: three appends to a log file on
 * disk, synchronous=FULL), the processor run for the account after every second alert (as at
 * 100 alerts/s with 20 ms batches); process CPU over the processor's passes only. Not a test.
 *
 *   node --import tsx bench/processor-cpu.ts --before=/tmp/before/dist --after=dist [--alerts=2000 --rounds=6]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({ options: { before: { type: 'string' }, after: { type: 'string', default: 'dist' }, alerts: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '6' } } });
if (!values.before) throw new Error('--before=<a build\'s dist/> is required');
const alerts = Number(values.alerts);
const rounds = Number(values.rounds);

/* eslint-disable @typescript-eslint/no-explicit-any */
async function load(dist: string): Promise<{ store: any; runner: any; bracket: any }> {
  const at = (path: string): Promise<any> => import(pathToFileURL(join(resolve(dist), path)).href);
  return {
    store: await at('adapters/eventstore/sqlite/sqlite-event-store.js'),
    runner: await at('application/processors/processor-runner.js'),
    bracket: await at('application/processors/bracket-orders.js'),
  };
}
const builds = { before: await load(values.before), after: await load(values.after) };
const meta = { tenantId: 't1', time: '2026-01-01T00:00:00.000Z' };

/** µs of CPU, and of wall time (the event loop held or waiting), per alert spent in the processor's passes. */
async function round(build: 'before' | 'after'): Promise<{ cpu: number; wall: number }> {
  const { store, runner: runnerModule, bracket } = builds[build];
  const dir = mkdtempSync(join(tmpdir(), 'patriot-processor-cpu-'));
  const events = await store.SqliteEventStore.open({ path: join(dir, 'log.db') });
  const runner = new runnerModule.ProcessorRunner(events, bracket.bracketOrders(events), { accountId: 'a1' });
  await runner.start();
  let cpu = 0;
  let wall = 0n;
  for (let i = 0; i < alerts; i++) {
    const id = `c${i}`;
    const intent = { clientOrderId: id, accountId: 'a1', strategyId: 's1', signalId: `sig${i}`, symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: '1', referencePrice: '100', reduceOnly: false };
    const fill = { clientOrderId: id, accountId: 'a1', strategyId: 's1', tradeId: `t${i}`, symbol: 'BTC/USDT', side: 'buy', quantity: '1', price: '100', fee: '0', feeCurrency: 'USDT', liquidity: 'taker', filledAt: meta.time, cumulativeQuantity: '1', complete: true };
    await events.append({ streamId: `order-${id}`, expectedVersion: 0, metadata: meta, events: [{ type: 'OrderApproved', data: intent }] });
    await events.append({ streamId: `order-${id}`, expectedVersion: 1, metadata: meta, events: [{ type: 'OrderAccepted', data: { clientOrderId: id, accountId: 'a1', exchangeOrderId: `x${i}` } }] });
    await events.append({ streamId: `order-${id}`, expectedVersion: 2, metadata: meta, events: [{ type: 'OrderFilled', data: fill }] });
    if (i % 2 === 1) {
      const start = process.cpuUsage();
      const began = process.hrtime.bigint();
      await runner.catchUp();
      wall += process.hrtime.bigint() - began;
      const used = process.cpuUsage(start);
      cpu += used.user + used.system;
    }
  }
  await runner.stop();
  await events.close();
  rmSync(dir, { recursive: true, force: true });
  return { cpu: Math.round(cpu / alerts), wall: Math.round(Number(wall / 1000n) / alerts) };
}

await round('before');
await round('after'); // the JIT
const usPerAlert: Record<'before' | 'after', number[]> = { before: [], after: [] };
const wallUsPerAlert: Record<'before' | 'after', number[]> = { before: [], after: [] };
for (let r = 0; r < rounds; r++) {
  for (const build of r % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)) {
    const { cpu, wall } = await round(build);
    usPerAlert[build].push(cpu);
    wallUsPerAlert[build].push(wall);
  }
}
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(JSON.stringify({
  alerts, rounds, usPerAlert, wallUsPerAlert,
  median: { before: median(usPerAlert.before), after: median(usPerAlert.after) },
  medianWall: { before: median(wallUsPerAlert.before), after: median(wallUsPerAlert.after) },
}));
