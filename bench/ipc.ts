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
  /** cumulative event-loop active/idle time (ms): active includes time blocked in synchronous syscalls such as fsync */
  readonly loopActiveMs: number;
  readonly loopIdleMs: number;
}

export type ChildMessage = ReadyMessage | StoppedMessage | ErrorMessage | UsageMessage;

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
  return { type: 'usage', cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rssBytes: process.memoryUsage().rss, loopActiveMs: elu.active, loopIdleMs: elu.idle };
}

export function isStop(message: unknown): message is StopMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'stop';
}
