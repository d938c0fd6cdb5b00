/**
 * Test helpers for the HTTP end-to-end and restart suites: a real PATRIOT runtime on a fresh
 * temp data directory and a free port, its log lines captured in memory, and small fetch helpers.
 * Everything uses Node's global fetch; nothing here adds a dependency.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type PatriotConfig } from '../../src/bootstrap/config.js';
import { startPatriot, type PatriotRuntime } from '../../src/bootstrap/runtime.js';
import { recordAnswer, recordOutput, recordSecrets } from './secret-scan.js';
import type { BalanceView, FillView, OrderView, PositionView, SignalView } from '../../src/application/projections/read-models.js';

export type { BalanceView, FillView, OrderView, PositionView, SignalView };
export interface Page<T> {
  readonly items: T[];
  readonly nextBefore?: number;
}
export interface Items<T> {
  readonly items: T[];
}
export interface ErrorAnswer {
  readonly error: { readonly code: string; readonly message: string; readonly signalId?: string };
}
export interface PositionWithPnl extends PositionView {
  readonly markPrice?: string;
  readonly unrealizedPnl?: string;
}
export interface TraceAnswer {
  readonly signalId: string;
  readonly events: { readonly globalPosition: number; readonly streamId: string; readonly streamVersion: number; readonly type: string; readonly data: Record<string, unknown> }[];
}

const tempDirs = new Set<string>();

/** A fresh temp directory, removed by cleanupTempDirs(). */
export function makeTempDir(prefix = 'patriot-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Removes every temp directory made by makeTempDir() (call from afterAll). */
export function cleanupTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** An in-memory sink for pino's JSON lines. */
export class LogBuffer extends Writable {
  private readonly chunks: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    callback();
  }

  text(): string {
    return this.chunks.join('');
  }
}

export interface TestServer {
  readonly runtime: PatriotRuntime;
  readonly dataDir: string;
  readonly logs: LogBuffer;
  /** closes the runtime (idempotent); the data directory stays until cleanupTempDirs() */
  close(): Promise<void>;
}

export interface StartOptions {
  /** the leader takes portfolio snapshots (timer and processor); default off, tests take them with snapshotNow() */
  readonly snapshots?: boolean;
  /** reuse a data directory (restart); default a fresh temp dir */
  readonly dataDir?: string;
  /** share one log buffer across restarts */
  readonly logs?: LogBuffer;
  readonly logLevel?: string;
  readonly config?: Partial<PatriotConfig>;
  readonly lookupDelaysMs?: readonly number[];
}

/** The demo login's password in tests (set at every start). */
export const DEMO_PASSWORD = 'demo-password-for-tests';

/** Access tokens of running test servers, by URL: fetchJson sends them unless told otherwise. */
const tokens = new Map<string, string>();

/** Logs in over HTTP; the access token, or undefined when refused. */
export async function login(runtime: { url: string }, username: string, password: string): Promise<string | undefined> {
  recordSecrets(password);
  const response = await fetch(`${runtime.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const text = await response.text();
  recordAnswer('POST', '/api/v1/auth/login', response.status, text);
  return response.status === 200 ? (JSON.parse(text) as { accessToken: string }).accessToken : undefined;
}

/** Starts a runtime on 127.0.0.1, port 0, manual feed, logs captured in memory; logged in as the demo user when there is one. */
/**
 * One paper server for a describe block: started before its tests with BTC/USDT at `btcPrice`,
 * closed after them. Read it through the getter (it exists once the block's beforeAll ran).
 */
export function paperServerForBlock(btcPrice = '97000', options: StartOptions = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(options);
    server.runtime.feed.setPrice('BTC/USDT', btcPrice);
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('the block\'s server is not started yet');
    return server;
  };
}

export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? makeTempDir();
  const logs = options.logs ?? new LogBuffer();
  const config = loadConfig({}, { port: 0, host: '127.0.0.1', dataDir, logLevel: options.logLevel ?? 'warn', demoPassword: DEMO_PASSWORD, ...options.config });
  const runtime = await startPatriot(config, { logDestination: logs, manualFeed: true, ...(options.snapshots !== undefined ? { snapshots: options.snapshots } : {}), ...(options.lookupDelaysMs ? { lookupDelaysMs: options.lookupDelaysMs } : {}) });
  const secrets: string[] = [DEMO_PASSWORD];
  if (runtime.demo) {
    secrets.push(runtime.demo.secret);
    const token = await login(runtime, runtime.demo.login.username, DEMO_PASSWORD);
    if (token !== undefined) {
      tokens.set(runtime.url, token);
      secrets.push(token);
    }
  }
  if (config.masterKey !== undefined) secrets.push(config.masterKey);
  if (config.masterKeyPrevious !== undefined) secrets.push(config.masterKeyPrevious);
  const keyFile = join(dataDir, 'master.key');
  if (existsSync(keyFile)) secrets.push(readFileSync(keyFile, 'utf8').trim());
  recordSecrets(...secrets);
  let closed = false;
  return {
    runtime, dataDir, logs,
    close: async () => {
      tokens.delete(runtime.url);
      await runtime.close();
      if (!closed) recordOutput(`logs of the server in ${dataDir}`, logs.text());
      closed = true;
      // no secret configured in this run (webhook secret, password, access token) may reach a log line
      const text = logs.text();
      const leaked = secrets.filter((secret) => text.includes(secret));
      if (leaked.length > 0) throw new Error(`a secret reached the logs of the server in ${dataDir}: ${leaked.map((x) => `${x.slice(0, 3)}…`).join(', ')}`);
    },
  };
}

export interface HttpResult<T = unknown> {
  readonly status: number;
  readonly text: string;
  /** parsed JSON body, or undefined when the body is not JSON */
  readonly body: T;
  readonly contentType: string;
}

async function toResult<T>(response: Response, method: string, path: string): Promise<HttpResult<T>> {
  const text = await response.text();
  recordAnswer(method, path, response.status, text);
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body: body as T, contentType: response.headers.get('content-type') ?? '' };
}

/** GET (or any method with a JSON body) against the runtime; never throws on a 4xx/5xx. */
export async function fetchJson<T = unknown>(runtime: { url: string }, path: string, init: { method?: string; json?: unknown; token?: string | null } = {}): Promise<HttpResult<T>> {
  // the demo user's token unless the caller names another, or null for none
  const token = init.token === undefined ? tokens.get(runtime.url) : init.token;
  const headers: Record<string, string> = {
    ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const method = init.method ?? (init.json === undefined ? 'GET' : 'POST');
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  return toResult<T>(response, method, path);
}

export interface PostAlertOptions {
  /** default application/json for objects, text/plain for strings */
  readonly contentType?: string;
  /** sent as ?token= */
  readonly token?: string;
  /** default the demo strategy */
  readonly strategyId?: string;
}

export interface AlertAnswer {
  readonly signalId?: string;
  readonly status?: string;
  readonly error?: { readonly code: string; readonly message: string; readonly signalId?: string };
}

/** POSTs an alert to /webhook/:strategyId. An object body is JSON-encoded; a string is sent as is. */
export async function postAlert(runtime: { url: string; demo?: { strategyId: string } }, body: string | object, options: PostAlertOptions = {}): Promise<HttpResult<AlertAnswer>> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType = options.contentType ?? (typeof body === 'string' ? 'text/plain' : 'application/json');
  const strategyId = options.strategyId ?? runtime.demo?.strategyId ?? 'strat_demo';
  const query = options.token !== undefined ? `?token=${encodeURIComponent(options.token)}` : '';
  const response = await fetch(`${runtime.url}/webhook/${encodeURIComponent(strategyId)}${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: text,
  });
  return toResult<AlertAnswer>(response, 'POST', `/webhook/${strategyId}`);
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitUntil<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The demo info, asserted present (a fresh data dir always seeds the demo strategy). */
export function demoOf(runtime: PatriotRuntime): NonNullable<PatriotRuntime['demo']> {
  if (!runtime.demo) throw new Error('the runtime has no demo strategy');
  return runtime.demo;
}

/** A minimal valid market alert for the demo strategy. */
export function marketAlert(secret: string, fields: Record<string, string> = {}): Record<string, string> {
  return { secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', ...fields };
}

/**
 * Waits until the runtime has nothing left to do: everything appended is processed and projected,
 * the paper exchange has committed and emitted its updates, and the log head stops moving.
 */
export async function quiesce(runtime: PatriotRuntime, maxRounds = 200): Promise<number> {
  let head = await runtime.events.headPosition();
  let stable = 0;
  for (let round = 0; round < maxRounds; round++) {
    await runtime.settle();
    await runtime.exchange.settle();
    // exchange updates are emitted on a later turn of the event loop, then recorded asynchronously
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    await runtime.settle();
    const next = await runtime.events.headPosition();
    if (next === head) {
      if (++stable >= 2) return head;
    } else {
      stable = 0;
      head = next;
    }
  }
  throw new Error('the runtime did not become quiet');
}

/** A strategy created over the API (201 expected): its id and its webhook secret. */
export async function createStrategy(runtime: { url: string }, config: object): Promise<{ strategyId: string; secret: string }> {
  const created = await fetchJson<{ strategy: { strategyId: string }; webhook: { secret: string } }>(runtime, '/api/v1/strategies', { json: config });
  if (created.status !== 201) throw new Error(`creating the strategy failed: ${created.status} ${created.text}`);
  return { strategyId: created.body.strategy.strategyId, secret: created.body.webhook.secret };
}

/** Sends one alert of the strategy (202 expected), lets everything settle, and returns the order it made, if any. */
export async function orderOfAlert(runtime: PatriotRuntime, strategy: { strategyId: string; secret: string }, id: string, action: string, ticker = 'BINANCE:BTCUSDT'): Promise<OrderView | undefined> {
  const res = await postAlert(runtime, { secret: strategy.secret, id, action, ticker }, { strategyId: strategy.strategyId });
  if (res.status !== 202) throw new Error(`the alert was not accepted: ${res.status} ${res.text}`);
  await quiesce(runtime);
  return (await fetchJson<Page<OrderView>>(runtime, `/api/v1/orders?signalId=${res.body.signalId!}`)).body.items[0];
}
