/**
 * The built CLI (`node dist/cli/main.js verify|replay`) on a data directory produced by a real
 * runtime: verify reports an intact chain, replay reproduces the read models, and tampering with
 * one stored event makes verify fail with the exact position.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { cleanupTempDirs, demoOf, marketAlert, postAlert, quiesce, startTestServer } from '../../test/support/server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');

let dataDir: string;
let eventCount: number;

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly json: Record<string, unknown>;
}

function cli(command: string): CliRun {
  const env: NodeJS.ProcessEnv = { ...process.env, PATRIOT_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.PATRIOT_CONFIG;
  const run = spawnSync(process.execPath, [MAIN, command], { env, cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  const lastLine = run.stdout.trim().split('\n').pop() ?? '';
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(lastLine) as Record<string, unknown>;
  } catch {
    // left empty: the assertions below report stdout
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, json };
}

beforeAll(async () => {
  if (!existsSync(MAIN)) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const server = await startTestServer();
  dataDir = server.dataDir;
  try {
    const { secret } = demoOf(server.runtime);
    server.runtime.feed.setPrice('BTC/USDT', '97000');
    for (let i = 0; i < 3; i++) expect((await postAlert(server.runtime, marketAlert(secret, { id: `cli-${i}`, quantity: '0.001' }))).status).toBe(202);
    expect((await postAlert(server.runtime, marketAlert(secret, { id: 'cli-bad', quantity: '-1' }))).status).toBe(422);
    eventCount = await quiesce(server.runtime);
  } finally {
    await server.close();
  }
  expect(eventCount).toBeGreaterThan(10);
});

afterAll(() => cleanupTempDirs());

describe('patriot CLI', () => {
  it('verify prints ok:true with the number of events checked and exits 0', () => {
    const run = cli('verify');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.json).toMatchObject({ ok: true, eventsChecked: eventCount, lastPosition: eventCount });
  });

  it('replay rebuilds the read models and reports them identical, exit 0', () => {
    const run = cli('replay');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.json.identical).toBe(true);
    expect(run.json.eventsProjected).toBe(eventCount);
    expect(run.json.before).toEqual(run.json.after);
  });

  it('verify exits 1 and names the first tampered position', () => {
    const k = Math.floor(eventCount / 2);
    const db = new Database(join(dataDir, 'patriot.db'));
    try {
      const row = db.prepare('SELECT data FROM events WHERE global_position = ?').get(k) as { data: string };
      const data = JSON.parse(row.data) as Record<string, unknown>;
      const changes = db.prepare('UPDATE events SET data = ? WHERE global_position = ?').run(JSON.stringify({ ...data, tampered: true }), k).changes;
      expect(changes).toBe(1);
    } finally {
      db.close();
    }
    const run = cli('verify');
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.json.ok).toBe(false);
    expect(run.json.brokenAt).toBe(k);
    expect(typeof run.json.reason).toBe('string');
  });

  it('an unknown command exits 2 with the help text', () => {
    const run = cli('frobnicate');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown command');
  });

  it('verify on a directory without a log fails with a clear message, not a fresh empty log', () => {
    const saved = dataDir;
    dataDir = join(saved, 'nothing-here');
    try {
      const run = cli('verify');
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('no event log');
      expect(existsSync(join(dataDir, 'patriot.db'))).toBe(false);
    } finally {
      dataDir = saved;
    }
  });
});
