/**
 * Real `patriot serve` processes for the crash and multi-node suites: spawned from the built
 * CLI (dist/), on a free port, their output captured, killed with whatever signal a test wants.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './server.js';
import { recordOutput, recordSecrets } from './secret-scan.js';
import { freePort } from './free-port.js';
export { freePort };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = join(ROOT, 'dist/cli/main.js');

export interface Spawned {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
}

const children = new Set<ChildProcess>();

/** Builds dist/ if a test runs before `npm run build`. */
export function ensureBuilt(): void {
  if (!existsSync(MAIN)) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}


/** The environment of a child: this process's, minus anything that would redirect its configuration, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
  delete merged.PATRIOT_CONFIG;
  delete merged.PATRIOT_PUBLIC_URL;
  if (!('DATABASE_URL' in env)) delete merged.DATABASE_URL;
  return merged;
}

/** Starts `patriot serve` with `env` (PORT is chosen here) and resolves once /ready (or `probe`) answers 200. */
export async function spawnServer(env: Record<string, string>, readyWithinMs = 20_000, probe: '/ready' | '/health' = '/ready'): Promise<Spawned> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, 'serve'], { env: childEnv({ HOST: '127.0.0.1', ...env, PORT: String(port) }), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  // configured secrets are looked for in everything the server printed (the whole-run secret scan)
  recordSecrets(...Object.entries(env).filter(([name]) => /SECRET|PASSWORD|MASTER_KEY|TOKEN/.test(name)).map(([, value]) => value));
  child.once('exit', () => {
    children.delete(child);
    recordOutput(`output of patriot serve on port ${port}`, out);
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  let lastAnswer = 'no answer yet';
  const ready = await waitUntil(async () => {
    // a server that exited will never answer: say so now, not at the end of the budget
    if (child.exitCode !== null || child.signalCode !== null) return 'exited' as const;
    const status = (await fetch(`${url}${probe}`)).status;
    lastAnswer = `${probe} answered ${status}`;
    return status === 200 ? ('ready' as const) : undefined;
  }, `the server on ${url} to answer ${probe}`, readyWithinMs, 50).catch((error: unknown) => {
    // say what the server was doing: its last answer and everything it printed
    throw new Error(`${error instanceof Error ? error.message : String(error)} (${lastAnswer}); its output so far:\n${out}`);
  });
  if (ready === 'exited') throw new Error(`serve exited (${child.exitCode ?? child.signalCode}) before ${probe} answered 200 (${lastAnswer}); its output:\n${out}`);
  return { child, url, output: () => out };
}

export const hasExited = (s: Spawned): boolean => s.child.exitCode !== null || s.child.signalCode !== null;

/** SIGTERM, and the exit code once it exits. */
export async function stopGracefully(s: Spawned): Promise<number | null> {
  if (hasExited(s)) return s.child.exitCode;
  const exited = new Promise<number | null>((done) => s.child.once('exit', (code) => done(code)));
  s.child.kill('SIGTERM');
  return exited;
}

/** SIGKILL, resolved once the process is gone. */
export async function killHard(s: Spawned): Promise<void> {
  if (hasExited(s)) return;
  const exited = new Promise<void>((done) => s.child.once('exit', () => done()));
  s.child.kill('SIGKILL');
  await exited;
}

/** Kills whatever is still running (afterAll). */
export async function killAll(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  await waitUntil(() => children.size === 0, 'the servers to exit', 10_000).catch(() => undefined);
}
