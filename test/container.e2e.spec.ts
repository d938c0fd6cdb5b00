/**
 * The Dockerfile, built and run with podman (issue 15, "Deployment, tested here"). Building takes
 * minutes (npm ci in the build stage), so it runs only when PATRIOT_CONTAINER_BASE names the base
 * image (Node.js 20 + npm, e.g. node:20-bookworm-slim, or one made locally with mmdebstrap and
 * `podman import`, see README "Container") and podman is installed.
 *
 * The container runs as a non-root user, keeps its SQLite data in the /data volume (0700, files
 * 0600) across a restart, and takes an alert through its published port.
 * PATRIOT_CONTAINER_ULIMITS (default "nofile=4096:4096 nproc=4096:4096") are passed as --ulimit:
 * where the container manager may not raise limits (here: "setrlimit RLIMIT_NPROC: Operation not
 * permitted"), explicit limits at or under the host's make the OCI runtime start the container.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './support/processes.js';
import { waitUntil } from './support/server.js';
import { recordSecrets } from './support/secret-scan.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BASE = process.env.PATRIOT_CONTAINER_BASE;
const enabled = BASE !== undefined && BASE !== '' && spawnSync('podman', ['--version']).status === 0;
const ULIMITS = (process.env.PATRIOT_CONTAINER_ULIMITS ?? 'nofile=4096:4096 nproc=4096:4096').split(/\s+/).filter((x) => x !== '').flatMap((u) => ['--ulimit', u]);
const suffix = randomBytes(4).toString('hex');
const IMAGE = `localhost/patriot-test:${suffix}`;
const NAME = `patriot-test-${suffix}`;
const VOLUME = `patriot-test-data-${suffix}`;
const PASSWORD = `container-demo-${suffix}-password`;
let url = '';

const podman = (...args: string[]): string => execFileSync('podman', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The demo webhook secret, from the 0600 file the banner wrote instead of printing it. */
function webhookSecret(): string {
  const text = podman('exec', NAME, 'cat', '/data/initial-secrets.txt');
  const secret = /webhook secret: (\S+)/.exec(text)?.[1];
  if (secret === undefined) throw new Error('no webhook secret in /data/initial-secrets.txt');
  recordSecrets(secret);
  return secret;
}

async function healthy(): Promise<void> {
  await waitUntil(async () => (await fetch(`${url}/ready`).catch(() => undefined))?.status === 200, `the container ready (${spawnSync('podman', ['logs', '--tail', '20', NAME], { encoding: 'utf8' }).stderr})`, 60_000, 200);
}

beforeAll(async () => {
  if (!enabled) return;
  recordSecrets(PASSWORD);
  execFileSync('podman', ['build', '--build-arg', `BASE=${BASE}`, '-t', IMAGE, '.'], { cwd: ROOT, stdio: 'ignore', timeout: 900_000 });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  podman('run', '-d', '--name', NAME, ...ULIMITS, '-p', `127.0.0.1:${port}:8080`, '-v', `${VOLUME}:/data`, '-e', `PATRIOT_DEMO_PASSWORD=${PASSWORD}`, '-e', 'PATRIOT_FEED_INTERVAL_MS=50', IMAGE);
  await healthy();
}, 960_000);

afterAll(() => {
  if (!enabled) return;
  spawnSync('podman', ['rm', '-f', NAME]);
  spawnSync('podman', ['volume', 'rm', '-f', VOLUME]);
  spawnSync('podman', ['rmi', '-f', IMAGE]);
});

describe.skipIf(!enabled)('the container image (podman)', () => {
  it('runs as a non-root user with its data in the /data volume, private to that user', () => {
    expect(podman('exec', NAME, 'id', '-u')).toBe('10001');
    expect(podman('exec', NAME, 'stat', '-c', '%a %U', '/data')).toBe('700 patriot');
    const files = podman('exec', NAME, 'stat', '-c', '%a %n', '/data/patriot.db', '/data/master.key').split('\n');
    expect(files).toEqual(['600 /data/patriot.db', '600 /data/master.key']);
    // no secret in the container's log (PATRIOT_BANNER_SECRETS=false in the image): it is in /data/initial-secrets.txt
    const secret = webhookSecret();
    const logs = spawnSync('podman', ['logs', NAME], { encoding: 'utf8' });
    expect(secret.length).toBeGreaterThan(10);
    expect(logs.stdout + logs.stderr).not.toContain(secret);
  });

  it('takes an alert through the published port and keeps it across a restart (the volume)', async () => {
    const secret = webhookSecret();
    const alert = await fetch(`${url}/webhook/strat_demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret, action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.01', id: `container-${suffix}` }) });
    expect(alert.status).toBe(202);
    const { signalId } = (await alert.json()) as { signalId: string };
    podman('restart', '--time', '20', NAME);
    await healthy();
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo', password: PASSWORD }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    recordSecrets(accessToken);
    const signals = (await (await fetch(`${url}/api/v1/signals`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as { items: { signalId: string }[] };
    expect(signals.items.map((s) => s.signalId)).toContain(signalId);
  });
});
