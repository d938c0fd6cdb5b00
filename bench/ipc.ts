import { performance } from 'node:perf_hooks';
/** Messages between bench/run.ts and its child processes (over the Node IPC channel). */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly url: string;
  /** only for the PATRIOT child */
  readonly webhookUrl?: string;
  readonly secret?: string;
  /** ms from the child's process start (performance.timeOrigin) to listening */
  readonly childStartupMs: number;
  /** where the child's start-up time went (PATRIOT child only) */
  readonly phasesMs?: { readonly nodeStart: number; readonly importDist: number; readonly startPatriot: number };
}

export interface StoppedMessage {
  readonly type: 'stopped';
  readonly peakRssBytes: number;
  readonly dataDir?: string;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

/** answer to a 'usage' request: CPU time used so far (µs) and current RSS */
export interface UsageMessage {
  readonly type: 'usage';
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  readonly rssBytes: number;
  /** V8 heap in use now (no GC forced) */
  readonly heapUsedBytes: number;
  /** cumulative event-loop active/idle time (ms): active includes time blocked in synchronous syscalls such as fsync */
  readonly loopActiveMs: number;
  readonly loopIdleMs: number;
}

/** answer to a 'gc' request: memory after a forced full GC (only when the child runs with --expose-gc) */
export interface HeapMessage {
  readonly type: 'heap';
  readonly gcRan: boolean;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
  readonly rssBytes: number;
}

/**
 * answer to a 'logTally' request: the event-log events appended since the previous tally, up to
 * the head at the request, as the times (ms since epoch, from each event's metadata.time) of the
 * types a figure counts. PATRIOT child only.
 */
export interface LogTallyMessage {
  readonly type: 'logTally';
  readonly head: number;
  readonly scanned: number;
  readonly timesByType: Readonly<Record<string, readonly number[]>>;
}

export type ChildMessage = ReadyMessage | StoppedMessage | ErrorMessage | UsageMessage | HeapMessage | LogTallyMessage;

export interface StopMessage {
  readonly type: 'stop';
}

/** Samples this process's RSS every `everyMs` and remembers the maximum. */
export function rssSampler(everyMs = 200): { peak(): number; stop(): void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  }, everyMs);
  timer.unref();
  return {
    peak: () => Math.max(peak, process.memoryUsage().rss),
    stop: () => clearInterval(timer),
  };
}

export function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

export function isUsageRequest(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'usage';
}

export function usage(): UsageMessage {
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const memory = process.memoryUsage();
  return { type: 'usage', cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, loopActiveMs: elu.active, loopIdleMs: elu.idle };
}

/** A full GC when node runs with --expose-gc, then the memory figures. */
export function heapAfterGc(): HeapMessage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  const memory = process.memoryUsage();
  return { type: 'heap', gcRan: gc !== undefined, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal, externalBytes: memory.external, rssBytes: memory.rss };
}

/** A request of the parent that the child answers with a message of the same type. */
export function requestType(message: unknown): 'usage' | 'gc' | 'logTally' | undefined {
  const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
  return type === 'usage' || type === 'gc' || type === 'logTally' ? type : undefined;
}

export function isStop(message: unknown): message is StopMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'stop';
}
