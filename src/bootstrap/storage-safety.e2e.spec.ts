/**
 * Issue #14: an event log file deleted, replaced or damaged under PATRIOT. Real SQLite files in
 * temp directories; the in-process runtime, and the built CLI (dist/) where the process must exit.
 *
 * - a restart on a log behind or other than the read models and snapshots is refused, naming the
 *   files and the way out (restore, or `patriot rebuild-read-models`), never re-seeding the demo;
 * - a log file deleted or replaced under a running server: alerts get 503 (never a 2xx recorded
 *   into a file that is gone) and /ready answers 503;
 * - failures name the file, the cause and what to do; `verify` says where a damaged log stops.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from './config.js';
import { SqliteEventStore } from '../adapters/eventstore/sqlite/sqlite-event-store.js';
import { cleanupTempDirs, demoOf, fetchJson, makeTempDir, marketAlert, postAlert, quiesce, startTestServer, waitUntil, type Page, type SignalView } from '../../test/support/server.js';
import { ensureBuilt, childEnv, MAIN, ROOT } from '../../test/support/processes.js';
import { recordOutput } from '../../test/support/secret-scan.js';

afterAll(() => cleanupTempDirs());

const LOG_FILES = ['patriot.db', 'patriot.db-wal', 'patriot.db-shm'];
const removeLog = (dataDir: string) => {
  for (const f of LOG_FILES) rmSync(join(dataDir, f), { force: true });
};

/** A data directory with a log, read models and snapshots holding `alerts` alerts (the server is stopped). */
async function populated(alerts: number): Promise<string> {
  const server = await startTestServer();
  try {
    const demo = demoOf(server.runtime);
    server.runtime.feed.setPrice('BTC/USDT', '97000');
    for (let i = 0; i < alerts; i++) expect((await postAlert(server.runtime, marketAlert(demo.secret, { id: `a-${i}`, quantity: '0.001' }))).status).toBe(202);
    await quiesce(server.runtime);
    expect(await server.runtime.snapshotNow()).toBeGreaterThan(0);
  } finally {
    await server.close();
  }
  return server.dataDir;
}

function cli(args: string[], env: Record<string, string>, uid?: number): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [MAIN, ...args], { env: childEnv(env), cwd: ROOT, encoding: 'utf8', timeout: 30_000, ...(uid !== undefined ? { uid, gid: uid } : {}) });
  recordOutput(`patriot ${args.join(' ')}`, run.stdout + run.stderr);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('a log behind or other than its read models: start refused', () => {
  it('deleted patriot.db: refused with the files named and the way out; no fresh log, no re-seeded demo; rebuild-read-models then lets it start', { timeout: 60_000 }, async () => {
    const dataDir = await populated(3);
    removeLog(dataDir);
    const refused = await startTestServer({ dataDir }).then(
      async (s) => {
        await s.close();
        return undefined;
      },
      (error: unknown) => error as Error,
    );
    expect(refused, 'the server started on a new, empty log under the old read models').toBeInstanceOf(Error);
    expect(refused!.message).toContain(join(dataDir, 'patriot.db'));
    expect(refused!.message).toContain(join(dataDir, 'readmodels.db'));
    expect(refused!.message).toMatch(/backup/);
    expect(refused!.message).toContain('patriot rebuild-read-models');
    expect(existsSync(join(dataDir, 'patriot.db')), 'a fresh log was created').toBe(false);

    // the operator chooses to keep the (new, empty) log: the read models are rebuilt from it
    const { rebuildReadModels } = await import('./maintenance.js');
    const rebuilt = await rebuildReadModels(loadConfig({}, { dataDir, logLevel: 'warn' }));
    expect(rebuilt).toMatchObject({ rebuilt: true, eventsProjected: 0 });
    const server = await startTestServer({ dataDir });
    try {
      const signals = await fetchJson<Page<SignalView>>(server.runtime, '/api/v1/signals');
      expect(signals.status).toBe(200);
      expect(signals.body.items).toHaveLength(0); // nothing the log does not hold
    } finally {
      await server.close();
    }
  });

  it('patriot.db replaced by another data directory\'s log: refused, naming the other log id', { timeout: 60_000 }, async () => {
    const [mine, other] = [await populated(2), await populated(4)];
    removeLog(mine);
    copyFileSync(join(other, 'patriot.db'), join(mine, 'patriot.db'));
    await expect(startTestServer({ dataDir: mine })).rejects.toThrow(/were built from the event log with id [0-9a-f-]{36}.*patriot rebuild-read-models/s);
  });

  it('patriot.db restored from an older backup (behind the read models): refused', { timeout: 60_000 }, async () => {
    const dataDir = makeTempDir('patriot-older-');
    const first = await startTestServer({ dataDir });
    const backup = join(dataDir, 'backup.db');
    try {
      const demo = demoOf(first.runtime);
      first.runtime.feed.setPrice('BTC/USDT', '97000');
      await quiesce(first.runtime);
      const db = new Database(join(dataDir, 'patriot.db'), { readonly: true }); // SQLite's online backup
      await db.backup(backup);
      db.close();
      for (let i = 0; i < 2; i++) expect((await postAlert(first.runtime, marketAlert(demo.secret, { id: `later-${i}`, quantity: '0.001' }))).status).toBe(202);
      await quiesce(first.runtime);
    } finally {
      await first.close();
    }
    removeLog(dataDir);
    renameSync(backup, join(dataDir, 'patriot.db'));
    await expect(startTestServer({ dataDir })).rejects.toThrow(/include events up to position \d+, but the event log .* ends at position \d+/);
  });
});

describe('the log file deleted or replaced under a running server', () => {
  for (const how of ['deleted', 'replaced'] as const) {
    it(`${how}: alerts answered 503 STORE_UNAVAILABLE (never 2xx), /ready 503`, { timeout: 60_000 }, async () => {
      const server = await startTestServer();
      try {
        const { runtime } = server;
        const demo = demoOf(runtime);
        expect((await postAlert(runtime, marketAlert(demo.secret, { id: 'before' }))).status).toBe(202);
        expect((await fetchJson(runtime, '/ready')).status).toBe(200);
        const path = join(server.dataDir, 'patriot.db');
        if (how === 'deleted') removeLog(server.dataDir);
        else {
          const other = join(server.dataDir, 'other.db');
          new Database(other).close();
          renameSync(other, path);
        }
        // the very next alert already: it would be written into a file that is no longer the log
        for (let i = 0; i < 5; i++) {
          const answer = await postAlert(runtime, marketAlert(demo.secret, { id: `after-${i}` }));
          expect(answer.status, answer.text).toBe(503);
          expect(answer.body.error?.code).toBe('STORE_UNAVAILABLE');
        }
        await waitUntil(async () => (await fetchJson(runtime, '/ready')).status === 503, '/ready to answer 503');
        expect(server.logs.text()).toContain(`the event log ${path} was ${how === 'deleted' ? 'deleted' : 'replaced by another file'}`);
      } finally {
        await server.close();
      }
    });
  }
});

describe('failures name the file, the cause and what to do', () => {
  it('a data directory the server cannot write: the file, "not writable" and PATRIOT_DATA_DIR, exit 1', { timeout: 60_000 }, () => {
    ensureBuilt();
    const parent = makeTempDir('patriot-ro-');
    const dataDir = join(parent, 'data');
    mkdirSync(dataDir);
    const asRoot = process.getuid?.() === 0;
    // root writes anywhere: the server then runs as nobody on a directory only root may write
    chmodSync(parent, 0o755);
    chmodSync(dataDir, asRoot ? 0o755 : 0o555);
    try {
      const run = cli(['serve'], { PATRIOT_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }, asRoot ? 65534 : undefined);
      expect(run.status, run.stdout + run.stderr).toBe(1);
      expect(run.stderr).toContain(dataDir);
      expect(run.stderr).toMatch(/\.db/);
      expect(run.stderr).toMatch(/not writable/);
      expect(run.stderr).toContain('PATRIOT_DATA_DIR');
    } finally {
      chmodSync(dataDir, 0o755);
    }
  });

  it('a damaged log: verify names the position where it stops, serve names the file and says restore it', { timeout: 60_000 }, async () => {
    ensureBuilt();
    const dataDir = makeTempDir('patriot-corrupt-');
    const path = join(dataDir, 'patriot.db');
    const store = new SqliteEventStore({ path, fileCheckIntervalMs: 0 });
    const metadata = { tenantId: 't', time: '2026-01-01T00:00:00.000Z' };
    for (let i = 0; i < 600; i++) await store.append({ streamId: `s-${i % 7}`, expectedVersion: 'any', events: [{ type: 'Padded', data: { i, pad: 'x'.repeat(300) } }], metadata });
    await store.close();
    // overwrite a leaf page of the events table in the middle of the file
    const db = new Database(path);
    const leaves = db.prepare("SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const page = leaves[Math.floor(leaves.length / 2)]!;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);

    const verify = cli(['verify'], { PATRIOT_DATA_DIR: dataDir });
    expect(verify.status, verify.stdout + verify.stderr).toBe(1);
    const result = JSON.parse(verify.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(result.ok).toBe(false);
    expect(result.brokenAt).toBeGreaterThan(1);
    expect(result.brokenAt).toBeLessThan(600);
    expect(result.lastGoodPosition).toBe((result.brokenAt as number) - 1);
    expect(typeof result.lastGoodStream).toBe('string');
    expect(result.reason).toContain(`cannot be read after position ${result.lastGoodPosition as number}`);
    expect(result.reason).toContain(path);

    const serve = cli(['serve'], { PATRIOT_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    expect(serve.status, serve.stdout + serve.stderr).toBe(1);
    expect(serve.stderr).toContain(path);
    expect(serve.stderr).toMatch(/damaged/);
    expect(serve.stderr).toMatch(/restore .*backup/);
  });
});
