/** Spawning and stopping the benchmark's child processes (PATRIOT server, baseline Fastify). */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import ts from 'typescript';
import type { ChildMessage, ReadyMessage, StoppedMessage, UsageMessage } from './ipc.js';

export interface RunningChild {
  readonly ready: ReadyMessage;
  /** ms from fork() to the child's 'ready' message */
  readonly timeToReadyMs: number;
  readonly pid: number;
  /** the child's CPU time so far and its RSS */
  usage(): Promise<UsageMessage>;
  stop(): Promise<StoppedMessage>;
}

export interface SpawnOptions {
  /** extra node flags, e.g. --cpu-prof */
  readonly nodeFlags?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
}

const CHILD_SOURCES = ['ipc.ts', 'server-child.ts', 'baseline-child.ts'] as const;
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

export function spawnChild(script: 'server-child.ts' | 'baseline-child.ts', options: SpawnOptions = {}): Promise<RunningChild> {
  compileChildren();
  const path = `${outDir}${script.replace(/\.ts$/, '.js')}`;
  const started = performance.now();
  const child: ChildProcess = fork(path, [], {
    execArgv: [...(options.nodeFlags ?? [])],
    env: { ...process.env, LOG_LEVEL: 'warn', PATRIOT_ROOT: fileURLToPath(new URL('../', import.meta.url)), ...options.env },
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
        usage: () => new Promise<UsageMessage>((resolveUsage) => {
          const onMessage = (raw: unknown) => {
            if ((raw as ChildMessage).type !== 'usage') return;
            child.off('message', onMessage);
            resolveUsage(raw as UsageMessage);
          };
          child.on('message', onMessage);
          child.send({ type: 'usage' });
        }),
        stop: () => stopChild(child, script),
      });
    });
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
