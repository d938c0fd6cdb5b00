/**
 * `patriot sandbox` as a separate process (src/cli/main.ts through tsx): prints one JSON line,
 * serves ccxt, obeys the admin endpoint, keeps its SQLite file across restarts, stops on SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ccxt from 'ccxt';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENT_OPTIONS, clientOrderId, failure } from '../adapters/exchanges/sandbox/test-support/sandbox-fixture.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'patriot-sandbox-cli-'));
const children: ChildProcessWithoutNullStreams[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly line: Record<string, unknown> & { httpUrl: string; apiKey: string; ccxtUrls: Record<string, unknown> };
}

async function startCli(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sandbox'], {
    cwd: ROOT,
    env: { ...process.env, PATRIOT_DATA_DIR: dataDir, PATRIOT_SANDBOX_PORT: '0', ...env },
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const firstLine = await new Promise<string>((resolveLine, reject) => {
    createInterface({ input: child.stdout }).once('line', resolveLine);
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${stderr}`)));
  });
  return { child, line: JSON.parse(firstLine) as Started['line'] };
}

function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolveExit) => {
    child.once('exit', (code) => resolveExit(code));
    child.kill('SIGTERM');
  });
}

describe('patriot sandbox', () => {
  it('prints its URLs and generated credentials, serves ccxt and the admin endpoint, keeps state across restarts, exits 0 on SIGTERM', async () => {
    const first = await startCli({ PATRIOT_SANDBOX_BALANCES: 'USDT=5000,ETH=2' });
    const { line } = first;
    expect(line).toMatchObject({ sandbox: 'binance-spot', accountId: 'sandbox', dataFile: join(dataDir, 'sandbox-exchange.db') });
    expect(line.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(line.apiKey).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(typeof line.secret).toBe('string');
    expect(typeof line.adminToken).toBe('string');

    const client = new ccxt.binance({ apiKey: line.apiKey, secret: line.secret as string, enableRateLimit: false, urls: { api: line.ccxtUrls }, options: { ...CLIENT_OPTIONS } });
    expect((await client.fetchBalance())['ETH']!.free).toBe(2);
    expect(line).toMatchObject({ haltedSymbols: ['FTT/USDT'] });
    expect(line.markets).toBeGreaterThanOrEqual(50);
    const moved = await fetch(`${line.httpUrl}/sandbox/price`, {
      method: 'POST',
      headers: { 'X-Sandbox-Admin-Token': line.adminToken as string },
      body: JSON.stringify({ symbol: 'DOGEUSDT', price: '0.5' }),
    });
    expect(await moved.json()).toEqual({ symbol: 'DOGE/USDT', price: '0.5' });
    const doge = await client.fetchTicker('DOGE/USDT'); // the feed runs: within a few ticks of 0.5
    expect(doge.last).toBeGreaterThan(0.4);
    expect(doge.last).toBeLessThan(0.6);
    const id = clientOrderId();
    await client.createOrder('ETH/USDT', 'limit', 'buy', 1, 1000, { clientOrderId: id });

    const injected = await fetch(`${line.httpUrl}/sandbox/faults`, {
      method: 'POST',
      headers: { 'X-Sandbox-Admin-Token': line.adminToken as string },
      body: JSON.stringify({ kind: 'http_error', status: 503, method: 'GET', path: '/api/v3/account' }),
    });
    expect(injected.status).toBe(200);
    expect(await failure(client.fetchBalance())).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect(await stop(first.child)).toBe(0);

    const second = await startCli({ PATRIOT_SANDBOX_API_KEY: line.apiKey, PATRIOT_SANDBOX_API_SECRET: line.secret as string, PATRIOT_SANDBOX_ADMIN_TOKEN: 'given' });
    expect(second.line.apiKey).toBe(line.apiKey);
    expect(second.line).not.toHaveProperty('secret');
    expect(second.line).not.toHaveProperty('adminToken');
    const again = new ccxt.binance({ apiKey: line.apiKey, secret: line.secret as string, enableRateLimit: false, urls: { api: second.line.ccxtUrls }, options: { ...CLIENT_OPTIONS } });
    const order = await again.fetchOrder('', 'ETH/USDT', { clientOrderId: id });
    expect(order).toMatchObject({ clientOrderId: id, status: 'open', amount: 1 });
    expect((await again.fetchBalance())['USDT']).toMatchObject({ total: 5000 });
    expect(await stop(second.child)).toBe(0);
  });
});
