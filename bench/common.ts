/** What every figure shares: its shape, rounding, logging, /metrics, the server child's CPU, and the run's context. */
import type { RunningChild } from './children.js';
import type { LoadResult } from './load.js';

export interface Figure {
  readonly name: string;
  readonly unit: string;
  readonly target: string | null;
  readonly meets: boolean | null;
  readonly [key: string]: unknown;
}

/** What run.ts hands each figure: settings, and server starts that are recorded for time_to_ready / peak_rss. */
export interface BenchContext {
  readonly durationS: number;
  readonly warmupS: number;
  /** unique per run: alert ids and user names start with it */
  readonly runPrefix: string;
  readonly argv: ReadonlyMap<string, string>;
  /** the bare Fastify figure of this run, when it ran */
  readonly baselineRps: number | undefined;
  startServer(figure: string, env?: NodeJS.ProcessEnv, extraNodeFlags?: readonly string[]): Promise<RunningChild>;
  stopServer(figure: string, child: RunningChild): Promise<void>;
}

export const round = (x: number, digits = 2): number => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);
export const log = (line: string): void => void process.stderr.write(`${line}\n`);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const mb = (bytes: number): number => round(bytes / 2 ** 20, 1);

export function latency(result: LoadResult) {
  return { p50: result.latencyMs.p50, p90: result.latencyMs.p90, p99: result.latencyMs.p99, max: result.latencyMs.max, mean: round(result.latencyMs.mean) };
}

export async function metricsText(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}

/** CPU the child used between two usage() readings, as ms per unit of work and as cores busy. */
export async function cpuOf(child: RunningChild, work: () => Promise<{ units: number; seconds: number }>) {
  const before = await child.usage();
  const { units, seconds } = await work();
  const after = await child.usage();
  const cpuMs = (after.cpuUserUs + after.cpuSystemUs - before.cpuUserUs - before.cpuSystemUs) / 1000;
  const active = after.loopActiveMs - before.loopActiveMs;
  const idle = after.loopIdleMs - before.loopIdleMs;
  return {
    cpuMs: round(cpuMs, 0), cpuMsPerUnit: units > 0 ? round(cpuMs / units, 4) : null, coresBusy: round(cpuMs / 1000 / seconds, 2),
    eventLoopUtilization: active + idle > 0 ? round(active / (active + idle), 3) : null,
  };
}

/** A numeric --flag=value, or the fallback. */
export function numberArg(argv: ReadonlyMap<string, string>, name: string, fallback: number): number {
  const raw = argv.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got ${raw}`);
  return value;
}
