/**
 * `patriot backup FILE` / `patriot restore FILE` (issue 15, "Backups"), with the built CLI: a
 * backup taken while the server records alerts restores into a fresh data directory whose chain
 * verifies and whose read models replay identically; a backup of a quiet server restores to the
 * same signals, orders and fills as the live server shows. The master key is never in a backup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { cleanupTempDirs, demoOf, fetchJson, makeTempDir, marketAlert, postAlert, quiesce, startTestServer, type TestServer } from '../../test/support/server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly json: Record<string, unknown>;
}

/** Runs the CLI without blocking this process (the in-process server keeps serving meanwhile). */
function cli(dataDir: string, ...args: string[]): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, PATRIOT_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.PATRIOT_CONFIG;
  delete env.DATABASE_URL;
  return new Promise((done) => {
    execFile(process.execPath, [MAIN, ...args], { env, cwd: ROOT, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
      } catch {
        // left empty: the assertions report stdout
      }
      done({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, json });
    });
  });
}

let live: TestServer;
let secret: string;

beforeAll(async () => {
  if (!existsSync(MAIN)) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  live = await startTestServer();
  secret = demoOf(live.runtime).secret;
  live.runtime.feed.setPrice('BTC/USDT', '97000');
  for (let i = 0; i < 5; i++) expect((await postAlert(live.runtime, marketAlert(secret, { id: `before-${i}`, quantity: '0.001' }))).status).toBe(202);
  await quiesce(live.runtime);
});
afterAll(async () => {
  await live.close();
  cleanupTempDirs();
});

// Each case runs the CLI several times (a Node start each): on a loaded 2-core machine that is seconds per run.
describe('patriot backup / restore (SQLite)', { timeout: 180_000 }, () => {
  it('a backup taken while alerts are being recorded restores to a log whose chain verifies and whose read models replay identically', async () => {
    const file = join(makeTempDir('patriot-backup-'), 'during.patriot-backup');
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending && i < 200; i++) await postAlert(live.runtime, marketAlert(secret, { id: `during-${i}`, quantity: '0.001' }));
    })();
    const backup = await cli(live.dataDir, 'backup', file);
    sending = false;
    await sender;
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.json.masterKeyIncluded).toBe(false);
    expect((backup.json.files as { name: string }[]).map((f) => f.name)).toEqual(['readmodels.db', 'snapshots.db', 'patriot.db', 'paper-exchange.db']);
    // the key is nowhere in the file
    const key = readFileSync(join(live.dataDir, 'master.key'));
    expect(gunzipSync(readFileSync(file)).includes(key)).toBe(false);

    const target = makeTempDir('patriot-restored-');
    const restored = await cli(target, 'restore', file);
    expect(restored.status, restored.stderr).toBe(0);
    expect((restored.json.verify as { ok: boolean }).ok).toBe(true);
    expect(String(restored.json.masterKey)).toMatch(/^missing/);
    const replay = await cli(target, 'replay');
    expect(replay.status, replay.stdout + replay.stderr).toBe(0);
    expect(replay.json.identical).toBe(true);
  });

  it('a backup of a quiet server restores to the same signals, orders and fills as the live server shows (with the master key put back first)', async () => {
    const head = await quiesce(live.runtime);
    const file = join(makeTempDir('patriot-backup-'), 'quiet.patriot-backup');
    expect((await cli(live.dataDir, 'backup', file)).status).toBe(0);
    const target = makeTempDir('patriot-restored-');
    copyFileSync(join(live.dataDir, 'master.key'), join(target, 'master.key')); // kept separately, put back first
    const restored = await cli(target, 'restore', file);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.json.verify).toMatchObject({ ok: true, lastPosition: head });
    expect(restored.json.masterKey).toBe('present');

    const copy = await startTestServer({ dataDir: target });
    try {
      for (const path of ['/api/v1/signals?limit=500', '/api/v1/orders?limit=500', '/api/v1/fills?limit=500']) {
        const [a, b] = [await fetchJson(live.runtime, path), await fetchJson(copy.runtime, path)];
        expect(b.status, path).toBe(200);
        expect(b.body, path).toEqual(a.body);
      }
      // the restored server opens the sealed webhook secret with the restored key: the old secret still works
      expect((await postAlert(copy.runtime, marketAlert(secret, { id: 'after-restore', quantity: '0.001' }))).status).toBe(202);
    } finally {
      await copy.close();
    }
  });

  it('restore refuses a data directory with data in it (exit 2, nothing changed) unless --force, and a damaged or foreign file', async () => {
    const file = join(makeTempDir('patriot-backup-'), 'x.patriot-backup');
    expect((await cli(live.dataDir, 'backup', file)).status).toBe(0);
    const target = makeTempDir('patriot-restored-');
    writeFileSync(join(target, 'patriot.db'), 'not a database');
    const refused = await cli(target, 'restore', file);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/not empty.*--force/);
    expect(readFileSync(join(target, 'patriot.db'), 'utf8')).toBe('not a database');
    const forced = await cli(target, 'restore', file, '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect((forced.json.verify as { ok: boolean }).ok).toBe(true);

    const damaged = join(dirname(file), 'damaged.patriot-backup');
    const bytes = readFileSync(file);
    writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const fresh = makeTempDir('patriot-restored-');
    const broken = await cli(fresh, 'restore', damaged);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/restore refused/);
    expect(existsSync(join(fresh, 'patriot.db'))).toBe(false);
    writeFileSync(damaged, 'hello');
    expect((await cli(fresh, 'restore', damaged)).status).toBe(2);
    expect((await cli(fresh, 'restore', join(fresh, 'nope'))).status).toBe(2);
    expect((await cli(fresh, 'backup')).status).toBe(2); // no file named
  });
});
