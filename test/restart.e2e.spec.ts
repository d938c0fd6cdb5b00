/**
 * Crash test at process level: the real `patriot serve` is SIGKILLed while 200 alerts are in
 * flight, restarted on the same data directory, and every alert that was not acknowledged is
 * sent again. Afterwards every acknowledged alert exists exactly once, every signal has exactly
 * one order, no clientOrderId reached the exchange twice, and the log verifies.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEMO_PASSWORD, cleanupTempDirs, login, makeTempDir, waitUntil, type OrderView, type Page, type SignalView } from './support/server.js';
import { MAIN, ROOT, childEnv, ensureBuilt, killAll, spawnServer, stopGracefully, type Spawned } from './support/processes.js';
const ALERTS = 200;
const CONCURRENCY = 20;
/** SIGKILL once this many answers came back (the rest are in flight or not sent yet) */
const KILL_AFTER = 70;

let dataDir: string;

interface Served extends Spawned {
  readonly secret: string;
  /** the demo user's access token */
  readonly token: string;
}

async function serve(): Promise<Served> {
  const spawned = await spawnServer({ PATRIOT_DATA_DIR: dataDir, PATRIOT_FEED_INTERVAL_MS: '50', PATRIOT_DEMO_PASSWORD: DEMO_PASSWORD });
  const secret = await waitUntil(() => /"secret":"([^"]+)"/.exec(spawned.output())?.[1], 'the serve banner');
  const token = await login(spawned, 'demo', DEMO_PASSWORD);
  if (token === undefined) throw new Error('the demo login was refused');
  return { ...spawned, secret, token };
}

type Answer = { kind: 'answered'; status: number; signalId?: string; body: string } | { kind: 'failed'; error: string };

function alertBody(secret: string, i: number): string {
  return JSON.stringify({ secret, id: `crash-${i}`, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.001' });
}

async function send(url: string, body: string): Promise<Answer> {
  try {
    const response = await fetch(`${url}/webhook/strat_demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await response.text();
    let signalId: string | undefined;
    try {
      signalId = (JSON.parse(text) as { signalId?: string }).signalId;
    } catch {
      // not JSON
    }
    return { kind: 'answered', status: response.status, ...(signalId !== undefined ? { signalId } : {}), body: text };
  } catch (error) {
    return { kind: 'failed', error: String(error) };
  }
}

/** Sends alerts `indices` with `concurrency` workers; `onAnswer` sees each result as it comes. */
async function fire(url: string, secret: string, indices: number[], concurrency: number, onAnswer: (i: number, a: Answer) => void): Promise<void> {
  const queue = [...indices];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) onAnswer(i, await send(url, alertBody(secret, i)));
    }),
  );
}

async function pageAll<T>(url: string, path: string, token: string): Promise<T[]> {
  const items: T[] = [];
  let before: number | undefined;
  for (let page = 0; page < 100; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const response = await fetch(`${url}${path}${sep}limit=37${before !== undefined ? `&before=${before}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Page<T>;
    items.push(...body.items);
    if (body.nextBefore === undefined) return items;
    before = body.nextBefore;
  }
  throw new Error('paging did not end');
}

const is2xx = (a: Answer | undefined): a is Extract<Answer, { kind: 'answered' }> => a?.kind === 'answered' && a.status >= 200 && a.status < 300;

beforeAll(() => {
  ensureBuilt();
  dataDir = makeTempDir('patriot-crash-');
});

afterAll(async () => {
  await killAll();
  cleanupTempDirs();
});

describe('kill -9 under load, restart, re-send', () => {
  it('loses no acknowledged alert, duplicates no order, and the log verifies', async () => {
    // ---- first run: killed while alerts are in flight
    const first = await serve();
    const firstAnswers = new Map<number, Answer>();
    let answered = 0;
    let killed = false;
    await fire(first.url, first.secret, Array.from({ length: ALERTS }, (_, i) => i), CONCURRENCY, (i, a) => {
      firstAnswers.set(i, a);
      if (++answered >= KILL_AFTER && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    });
    expect(killed).toBe(true);
    await waitUntil(() => first.child.exitCode !== null || first.child.signalCode !== null, 'the killed server to exit');
    expect(first.child.signalCode).toBe('SIGKILL');

    const acknowledged = [...firstAnswers].filter(([, a]) => is2xx(a));
    const unacknowledged = [...firstAnswers].filter(([, a]) => !is2xx(a)).map(([i]) => i);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER - CONCURRENCY);
    expect(unacknowledged.length).toBeGreaterThan(0);
    // nothing the first server answered was a server error
    for (const [, a] of firstAnswers) if (a.kind === 'answered') expect(a.status, a.body).toBeLessThan(500);

    // ---- second run: same data directory; re-send everything not acknowledged
    const second = await serve();
    expect(second.secret).toBe(first.secret);
    const secondAnswers = new Map<number, Answer>();
    await fire(second.url, second.secret, unacknowledged, CONCURRENCY, (i, a) => secondAnswers.set(i, a));
    for (const i of unacknowledged) {
      const a = secondAnswers.get(i);
      expect(is2xx(a), `alert ${i}: ${JSON.stringify(a)}`).toBe(true);
    }
    const signalIdOf = new Map<number, string>();
    for (const [i, a] of acknowledged) if (is2xx(a)) signalIdOf.set(i, a.signalId!);
    for (const i of unacknowledged) signalIdOf.set(i, (secondAnswers.get(i) as { signalId: string }).signalId);

    // ---- wait until every signal is processed and every order settled
    const signals = await waitUntil(async () => {
      const all = await pageAll<SignalView>(second.url, '/api/v1/signals', second.token);
      return all.length === ALERTS && all.every((s) => s.outcome !== 'pending' && s.orders.every((o) => o.status === 'filled')) ? all : undefined;
    }, 'all signals processed and filled', 30_000, 100);

    // every alert exists exactly once, under the id its 2xx answer named
    const byKey = new Map<string, SignalView[]>();
    for (const s of signals) byKey.set(s.idempotencyKey, [...(byKey.get(s.idempotencyKey) ?? []), s]);
    expect(byKey.size).toBe(ALERTS);
    for (let i = 0; i < ALERTS; i++) {
      const found = byKey.get(`crash-${i}`) ?? [];
      expect(found, `alert ${i}`).toHaveLength(1);
      expect(found[0]!.signalId, `alert ${i}`).toBe(signalIdOf.get(i));
      expect(found[0]!.outcome, `alert ${i}`).toBe('accepted');
      expect(found[0]!.orders, `alert ${i}`).toHaveLength(1);
    }
    expect(new Set(signals.map((s) => s.signalId)).size).toBe(ALERTS);

    // every accepted signal has exactly one order
    const orders = await pageAll<OrderView>(second.url, '/api/v1/orders', second.token);
    expect(orders).toHaveLength(ALERTS);
    const ordersBySignal = new Map<string, number>();
    for (const o of orders) ordersBySignal.set(o.signalId, (ordersBySignal.get(o.signalId) ?? 0) + 1);
    for (const s of signals) expect(ordersBySignal.get(s.signalId), s.signalId).toBe(1);
    for (const o of orders) {
      expect(o.clientOrderId).toMatch(/^[0-9a-f]{32}$/);
      expect(o.status).toBe('filled');
    }

    // the exchange's own books: one order per clientOrderId, each placed once, none unknown to the log
    const exchangeDb = new Database(join(dataDir, 'paper-exchange.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = exchangeDb.prepare('SELECT client_order_id AS id, count(*) AS n FROM paper_orders GROUP BY client_order_id').all() as { id: string; n: number }[];
      expect(rows).toHaveLength(ALERTS);
      for (const r of rows) expect(r.n, r.id).toBe(1);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(orders.map((o) => o.clientOrderId)));
      const attempts = exchangeDb.prepare('SELECT client_order_id AS id, count AS n FROM paper_attempts WHERE count <> 1').all() as { id: string; n: number }[];
      expect(attempts, 'clientOrderIds placed more than once').toEqual([]);
      const fills = exchangeDb.prepare('SELECT count(*) AS n FROM paper_fills').get() as { n: number };
      expect(fills.n).toBe(ALERTS);
    } finally {
      exchangeDb.close();
    }

    expect(await stopGracefully(second), second.output()).toBe(0);

    // ---- the log: contiguous stream versions, and `patriot verify` is happy
    const logDb = new Database(join(dataDir, 'patriot.db'), { readonly: true, fileMustExist: true });
    try {
      const gaps = logDb
        .prepare('SELECT stream_id, count(*) AS n, min(stream_version) AS lo, max(stream_version) AS hi FROM events GROUP BY stream_id HAVING lo <> 1 OR hi <> n')
        .all();
      expect(gaps).toEqual([]);
      const processed = logDb.prepare(`SELECT count(*) AS n FROM events WHERE type = 'SignalProcessed'`).get() as { n: number };
      expect(processed.n).toBe(ALERTS);
    } finally {
      logDb.close();
    }
    const verify = spawnSync(process.execPath, [MAIN, 'verify'], { env: childEnv({ PATRIOT_DATA_DIR: dataDir }), cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout.trim().split('\n').pop()!)).toMatchObject({ ok: true });
  });
});
