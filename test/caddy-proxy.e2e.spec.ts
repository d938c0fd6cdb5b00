/**
 * The README's TLS recipe, end to end (issue 15, "Deployment, tested here"): Caddy on HTTPS with its
 * local CA in front of PATRIOT (PATRIOT_TRUST_PROXY = the proxy's address). Clients connect from
 * their own loopback addresses (127.0.0.2, 127.0.0.3), so the client address differs from the
 * proxy's (127.0.0.1): the allowlist and the failure budget see the client, and a client cannot
 * forge its address with X-Forwarded-For. Skipped where caddy is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { cleanupTempDirs, makeTempDir, marketAlert, startTestServer, waitUntil, type TestServer } from './support/server.js';
import { freePort } from './support/processes.js';
import { loadConfig } from '../src/bootstrap/config.js';

const hasCaddy = spawnSync('caddy', ['version']).status === 0;

let patriot: TestServer;
let caddy: ChildProcess | undefined;
let caddyOutput = '';
let httpsPort = 0;
let rootCa = '';

interface Answer {
  readonly status: number;
  readonly code?: string;
}

/** POSTs over HTTPS to Caddy from a given local address, trusting only Caddy's local root CA. */
function send(path: string, from: string, body: object, headers: Record<string, string> = {}): Promise<Answer> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: httpsPort, servername: 'localhost', path, method: 'POST', localAddress: from, ca: rootCa, headers: { host: `localhost:${httpsPort}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => {
          const parsed = data ? (JSON.parse(data) as { error?: { code: string } }) : {};
          resolve({ status: res.statusCode ?? 0, ...(parsed.error ? { code: parsed.error.code } : {}) });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

beforeAll(async () => {
  if (!hasCaddy) return;
  const limits = { webhookPerMinute: 100, webhookAuthFailuresPerMinute: 3, loginsPerMinute: 100, refreshesPerMinute: 100, readsPerMinute: 1000, writesPerMinute: 1000, tradingPerMinute: 100 };
  const security = loadConfig({ PATRIOT_TRUST_PROXY: '127.0.0.1', PATRIOT_WEBHOOK_ALLOW: 'tradingview,127.0.0.2' }).security;
  patriot = await startTestServer({ config: { rateLimits: limits, security } });
  const upstream = new URL(patriot.runtime.url).port;
  const dir = makeTempDir('patriot-caddy-');
  [httpsPort] = [await freePort()];
  const httpPort = await freePort();
  writeFileSync(join(dir, 'Caddyfile'), [
    '{', '  admin off', '  skip_install_trust', `  http_port ${httpPort}`, `  https_port ${httpsPort}`, `  storage file_system ${join(dir, 'data')}`, '}',
    `https://localhost:${httpsPort} {`, '  bind 127.0.0.1', '  tls internal', `  reverse_proxy 127.0.0.1:${upstream}`, '}', '',
  ].join('\n'));
  caddy = spawn('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], { env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  caddy.stdout?.on('data', (chunk: Buffer) => (caddyOutput += chunk.toString()));
  caddy.stderr?.on('data', (chunk: Buffer) => (caddyOutput += chunk.toString()));
  const rootPath = join(dir, 'data', 'pki', 'authorities', 'local', 'root.crt');
  await waitUntil(() => existsSync(rootPath), `Caddy's local CA (${caddyOutput.slice(-500)})`, 30_000);
  rootCa = readFileSync(rootPath, 'utf8');
  // the site certificate is issued just after start: ready once PATRIOT answers through it (a refused source)
  await waitUntil(async () => (await send('/webhook/strat_demo', '127.0.0.4', {}).catch(() => ({ status: 0 }))).status === 403, 'PATRIOT answering through Caddy', 30_000, 100);
}, 90_000);

afterAll(async () => {
  if (caddy && caddy.exitCode === null) {
    const exited = new Promise((resolve) => caddy!.once('exit', resolve));
    caddy.kill('SIGTERM');
    await exited;
  }
  await patriot?.close();
  cleanupTempDirs();
});

// under CI=true a missing caddy is a failure (.ci/run installs Debian's caddy), never a silent skip
describe('caddy is installed where it is required', () => {
  it.runIf(process.env.CI === 'true')('CI has Debian\'s caddy', () => {
    expect(hasCaddy, 'caddy is not installed: apt-get install caddy').toBe(true);
  });
});

describe.skipIf(!hasCaddy)('behind Caddy (TLS with a local CA)', () => {
  it('an alert from an allowed client is accepted through the proxy; another client gets 403, even when it forges X-Forwarded-For', async () => {
    const secret = patriot.runtime.demo!.secret;
    expect(await send('/webhook/strat_demo', '127.0.0.2', marketAlert(secret, { id: 'via-caddy-1' }))).toEqual({ status: 202 });
    expect(await send('/webhook/strat_demo', '127.0.0.3', marketAlert(secret, { id: 'via-caddy-2' }))).toEqual({ status: 403, code: 'SOURCE_NOT_ALLOWED' });
    expect(await send('/webhook/strat_demo', '127.0.0.3', marketAlert(secret, { id: 'via-caddy-3' }), { 'x-forwarded-for': '127.0.0.2' })).toMatchObject({ status: 403 });
    expect(await send('/webhook/strat_demo', '127.0.0.3', marketAlert(secret, { id: 'via-caddy-4' }), { 'x-forwarded-for': '52.89.214.238' })).toMatchObject({ status: 403 });
  });

  it("the failure budget is the client's, not the proxy's: one client spent it (429), another client's alerts still go through", async () => {
    const secret = patriot.runtime.demo!.secret;
    let last: Answer = { status: 0 };
    for (let i = 0; i < 4; i++) last = await send('/webhook/strat_demo', '127.0.0.3', marketAlert(secret, { id: `spend-${i}` }));
    expect(last).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(await send('/webhook/strat_demo', '127.0.0.2', marketAlert('wrong-secret-xxxxxxxx', { id: 'bad-1' }))).toEqual({ status: 401, code: 'INVALID_SECRET' });
    expect(await send('/webhook/strat_demo', '127.0.0.2', marketAlert(secret, { id: 'via-caddy-5' }))).toEqual({ status: 202 });
    // the security log names the client behind the proxy
    expect(patriot.logs.text()).toMatch(/"security":"webhook_source_refused","source":"127\.0\.0\.3"/);
    expect(patriot.logs.text()).not.toMatch(/"source":"127\.0\.0\.1"/);
  });
});
