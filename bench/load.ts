/**
 * Load generation, always OUTSIDE the bench's and the measured server's event loops:
 * - unbounded alert load (baseline, ingest): Debian's `wrk` (one thread, C connections,
 *   bench/wrk-alerts.lua makes every alert unique) when it is installed;
 * - fixed offered rate, a request count, per-connection headers, or no wrk: autocannon in a
 *   forked child process (load-child.ts).
 * `BENCH_GENERATOR=autocannon` forces the child for everything (to compare the two generators).
 */
import { spawn, fork, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childScript } from './children.js';

export interface LoadResult {
  /** which generator produced this figure */
  readonly generator: string;
  readonly durationS: number;
  readonly requests: number;
  readonly requestsPerS: number;
  readonly byStatus: Record<string, number>;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
}

/** What makes the unique alerts of one load: every run adds its own sub-prefix, so alert ids never repeat. */
export interface AlertSpec {
  readonly secret: string;
  readonly prefix: string;
  /** 0.0001 BTC at ~97,000 USDT ~ 9.7 USDT: above the paper exchange's 5 USDT min notional */
  readonly contracts: string;
}

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  readonly alerts: AlertSpec;
  readonly overallRate?: number;
  /** stop after this many requests (durationS still bounds the run) */
  readonly amount?: number;
}

/** One GET per entry, in turn, on every connection; each connection its own list (e.g. its own user's token). */
export interface GetLoadOptions {
  readonly origin: string;
  readonly connections: number;
  readonly durationS: number;
  /** connection i uses perConnection[i % length] */
  readonly perConnection: ReadonlyArray<ReadonlyArray<{ readonly path: string; readonly headers: Readonly<Record<string, string>> }>>;
  readonly overallRate?: number;
}

/** The job load-child.ts runs (plain data: it crosses the IPC channel). */
export type LoadJob =
  | ({ readonly kind: 'alerts' } & LoadOptions)
  | ({ readonly kind: 'gets' } & GetLoadOptions);

/**
 * Unique alerts: explicit "id" = prefix + run + counter (so every request is a new alert, never the
 * dedupe path), buy/sell alternating so balances never run out.
 */
export function alertBodies(secret: string, prefix: string, contracts = '0.0001'): AlertSpec {
  return { secret, prefix, contracts };
}

let runs = 0;
const wrkScript = fileURLToPath(new URL('./wrk-alerts.lua', import.meta.url));
let wrkFound: string | null | undefined;

/** The wrk binary, or null (not installed, or BENCH_GENERATOR=autocannon). */
export function wrkBinary(): string | null {
  if (process.env.BENCH_GENERATOR === 'autocannon') return null;
  if (wrkFound !== undefined) return wrkFound;
  try {
    wrkFound = execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || null;
  } catch {
    wrkFound = null;
  }
  return wrkFound;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const alerts = { ...options.alerts, prefix: `${options.alerts.prefix}.${++runs}` };
  const wrk = wrkBinary();
  if (wrk && options.overallRate === undefined && options.amount === undefined) return runWrk(wrk, { ...options, alerts });
  return inLoadChild({ kind: 'alerts', ...options, alerts });
}

export function runGets(options: GetLoadOptions): Promise<LoadResult> {
  return inLoadChild({ kind: 'gets', ...options });
}

function inLoadChild(job: LoadJob): Promise<LoadResult> {
  const child = fork(childScript('load-child.ts'), [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  // forwarded chunk by chunk: pipe() would add listeners to process.stderr for every load run
  child.stdout?.on('data', (chunk: Buffer) => void process.stderr.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => void process.stderr.write(chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the load child did not finish within ${job.durationS + 60} s (killed)`));
    }, (job.durationS + 60) * 1000);
    child.once('message', (raw: unknown) => {
      clearTimeout(timer);
      const message = raw as { type: 'result'; result: LoadResult } | { type: 'error'; message: string };
      if (message.type === 'result') resolve(message.result);
      else reject(new Error(`load child: ${message.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the load child exited (code ${code}) without a result`));
    });
    child.send(job);
  });
}

interface WrkOutput {
  durationUs: number;
  requests: number;
  byStatus: Record<string, number>;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

function runWrk(wrk: string, options: LoadOptions): Promise<LoadResult> {
  const durationS = Math.max(1, Math.round(options.durationS));
  const args = ['-t1', `-c${options.connections}`, `-d${durationS}s`, '--timeout', '10s', '-s', wrkScript, options.url];
  const child = spawn(wrk, args, {
    env: { ...process.env, WRK_SECRET: options.alerts.secret, WRK_PREFIX: options.alerts.prefix, WRK_CONTRACTS: options.alerts.contracts },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => void (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), (durationS + 30) * 1000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`wrk ${args.join(' ')} exited with ${code}: ${err.trim() || out.trim()}`));
        return;
      }
      const w = JSON.parse(line.slice('WRK_RESULT '.length)) as WrkOutput;
      const twoXx = Object.entries(w.byStatus).reduce((sum, [code, n]) => sum + (code.startsWith('2') ? n : 0), 0);
      const answered = Object.values(w.byStatus).reduce((a, b) => a + b, 0);
      const seconds = w.durationUs / 1e6;
      const ms = (us: number) => Math.round(us / 10) / 100;
      resolve({
        generator: `wrk (1 thread, ${options.connections} connections)`, durationS: seconds, requests: answered, requestsPerS: answered / seconds,
        byStatus: w.byStatus, non2xx: answered - twoXx, errors: w.errors.connect + w.errors.read + w.errors.write, timeouts: w.errors.timeout,
        latencyMs: { p50: ms(w.latencyUs.p50), p90: ms(w.latencyUs.p90), p99: ms(w.latencyUs.p99), max: ms(w.latencyUs.max), mean: ms(w.latencyUs.mean) },
      });
    });
  });
}
