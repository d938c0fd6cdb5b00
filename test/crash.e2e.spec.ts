/**
 * The crash test, on SQLite and on PostgreSQL. A real `patriot serve` takes alerts from this
 * (separate) process and is SIGKILLed at seeded random points, several times: after some answers,
 * after some milliseconds, or just after the load stopped while the backlog is routed and sent to
 * the paper exchange. Each time it is restarted on the same data and every alert without a 2xx is
 * sent again. On PostgreSQL one cycle also crashes the database itself (`pg_ctl stop -m
 * immediate`) under the running server: alerts are refused with 503 while it is down, and the
 * same server takes alerts again once it is back.
 *
 * Afterwards: every acknowledged alert is in the log once, under the id its 2xx named, processed
 * once; one order per signal; no clientOrderId reached the exchange twice; stream versions are
 * contiguous; the hash chain verifies; read models rebuilt from scratch equal the live ones.
 * A failing schedule replays with PATRIOT_CRASH_SEED.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEMO_PASSWORD, cleanupTempDirs, login, makeTempDir, waitUntil, type OrderView, type SignalView } from './support/server.js';
import { ensureBuilt, hasExited, killAll, killHard, spawnServer, stopGracefully, type Spawned } from './support/processes.js';
import { alertBody, fire, is2xx, pageAll, seeded, send, type Answer } from './support/alert-load.js';
import { expectContiguousVersions, readWholeLog } from './support/log-checks.js';
import { configureBackToBack } from './support/configure-load.js';
import { postgresAvailable, startCluster, type TestCluster } from './support/postgres-cluster.js';
import { loadConfig } from '../src/bootstrap/config.js';
import { openStorage } from '../src/bootstrap/storage.js';
import { replayProjections, verifyLog } from '../src/bootstrap/maintenance.js';
import type { RecordedEvent } from '../src/application/ports/event-store.js';

const ALERTS = 300;
const CONCURRENCY = 16;
const KILLS = 4;
const SEED = Number(process.env.PATRIOT_CRASH_SEED ?? 20261125);
/** accounts and strategies created through the API during each killed cycle's load (fewer when the kill comes first) */
const CONFIGURATIONS_PER_CYCLE = 3;

/** A strategy configured on a new account during a cycle, and its first alert's acknowledgement. */
interface ConfiguredHere {
  readonly accountId: string;
  readonly strategyId: string;
  readonly firstAlert: string;
  signalId?: string;
}

interface Served extends Spawned {
  readonly secret: string;
}

type KillPlan = { kind: 'after answers'; answers: number } | { kind: 'after ms'; ms: number } | { kind: 'after the load' };

afterAll(async () => {
  await killAll();
  cleanupTempDirs();
});

/** One crash run: state shared by its cycles. */
class CrashRun {
  /** alert index -> the signalId its 2xx named */
  readonly acknowledged = new Map<number, string>();
  readonly kills: string[] = [];
  readonly configured: ConfiguredHere[] = [];
  /** the alert whose order the exchange refused just before the server was killed (the refusal never recorded) */
  refusedSignal: string | undefined;
  readonly random: () => number;

  constructor(
    readonly dataDir: string,
    readonly env: Record<string, string>,
    seed: number,
  ) {
    this.random = seeded(seed);
  }

  async serve(extra: Record<string, string> = {}): Promise<Served> {
    const spawned = await spawnServer({ PATRIOT_DATA_DIR: this.dataDir, PATRIOT_FEED_INTERVAL_MS: '50', PATRIOT_DEMO_PASSWORD: DEMO_PASSWORD, ...this.env, ...extra }, 30_000);
    const secret = await waitUntil(() => /"secret":"([^"]+)"/.exec(spawned.output())?.[1], 'the serve banner');
    return { ...spawned, secret };
  }

  pending(): number[] {
    return Array.from({ length: ALERTS }, (_, i) => i).filter((i) => !this.acknowledged.has(i));
  }

  /** Remembers an answer: a 2xx must name the same signal every time the alert is acknowledged. */
  record(i: number, a: Answer, allowed5xx: readonly number[] = []): void {
    if (a.kind !== 'answered') return; // the connection died with the server
    if (a.status >= 200 && a.status < 300) {
      expect(a.signalId, `alert ${i}: ${a.body}`).toMatch(/\S/);
      const earlier = this.acknowledged.get(i);
      if (earlier !== undefined) expect(a.signalId, `alert ${i} acknowledged twice under different ids`).toBe(earlier);
      this.acknowledged.set(i, a.signalId!);
    } else if (a.status >= 500) {
      expect(allowed5xx, `alert ${i}: ${a.status} ${a.body}`).toContain(a.status);
    }
  }

  plan(): KillPlan {
    const r = this.random();
    if (r < 0.4) return { kind: 'after answers', answers: 5 + Math.floor(this.random() * 50) };
    if (r < 0.8) return { kind: 'after ms', ms: 20 + Math.floor(this.random() * 300) };
    return { kind: 'after the load' };
  }

  /** A cycle: start, send what is not acknowledged, SIGKILL at the planned point. */
  async killedCycle(batch: number): Promise<void> {
    const server = await this.serve();
    const plan = this.plan();
    let answered = 0;
    const kill = () => {
      if (!hasExited(server) && server.child.signalCode === null) server.child.kill('SIGKILL');
    };
    const timer = plan.kind === 'after ms' ? setTimeout(kill, plan.ms) : undefined;
    const todo = this.pending().slice(0, batch);
    const dead = () => server.child.signalCode !== null;
    await Promise.all([
      fire(server.url, server.secret, todo, CONCURRENCY, (i, a) => {
        this.record(i, a);
        if (plan.kind === 'after answers' && ++answered >= plan.answers) kill();
      }, dead),
      this.configure(server, dead),
    ]);
    if (plan.kind === 'after the load') await new Promise((resolve) => setTimeout(resolve, Math.floor(this.random() * 40)));
    clearTimeout(timer);
    await killHard(server);
    this.kills.push(`${JSON.stringify(plan)} with ${this.acknowledged.size} acknowledged`);
  }

  /**
   * The refused-then-killed window (ADR-0011): the server is told to kill itself right after an
   * exchange refusal, before recording it; a sell of BTC the account does not hold is refused by
   * the paper exchange. After the restart that order must be recorded as not placed, never sent again.
   */
  async refusalCycle(): Promise<void> {
    const server = await this.serve({ PATRIOT_FAULT_KILL_AFTER_REFUSAL: '1' });
    const a = await send(server.url, JSON.stringify({ secret: server.secret, id: 'refused-then-killed', action: 'sell', ticker: 'BINANCE:BTCUSDT', quantity: '0.15' }));
    expect(is2xx(a), JSON.stringify(a)).toBe(true);
    this.refusedSignal = (a as { signalId: string }).signalId;
    await waitUntil(() => hasExited(server), 'the server to kill itself after the exchange refused the order', 30_000, 20);
    expect(server.child.signalCode).toBe('SIGKILL');
    this.kills.push('killed itself after an exchange refusal');
  }

  /** Accounts and strategies created back to back while the cycle's alerts flow; the kill may cut it short anywhere. */
  async configure(server: Served, dead: () => boolean): Promise<void> {
    const cycle = this.kills.length;
    await configureBackToBack(CONFIGURATIONS_PER_CYCLE, `crash-config-${cycle}`, () => server, () => server, {
      tries: 1, stop: dead,
      onStrategy: (s) => this.configured.push({ accountId: s.accountId, strategyId: s.strategyId, firstAlert: s.firstAlert }),
    }).then(
      (done) => {
        for (const d of done) this.configured.find((c) => c.strategyId === d.strategyId)!.signalId = d.signalId;
      },
      (error: unknown) => expect(dead(), `configuring while the server runs: ${String(error)}`).toBe(true),
    );
  }

  /** The PostgreSQL cycle: the database crashes under the running server, comes back; the same server goes on; then SIGKILL. */
  async outageCycle(cluster: TestCluster, batch: number): Promise<void> {
    const server = await this.serve();
    const todo = this.pending().slice(0, batch);
    const [before, during, after] = [todo.slice(0, 30), todo.slice(30, 36), todo.slice(36)];
    await fire(server.url, server.secret, before, CONCURRENCY, (i, a) => this.record(i, a));
    cluster.pause();
    for (const i of during) {
      const a = await send(server.url, alertBody(server.secret, i));
      expect(a.kind === 'answered' ? a.status : a.error, `alert ${i} while the database is down`).toBe(503);
    }
    cluster.resume();
    await waitUntil(async () => (await fetch(`${server.url}/ready`)).status === 200, 'the same server ready again', 30_000, 100);
    await fire(server.url, server.secret, [...during, ...after], CONCURRENCY, (i, a) => this.record(i, a, [503]));
    expect(hasExited(server), 'the server survived the outage without a restart').toBe(false);
    await killHard(server);
    this.kills.push(`database outage, then SIGKILL with ${this.acknowledged.size} acknowledged`);
  }

  /** The last start: everything still unacknowledged is sent until acknowledged; then the whole state is checked. */
  async finish(databaseUrl?: string): Promise<void> {
    const server = await this.serve();
    const token = (await login(server, 'demo', DEMO_PASSWORD))!;
    for (let round = 0; round < 5 && this.pending().length > 0; round++) {
      await fire(server.url, server.secret, this.pending(), CONCURRENCY, (i, a) => this.record(i, a));
    }
    expect(this.pending(), 'alerts never acknowledged').toEqual([]);
    // the first alert of every strategy configured during a cycle, sent again until acknowledged (the same id: at most one signal)
    for (const c of this.configured) {
      const a = await send(server.url, c.firstAlert, c.strategyId);
      expect(is2xx(a), `the first alert of ${c.strategyId}, configured before a kill: ${JSON.stringify(a)}`).toBe(true);
      if (c.signalId !== undefined) expect((a as { signalId: string }).signalId).toBe(c.signalId);
      c.signalId = (a as { signalId: string }).signalId;
    }
    expect(this.configured.length, 'strategies configured while alerts flowed').toBeGreaterThan(0);
    const TOTAL = ALERTS + this.configured.length + (this.refusedSignal !== undefined ? 1 : 0);

    const signals = await waitUntil(async () => {
      const all = await pageAll<SignalView>(server.url, '/api/v1/signals', token);
      // filled, or (ADR-0011) recorded as not placed: it left without a recorded answer and the exchange does not have it
      return all.length === TOTAL && all.every((s) => s.outcome !== 'pending' && s.orders.every((o) => o.status === 'filled' || o.status === 'exchange_rejected')) ? all : undefined;
    }, 'every signal processed and every order final', 60_000, 200);
    // every alert once, under the id its 2xx named, accepted, with one order
    const notPlaced: string[] = [];
    const byKey = new Map<string, SignalView[]>();
    for (const s of signals) byKey.set(s.idempotencyKey, [...(byKey.get(s.idempotencyKey) ?? []), s]);
    for (let i = 0; i < ALERTS; i++) {
      const found = byKey.get(`crash-${i}`) ?? [];
      if (found.length === 1 && found[0]!.orders[0]?.status !== 'filled') notPlaced.push(found[0]!.orders[0]!.clientOrderId);
      expect(found, `alert ${i}`).toHaveLength(1);
      expect(found[0]!.signalId, `alert ${i}`).toBe(this.acknowledged.get(i));
      expect(found[0]!.outcome, `alert ${i}`).toBe('accepted');
      expect(found[0]!.orders, `alert ${i}`).toHaveLength(1);
    }
    // each configured strategy's first alert traded on its own new account
    for (const c of this.configured) {
      const first = signals.filter((s) => s.signalId === c.signalId);
      expect(first, `the first alert of ${c.strategyId}`).toHaveLength(1);
      expect(first[0]!.orders.map((o) => o.accountId), `the first alert of ${c.strategyId}`).toEqual([c.accountId]);
    }
    const orders = await pageAll<OrderView>(server.url, '/api/v1/orders', token);
    expect(orders).toHaveLength(TOTAL);
    const refusedOrder = orders.find((o) => o.signalId === this.refusedSignal);
    if (this.refusedSignal !== undefined) {
      expect(refusedOrder, 'the order refused just before the kill').toMatchObject({ status: 'exchange_rejected' });
      expect(refusedOrder!.statusReason).toMatch(/^NOT_PLACED: /);
    }
    const rejected = orders.filter((o) => o.status === 'exchange_rejected');
    for (const o of rejected) expect(o.statusReason, o.clientOrderId).toMatch(/^NOT_PLACED: /);
    for (const c of this.configured) expect(orders.find((o) => o.signalId === c.signalId)?.status, `the first order of ${c.strategyId}`).not.toBe('exchange_rejected');
    expect(new Set(orders.map((o) => o.signalId)).size).toBe(TOTAL);
    expect(await stopGracefully(server), server.output()).toBe(0);

    // the exchange's books: one order per clientOrderId, each sent once, none unknown to the log
    const exchangeDb = new Database(join(this.dataDir, 'paper-exchange.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = exchangeDb.prepare('SELECT client_order_id AS id, count(*) AS n FROM paper_orders GROUP BY client_order_id').all() as { id: string; n: number }[];
      expect(rows.filter((r) => r.n !== 1)).toEqual([]);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(orders.filter((o) => o.status === 'filled').map((o) => o.clientOrderId)));
      // the refused order reached the exchange once and was never sent again; the others recorded as not placed never reached it
      const attempts = (id: string) => (exchangeDb.prepare('SELECT count FROM paper_attempts WHERE client_order_id = ?').get(id) as { count: number } | undefined)?.count ?? 0;
      if (refusedOrder) expect(attempts(refusedOrder.clientOrderId), 'the refused order reached the exchange once').toBe(1);
      for (const o of rejected) if (o !== refusedOrder) expect(attempts(o.clientOrderId), `${o.clientOrderId} recorded as not placed`).toBe(0);
      expect(exchangeDb.prepare('SELECT client_order_id AS id, count AS n FROM paper_attempts WHERE count <> 1').all(), 'clientOrderIds sent more than once').toEqual([]);
      expect((exchangeDb.prepare('SELECT count(*) AS n FROM paper_fills').get() as { n: number }).n).toBe(TOTAL - rejected.length);
    } finally {
      exchangeDb.close();
    }

    // the log: every signal processed once, stream versions contiguous from 1
    const config = loadConfig({}, { dataDir: this.dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
    const log = await readLog(config);
    const processed = new Map<string, number>();
    for (const e of log) if (e.type === 'SignalProcessed') processed.set(e.streamId, (processed.get(e.streamId) ?? 0) + 1);
    expect(processed.size).toBe(TOTAL);
    expect([...processed.values()].filter((n) => n !== 1)).toEqual([]);
    expect(log.filter((e) => e.type === 'SignalReceived')).toHaveLength(TOTAL);
    expectContiguousVersions(log);
    // the chain verifies; read models rebuilt from scratch equal the live ones
    expect(await verifyLog(config)).toMatchObject({ ok: true });
    expect(await replayProjections(config)).toMatchObject({ identical: true });
    process.stdout.write(`crash test (${databaseUrl ? 'PostgreSQL' : 'SQLite'}, seed ${SEED}): ${this.kills.join('; ')}; ${this.configured.length} strategies configured on new accounts during the load; ${rejected.length} orders recorded as not placed (${notPlaced.length} of the load's)\n`);
  }
}

async function readLog(config: ReturnType<typeof loadConfig>): Promise<RecordedEvent[]> {
  const storage = await openStorage(config, () => undefined);
  try {
    return await readWholeLog(storage.events);
  } finally {
    await storage.close();
  }
}

const BATCH = Math.ceil(ALERTS / KILLS);

describe('crash test: SIGKILL at random points, restart, re-send', () => {
  it('on SQLite: no acknowledged alert lost, none processed twice, no clientOrderId sent twice; the log verifies and replays', { timeout: 240_000 }, async () => {
    ensureBuilt();
    const run = new CrashRun(makeTempDir('patriot-crash-sqlite-'), {}, SEED);
    await run.refusalCycle();
    for (let k = 0; k < KILLS; k++) await run.killedCycle(BATCH);
    await run.finish();
  });

  // under CI=true the global setup fails the run when PostgreSQL is missing; elsewhere this is skipped
  it.skipIf(!postgresAvailable())('on PostgreSQL, with the database itself crashed once under the running server: the same guarantees', { timeout: 300_000 }, async () => {
    ensureBuilt();
    const cluster = await startCluster();
    try {
      const run = new CrashRun(makeTempDir('patriot-crash-pg-'), { DATABASE_URL: cluster.url }, SEED + 1);
      await run.refusalCycle();
      for (let k = 0; k < KILLS; k++) {
        if (k === 1) await run.outageCycle(cluster, BATCH);
        else await run.killedCycle(BATCH);
      }
      await run.finish(cluster.url);
    } finally {
      cluster.stop();
    }
  });
});
