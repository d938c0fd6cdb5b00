/** Spawning and stopping the benchmark's child processes (PATRIOT server, baseline Fastify). */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import ts from 'typescript';
import type { ChildMessage, HeapMessage, LogTallyMessage, ReadyMessage, StoppedMessage, UsageMessage } from './ipc.js';

export interface RunningChild {
  readonly ready: ReadyMessage;
  /** ms from fork() to the child's 'ready' message */
  readonly timeToReadyMs: number;
  readonly pid: number;
  /** the child's CPU time so far and its RSS */
  usage(): Promise<UsageMessage>;
  /** memory after a forced full GC (gcRan is false unless the child runs with --expose-gc) */
  heap(): Promise<HeapMessage>;
  /** event-log events appended since the previous tally (PATRIOT child only) */
  logTally(): Promise<LogTallyMessage>;
  stop(): Promise<StoppedMessage>;
}

export interface SpawnOptions {
  /** extra node flags, e.g. --cpu-prof */
  readonly nodeFlags?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
}

const CHILD_SOURCES = ['ipc.ts', 'server-child.ts', 'baseline-child.ts', 'load-child.ts'] as const;
const benchDir = fileURLToPath(new URL('./', import.meta.url));
const outDir = fileURLToPath(new URL('./results/.child/', import.meta.url));
let compiled = false;

/**
 * The children run on plain `node`, without the tsx loader: its module hooks would double the
 * import time of dist/ (and show up in profiles), which is not what `patriot serve` pays.
 * So the child sources are transpiled (type-only, per file) to bench/results/.child/*.js.
 */
function compileChildren(): void {
  if (compiled) return;
  mkdirSync(outDir, { recursive: true });
  for (const file of CHILD_SOURCES) {
    const out = ts.transpileModule(readFileSync(`${benchDir}${file}`, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
    });
    writeFileSync(`${outDir}${file.replace(/\.ts$/, '.js')}`, out.outputText);
  }
  writeFileSync(`${outDir}package.json`, '{ "type": "module" }\n');
  compiled = true;
}

/** The transpiled path of one of the child sources (compiled on first use). */
export function childScript(script: (typeof CHILD_SOURCES)[number]): string {
  compileChildren();
  return `${outDir}${script.replace(/\.ts$/, '.js')}`;
}

export function spawnChild(script: 'server-child.ts' | 'baseline-child.ts', options: SpawnOptions = {}): Promise<RunningChild> {
  const path = childScript(script);
  const started = performance.now();
  const child: ChildProcess = fork(path, [], {
    execArgv: [...(options.nodeFlags ?? [])],
    // BENCH_PATRIOT_ROOT: run another checkout's dist/ (e.g. an older commit, for before/after CPU figures)
    env: { ...process.env, LOG_LEVEL: 'warn', PATRIOT_ROOT: process.env.BENCH_PATRIOT_ROOT ?? fileURLToPath(new URL('../', import.meta.url)), ...options.env },
    // keep our stdout clean for the JSON result: the child's output goes to stderr
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} was not ready within ${options.readyTimeoutMs ?? 30_000} ms`));
    }, options.readyTimeoutMs ?? 30_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before it was ready`));
    };
    child.once('exit', onExit);
    child.on('message', function first(raw: unknown) {
      const message = raw as ChildMessage;
      if (message.type === 'error') {
        clearTimeout(timer);
        child.off('message', first);
        reject(new Error(`${script}: ${message.message}`));
        return;
      }
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', first);
      child.off('exit', onExit);
      const timeToReadyMs = performance.now() - started;
      resolve({
        ready: message,
        timeToReadyMs,
        pid: child.pid ?? -1,
        usage: () => ask<UsageMessage>(child, 'usage'),
        heap: () => ask<HeapMessage>(child, 'gc', 'heap'),
        logTally: () => ask<LogTallyMessage>(child, 'logTally'),
        stop: () => stopChild(child, script),
      });
    });
  });
}

/** Sends a request and resolves with the child's first answer of the reply type (an 'error' message rejects). */
function ask<T extends ChildMessage>(child: ChildProcess, request: string, reply: T['type'] = request as T['type']): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (raw: unknown) => {
      const message = raw as ChildMessage;
      if (message.type !== reply && message.type !== 'error') return;
      child.off('message', onMessage);
      if (message.type === 'error') reject(new Error(message.message));
      else resolve(message as T);
    };
    child.on('message', onMessage);
    child.send({ type: request });
  });
}

function stopChild(child: ChildProcess, script: string): Promise<StoppedMessage> {
  return new Promise((resolve, reject) => {
    let stopped: StoppedMessage | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not stop within 20 s (killed)`));
    }, 20_000);
    child.on('message', (raw: unknown) => {
      const message = raw as ChildMessage;
      if (message.type === 'stopped') stopped = message;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (stopped) resolve(stopped);
      else reject(new Error(`${script} exited (code ${code}) without reporting its peak RSS`));
    });
    child.send({ type: 'stop' });
  });
}
