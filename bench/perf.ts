/**
 * `perf record` (cpu-clock: samples CPU time, not wall time, kernel included) attached to a
 * server child for a measured window: BENCH_PERF=<dir> with cpu_per_alert. The child runs with
 * --perf-basic-prof so JIT-compiled JS functions have names. Unlike --cpu-prof (V8's sampler,
 * which also samples while the thread waits in fsync), this shows where the CPU time goes:
 * V8/GC, SQLite, the kernel (fsync, sockets), JS.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './common.js';

export function startPerf(pid: number, dir: string): { stop(): Promise<string> } {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `perf-${pid}.data`);
  const perf = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(pid), '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  perf.stderr.on('data', (c: Buffer) => void (err += c.toString()));
  perf.once('error', (e) => log(`perf could not start: ${String(e)}`));
  return {
    stop: () => new Promise((resolve) => {
      if (perf.exitCode !== null) {
        log(`perf exited early: ${err.trim()}`);
        resolve(out);
        return;
      }
      perf.once('exit', () => resolve(out));
      perf.kill('SIGINT');
    }),
  };
}
