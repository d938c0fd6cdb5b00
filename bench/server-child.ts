/**
 * Starts PATRIOT from the BUILT code (dist/) in this process, on a fresh temp data dir and
 * port 0, and reports { url, webhookUrl, secret } to the parent over IPC. Exits on 'stop'
 * after reporting the peak RSS sampled every 200 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { heapAfterGc, isStop, requestType, rssSampler, send, usage, type LogTallyMessage } from './ipc.js';

const rss = rssSampler(200);
// the repository root: set by bench/run.ts (this file runs transpiled from bench/results/.child/)
const root = process.env.PATRIOT_ROOT ?? new URL('../', import.meta.url).pathname;
const dist = (path: string) => pathToFileURL(join(root, 'dist', path)).href;

interface RuntimeModule {
  startPatriot(config: unknown, options?: unknown): Promise<{
    url: string;
    demo?: { secret: string; webhookUrl: string; strategyId: string };
    events: {
      headPosition(): Promise<number>;
      readAll(after: number, limit: number): Promise<Array<{ globalPosition: number; type: string; data: Record<string, unknown>; metadata: { time: string } }>>;
    };
    close(): Promise<void>;
  }>;
}
interface ConfigModule {
  loadConfig(env: NodeJS.ProcessEnv, overrides?: Record<string, unknown>): unknown;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(process.env.BENCH_TMPDIR ?? tmpdir(), 'patriot-bench-'));
  const tImport = performance.now();
  const { startPatriot } = (await import(dist('bootstrap/runtime.js'))) as RuntimeModule;
  const { loadConfig } = (await import(dist('bootstrap/config.js'))) as ConfigModule;
  const tStart = performance.now();
  const config = loadConfig(
    { ...process.env, PATRIOT_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', PATRIOT_DEMO: 'true', PATRIOT_WEBHOOK_RATE_PER_MIN: '0' },
    {},
  );
  const runtime = await startPatriot(config);
  if (!runtime.demo) throw new Error('the demo strategy was not created');
  const childStartupMs = performance.now();
  const phasesMs = { nodeStart: tImport, importDist: tStart - tImport, startPatriot: childStartupMs - tStart };

  // the event log, read on request from where the previous tally stopped (see LogTallyMessage)
  let tallied = 0;
  const tally = async (): Promise<LogTallyMessage> => {
    const head = await runtime.events.headPosition();
    const timesByType: Record<string, number[]> = {};
    const from = tallied;
    while (tallied < head) {
      const batch = await runtime.events.readAll(tallied, 5000);
      if (batch.length === 0) break;
      for (const e of batch) {
        if (e.globalPosition > head) break;
        tallied = e.globalPosition;
        // a fill that completes its order counts as OrderFilled; partial fills separately
        const type = e.type === 'OrderFilled' && e.data.complete !== true ? 'OrderPartiallyFilled' : e.type;
        (timesByType[type] ??= []).push(Date.parse(e.metadata.time));
      }
    }
    return { type: 'logTally', head, scanned: tallied - from, timesByType };
  };

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await runtime.close();
    } finally {
      rss.stop();
      await send({ type: 'stopped', peakRssBytes: rss.peak(), dataDir });
      if (process.env.BENCH_KEEP_DATA !== '1') rmSync(dataDir, { recursive: true, force: true });
      process.disconnect?.();
      // let --cpu-prof write its profile on a normal exit
      process.exitCode = 0;
      setTimeout(() => process.exit(0), 200).unref();
    }
  };
  process.on('message', (message) => {
    if (isStop(message)) void stop();
    else if (requestType(message) === 'usage') void send(usage());
    else if (requestType(message) === 'gc') void send(heapAfterGc());
    else if (requestType(message) === 'logTally') void tally().then(send, (error: unknown) => send({ type: 'error', message: String(error) }));
  });
  process.on('disconnect', () => void stop());
  await send({ type: 'ready', url: runtime.url, webhookUrl: runtime.demo.webhookUrl, secret: runtime.demo.secret, childStartupMs, phasesMs });
}

main().catch(async (error: unknown) => {
  await send({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
});
