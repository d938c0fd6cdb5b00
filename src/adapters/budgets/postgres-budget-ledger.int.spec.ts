/**
 * Budgets across nodes on a real PostgreSQL: the ledger's atomic grants, two LeasedBudgets (two
 * nodes, each with its own pool) hammering one key, idle units given back, failed logins counted
 * across nodes, and both falling back to per-node counting (logged once) when the ledger fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testPgUrl } from '../../../test/support/postgres.js';
import { waitUntil } from '../../../test/support/server.js';
import { createPool, type PgPool } from '../postgres/pool.js';
import { PostgresBudgetLedger } from './postgres-budget-ledger.js';
import { LeasedBudgets, shareSize } from '../../application/shared/leased-budgets.js';
import { SharedLoginThrottle, defaultBackoffRule } from '../../application/shared/shared-login-throttle.js';
import type { BudgetLedger, LoginFailureLedger, Taken } from '../../application/ports/budgets.js';
import type { Logger } from '../../application/ports/logger.js';

/** A window no test run straddles (windows are aligned on multiples of their length: this one ends in 2033). */
const LONG = 1e12;

function recordingLog(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  return { lines, info: (_f, message) => lines.push({ level: 'info', message }), warn: (_f, message) => lines.push({ level: 'warn', message }), error: (_f, message) => lines.push({ level: 'error', message }) };
}

/** The real ledger, or a failure while `broken` says so. */
function breakable(real: PostgresBudgetLedger): BudgetLedger & LoginFailureLedger & { broken: boolean } {
  const ledger = {
    broken: false,
    claim: (...a: Parameters<BudgetLedger['claim']>) => (ledger.broken ? Promise.reject(new Error('connection refused')) : real.claim(...a)),
    giveBack: (...a: Parameters<BudgetLedger['giveBack']>) => (ledger.broken ? Promise.reject(new Error('connection refused')) : real.giveBack(...a)),
    sweep: () => real.sweep(),
    waitMs: (...a: Parameters<LoginFailureLedger['waitMs']>) => (ledger.broken ? Promise.reject(new Error('connection refused')) : real.waitMs(...a)),
    failed: (...a: Parameters<LoginFailureLedger['failed']>) => (ledger.broken ? Promise.reject(new Error('connection refused')) : real.failed(...a)),
    succeeded: (...a: Parameters<LoginFailureLedger['succeeded']>) => (ledger.broken ? Promise.reject(new Error('connection refused')) : real.succeeded(...a)),
    sweepFailures: (forgetMs: number) => real.sweepFailures(forgetMs),
  };
  return ledger;
}

describe.skipIf(!testPgUrl)('budgets across nodes on PostgreSQL', () => {
  let pools: PgPool[] = [];
  let url: string;
  let drop: () => Promise<void>;
  const nodes: LeasedBudgets[] = [];
  beforeAll(async () => {
    ({ url, drop } = await freshDatabase('budgets'));
    pools = [createPool(url, { max: 4 }), createPool(url, { max: 4 })];
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    for (const pool of pools) await pool.end();
    await drop?.();
  });
  const node = (ledger: BudgetLedger, options: Partial<ConstructorParameters<typeof LeasedBudgets>[0]> = {}) => {
    const budgets = new LeasedBudgets({ ledger, log: recordingLog(), ...options });
    nodes.push(budgets);
    return budgets;
  };

  it('grants at most the budget of a window, whoever asks, and takes units given back', async () => {
    const [a, b] = await Promise.all(pools.map((pool) => PostgresBudgetLedger.open({ pool })));
    const grants = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a! : b!).claim('k:grant', 25, LONG, 3)));
    expect(grants.reduce((n, g) => n + g.granted, 0)).toBe(25);
    expect(new Set(grants.map((g) => g.window)).size).toBe(1);
    expect(Math.max(...grants.map((g) => g.used))).toBe(25);
    expect(grants.every((g) => g.endsInMs > 0)).toBe(true);
    await a!.giveBack('k:grant', grants[0]!.window, 2);
    expect((await b!.claim('k:grant', 25, LONG, 3)).granted).toBe(2);
  });

  it('starts each window afresh, on the database clock', async () => {
    const ledger = await PostgresBudgetLedger.open({ pool: pools[0]! });
    const first = await ledger.claim('k:window', 2, 300, 5);
    expect(first.granted).toBe(2);
    const next = await waitUntil(async () => {
      const g = await ledger.claim('k:window', 2, 300, 5);
      return g.window !== first.window ? g : undefined;
    }, 'a claim in the next window', 10_000, 20);
    expect(next.window).toBeGreaterThan(first.window);
    expect(next.granted).toBeGreaterThan(0);
  });

  it('two nodes hammering one key accept exactly the budget, and never more', { timeout: 60_000 }, async () => {
    const MAX = 100;
    const [la, lb] = await Promise.all(pools.map((pool) => PostgresBudgetLedger.open({ pool })));
    const a = node(la!);
    const b = node(lb!);
    let accepted = 0;
    let refused = 0;
    let waited = 0;
    // 8 concurrent senders per node, 200 attempts per node: twice the budget each
    await Promise.all([a, b].flatMap((budgets) => Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 25; i++) {
        const answer = budgets.take('alerts:strategy:hammered', MAX, LONG);
        if (answer instanceof Promise) waited++;
        const taken: Taken = await answer;
        if (taken.ok) accepted++;
        else refused++;
      }
    })));
    expect(accepted + refused).toBe(400);
    // never over; every node spends what it holds before it refuses, so here not under either
    expect(accepted).toBe(MAX);
    process.stdout.write(`budgets: 2 nodes, budget ${MAX}, 400 takes: ${accepted} accepted, ${waited} waited for the ledger (share ${shareSize(MAX)})\n`);
  });

  it('a steady sender is answered from the share at hand: the next share is asked for in the background', { timeout: 60_000 }, async () => {
    const budgets = node(await PostgresBudgetLedger.open({ pool: pools[0]! }));
    let waited = 0;
    for (let i = 0; i < 400; i++) {
      const answer = budgets.take('alerts:strategy:steady', 6000, LONG);
      if (answer instanceof Promise) waited++;
      expect((await answer).ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1)); // the alert's own work (its append) meanwhile
    }
    // the first take waits for a share of 50; later shares arrive before the one at hand is spent
    // (a take that finds none waits: under heavy load a few may, never one per alert)
    expect(waited, `${waited} of 400 takes waited for the ledger`).toBeLessThanOrEqual(400 / shareSize(6000));
    process.stdout.write(`budgets: a steady sender, 400 takes, ${waited} waited for the ledger\n`);
  });

  it('a spent budget is refused with the time left in the window, and spendable again in the next one', async () => {
    const [la, lb] = await Promise.all(pools.map((pool) => PostgresBudgetLedger.open({ pool })));
    const a = node(la!);
    const b = node(lb!);
    const WINDOW = 2000;
    // start early in a window, so that 4 takes fit in it
    await waitUntil(async () => (await la!.claim('k:probe', 1, WINDOW, 0)).endsInMs > WINDOW * 0.75 || undefined, 'the start of a window', 10_000, 10);
    const first = [await a.take('k:roll', 3, WINDOW), await b.take('k:roll', 3, WINDOW), await a.take('k:roll', 3, WINDOW), await b.take('k:roll', 3, WINDOW)];
    expect(first.map((t) => t.ok)).toEqual([true, true, true, false]);
    const refusal = first[3]!;
    expect(refusal.ok === false && refusal.retryAfterMs > 0 && refusal.retryAfterMs <= WINDOW).toBe(true);
    // (b is asked again after its recheck interval: it finds the next window)
    await waitUntil(async () => (await b.take('k:roll', 3, WINDOW)).ok || undefined, 'a unit of the next window', 10_000, 50);
  });

  it('gives units not spent back after a quiet spell, for the other node', async () => {
    const [la, lb] = await Promise.all(pools.map((pool) => PostgresBudgetLedger.open({ pool })));
    const a = node(la!, { idleReturnMs: 100 });
    const b = node(lb!, { idleReturnMs: 100 });
    expect((await a.take('k:idle', 40, LONG)).ok).toBe(true); // a holds a share of 2, spends 1
    // once a gave its unit back, b can spend all 39 others
    await waitUntil(async () => Number((await pools[0]!.query('SELECT granted FROM rate_budgets WHERE key = $1', ['k:idle'])).rows[0]?.granted) === 1, 'the unit a did not spend to go back');
    let accepted = 0;
    for (let i = 0; i < 45; i++) if ((await b.take('k:idle', 40, LONG)).ok) accepted++;
    expect(accepted).toBe(39);
  });

  it('counts alone while the ledger fails (logged once), and across nodes again once it answers', async () => {
    const ledger = breakable(await PostgresBudgetLedger.open({ pool: pools[0]! }));
    const log = recordingLog();
    let now = Date.now();
    const budgets = node(ledger, { log, now: () => now, retryLedgerMs: 1000 });
    ledger.broken = true;
    const answers: Taken[] = [];
    for (let i = 0; i < 7; i++) answers.push(await budgets.take('k:down', 5, LONG));
    // never a lost request: the node's own budget of 5 decides
    expect(answers.map((t) => t.ok)).toEqual([true, true, true, true, true, false, false]);
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(log.lines[0]!.message).toMatch(/counts them alone until PostgreSQL answers again/);
    ledger.broken = false;
    now += 1001;
    expect((await budgets.take('k:back', 5, LONG)).ok).toBe(true);
    expect(log.lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual(['the shared budgets answer again: counted across nodes']);
    expect(Number((await pools[0]!.query('SELECT granted FROM rate_budgets WHERE key = $1', ['k:back'])).rows[0]?.granted)).toBeGreaterThan(0);
  });

  it('a database gone under the node: every take is answered from the per-node budget', async () => {
    const gone = await freshDatabase('budgets_gone');
    const pool = createPool(gone.url, { max: 1, connectionTimeoutMillis: 500 });
    pools.push(pool);
    const ledger = await PostgresBudgetLedger.open({ pool });
    await gone.drop(); // its connections are cut; new ones are refused
    const log = recordingLog();
    const budgets = node(ledger, { log });
    const answers = await Promise.all(Array.from({ length: 4 }, () => budgets.take('k:unreachable', 3, 60_000)));
    expect(answers.map((t) => t.ok).sort()).toEqual([false, true, true, true]);
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('failed logins add up across nodes, and a success clears them', async () => {
    const [la, lb] = await Promise.all(pools.slice(0, 2).map((pool) => PostgresBudgetLedger.open({ pool })));
    const rule = defaultBackoffRule(3);
    const a = new SharedLoginThrottle({ ledger: la!, scope: 'user', rule, log: recordingLog() });
    const b = new SharedLoginThrottle({ ledger: lb!, scope: 'user', rule, log: recordingLog() });
    await a.failed('alice');
    await b.failed('alice');
    expect(await a.waitMs('alice')).toBeUndefined();
    await a.failed('alice'); // the third, on either node
    const wait = await b.waitMs('alice');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(rule.baseMs);
    expect(await b.waitMs('bob')).toBeUndefined();
    const other = new SharedLoginThrottle({ ledger: la!, scope: 'address', rule, log: recordingLog() });
    expect(await other.waitMs('alice')).toBeUndefined(); // scopes never mix
    await b.succeeded('alice');
    expect(await a.waitMs('alice')).toBeUndefined();
  });

  it('failed logins: while the ledger fails, this node\'s own count decides (logged once)', async () => {
    const ledger = breakable(await PostgresBudgetLedger.open({ pool: pools[0]! }));
    const log = recordingLog();
    const throttle = new SharedLoginThrottle({ ledger, scope: 'user', rule: defaultBackoffRule(2), log });
    ledger.broken = true;
    await throttle.failed('carol');
    expect(await throttle.waitMs('carol')).toBeUndefined();
    await throttle.failed('carol');
    expect(await throttle.waitMs('carol')).toBeGreaterThan(0);
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });
});
