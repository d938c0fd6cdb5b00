import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpPoster } from './http-poster.js';
import { isForbiddenAddress } from './address-guard.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const never = new AbortController().signal;

describe('the outbound HTTP poster', () => {
  it('follows no redirect, keeps only an excerpt of an error answer, and times out', async () => {
    let redirected = 0;
    const base = await serve((req, res) => {
      if (req.url === '/moved') return void res.writeHead(302, { location: '/target' }).end();
      if (req.url === '/target') return void (redirected++, res.writeHead(200).end());
      if (req.url === '/error') return void res.writeHead(500).end('x'.repeat(10_000));
      if (req.url === '/slow') return; // never answers
      res.writeHead(204).end();
    });
    const poster = httpPoster({ allowPrivate: true, timeoutMs: 300 });
    expect(await poster.post(`${base}/ok`, '{}', {}, never)).toEqual({ ok: true, status: 204 });
    expect(await poster.post(`${base}/moved`, '{}', {}, never)).toEqual({ ok: false, status: 302, error: 'redirect not followed: HTTP 302' });
    expect(redirected).toBe(0);
    const error = await poster.post(`${base}/error`, '{}', {}, never);
    expect(error.ok).toBe(false);
    expect(!error.ok && error.error.length).toBeLessThan(220);
    expect(await poster.post(`${base}/slow`, '{}', {}, never)).toEqual({ ok: false, error: 'timed out after 300 ms' });
  });

  it('refuses private addresses by default, and the reason never names the URL', async () => {
    const base = await serve((_req, res) => res.writeHead(200).end());
    const poster = httpPoster({ timeoutMs: 2000 });
    const refused = await poster.post(`${base}/path-secret`, '{}', {}, never);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).not.toContain('path-secret');
    expect(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.0.1', '169.254.169.254', '100.64.0.1', '::1', '::ffff:10.0.0.1', 'fd00:ec2::254', 'fe80::1', '0.0.0.0'].every(isForbiddenAddress)).toBe(true);
    expect(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', 'example.com'].some(isForbiddenAddress)).toBe(false);
  });
});
