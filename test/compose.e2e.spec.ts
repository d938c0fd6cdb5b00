/**
 * deploy/compose.yaml (issue 15, "a compose file with PostgreSQL"), brought up with podman-compose
 * the way test/container.e2e.spec.ts runs the Dockerfile: opt-in, since building takes minutes.
 * It runs when PATRIOT_CONTAINER_BASE names the base image of the PATRIOT build and podman-compose
 * is installed. PATRIOT_POSTGRES_IMAGE names the PostgreSQL image (default the file's own,
 * docker.io/library/postgres:16-bookworm; where no registry is reachable, a stand-in made from
 * Debian's postgresql-15, see test/support/postgres-image/). PATRIOT_CONTAINER_ULIMITS as there.
 *
 * The file is used as shipped, copied into a temporary project directory beside its .env,
 * master.key and patriot.env (only its build context, `..`, is replaced by this checkout's path).
 * PATRIOT keeps its log in PostgreSQL (DATABASE_URL wired), reads the master key from the secret,
 * answers /ready, takes an alert, and keeps it across `down` and `up` (the volumes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './support/processes.js';
import { waitUntil } from './support/server.js';
import { recordSecrets } from './support/secret-scan.js';

const execFileAsync = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BASE = process.env.PATRIOT_CONTAINER_BASE;
const enabled = BASE !== undefined && BASE !== '' && spawnSync('podman-compose', ['--version']).status === 0;
const ULIMITS = (process.env.PATRIOT_CONTAINER_ULIMITS ?? 'nofile=4096:4096 nproc=4096:4096').split(/\s+/).filter((x) => x !== '').map((u) => `--ulimit ${u}`).join(' ');
const suffix = randomBytes(4).toString('hex');
const PROJECT = `patriotcompose${suffix}`;
const IMAGE = `localhost/patriot-compose-test:${suffix}`;
const PASSWORD = `compose-demo-${suffix}-password`;
const DB_PASSWORD = randomBytes(18).toString('hex');
const MASTER_KEY = randomBytes(32).toString('base64');
let dir = '';
let url = '';

/** podman-compose, asynchronously: a build takes minutes, and a blocked worker loses its link to the runner */
async function compose(...args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('podman-compose', ['--podman-run-args', ULIMITS, '--podman-build-args', ULIMITS, '-p', PROJECT, '-f', join(dir, 'compose.yaml'), ...args], {
      cwd: dir, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, PATRIOT_IMAGE: IMAGE, ...(process.env.PATRIOT_POSTGRES_IMAGE ? { PATRIOT_POSTGRES_IMAGE: process.env.PATRIOT_POSTGRES_IMAGE } : {}) },
    });
    return stdout;
  } catch (error) {
    const failed = error as { code?: unknown; stderr?: string };
    throw new Error(`podman-compose ${args.join(' ')}: ${String(failed.code)}\n${(failed.stderr ?? '').slice(-3000)}`);
  }
}
const container = (service: string) => `${PROJECT}_${service}_1`;
const podman = (...args: string[]): string => execFileSync('podman', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

async function ready(): Promise<void> {
  await waitUntil(async () => (await fetch(`${url}/ready`).catch(() => undefined))?.status === 200, 'PATRIOT ready behind compose', 120_000, 250);
}

beforeAll(async () => {
  if (!enabled) return;
  recordSecrets(PASSWORD, DB_PASSWORD, MASTER_KEY);
  dir = mkdtempSync(join(tmpdir(), 'patriot-compose-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'compose.yaml'), readFileSync(join(ROOT, 'deploy', 'compose.yaml'), 'utf8').replace(/^(\s+context:) \.\.$/m, `$1 ${ROOT}`));
  writeFileSync(join(dir, '.env'), `POSTGRES_PASSWORD=${DB_PASSWORD}\nPATRIOT_PORT=${port}\nPATRIOT_BASE_IMAGE=${BASE}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'master.key'), `${MASTER_KEY}\n`, { mode: 0o400 });
  chownSync(join(dir, 'master.key'), 10001, 10001); // the image's user reads the secret
  writeFileSync(join(dir, 'patriot.env'), `PATRIOT_DEMO_PASSWORD=${PASSWORD}\nPATRIOT_BANNER_SECRETS=false\nPATRIOT_FEED_INTERVAL_MS=50\nLOG_LEVEL=info\n`, { mode: 0o600 });
  await compose('up', '-d', '--build');
  await ready();
}, 1_200_000);

afterAll(async () => {
  if (!enabled) return;
  await compose('down', '-v').catch(() => undefined);
  for (const volume of ['data', 'pgdata']) spawnSync('podman', ['volume', 'rm', '-f', `${PROJECT}_${volume}`]);
  spawnSync('podman', ['rmi', '-f', IMAGE]);
  rmSync(dir, { recursive: true, force: true });
}, 180_000);

describe.skipIf(!enabled)('deploy/compose.yaml (podman-compose, PostgreSQL)', () => {
  it('keeps the log in PostgreSQL (DATABASE_URL wired), the master key from the secret, no SQLite log in /data', () => {
    const count = Number(podman('exec', container('postgres'), 'psql', '-U', 'patriot', '-d', 'patriot', '-tAc', 'SELECT count(*) FROM events'));
    expect(count).toBeGreaterThan(0);
    expect(podman('exec', container('patriot'), 'sh', '-c', 'ls /data; test -r /run/secrets/master_key && echo key-readable')).not.toMatch(/patriot\.db|master\.key/);
    expect(podman('exec', container('patriot'), 'sh', '-c', 'test -r /run/secrets/master_key && echo key-readable')).toBe('key-readable');
    expect(podman('exec', container('patriot'), 'id', '-u')).toBe('10001');
    // PostgreSQL is not published on the host
    expect(podman('port', container('postgres'))).toBe('');
    // neither the database password nor the master key reaches the containers' logs
    for (const service of ['patriot', 'postgres']) {
      const logs = spawnSync('podman', ['logs', container(service)], { encoding: 'utf8' });
      expect(logs.stdout + logs.stderr).not.toContain(DB_PASSWORD);
      expect(logs.stdout + logs.stderr).not.toContain(MASTER_KEY);
    }
  });

  it('takes an alert and keeps it across down and up (the volumes)', async () => {
    const text = podman('exec', container('patriot'), 'cat', '/data/initial-secrets.txt');
    const secret = /webhook secret: (\S+)/.exec(text)?.[1];
    expect(secret).toBeDefined();
    recordSecrets(secret);
    const alert = await fetch(`${url}/webhook/strat_demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', id: `compose-${suffix}` }) });
    expect(alert.status).toBe(202);
    const { signalId } = (await alert.json()) as { signalId: string };
    await compose('down');
    await compose('up', '-d');
    await ready();
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo', password: PASSWORD }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    recordSecrets(accessToken);
    const signals = (await (await fetch(`${url}/api/v1/signals`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as { items: { signalId: string }[] };
    expect(signals.items.map((s) => s.signalId)).toContain(signalId);
  }, 600_000);
});
