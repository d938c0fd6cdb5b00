/**
 * Attack suite, issue 15 item 6: what an attacker does leaves log lines at warn — failed logins,
 * invalid webhook secrets, forged tokens — aggregated per minute per kind and source address (the
 * first at once, then one summary with the count), with the source address and never the secret.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { cleanupTempDirs, fetchJson, marketAlert, postAlert, startTestServer } from '../support/server.js';
import { loadConfig } from '../../src/bootstrap/config.js';
import { loginSession } from './support.js';

afterAll(() => cleanupTempDirs());

interface Line {
  level: number;
  msg: string;
  security?: string;
  source?: string;
  count?: number;
  reason?: string;
}

describe('security events are logged (issue 15, item 6)', () => {
  it('failed logins, invalid webhook secrets and forged tokens: one line at once and one summary per kind and source, with the address and no secret', async () => {
    const security = { ...loadConfig({ PATRIOT_TRUST_PROXY: 'loopback' }).security, loginFailuresPerUser: 1000, loginFailuresPerAddress: 1000 };
    const rateLimits = { webhookPerMinute: 1000, webhookAuthFailuresPerMinute: 1000, loginsPerMinute: 1000, readsPerMinute: 1000, writesPerMinute: 1000, tradingPerMinute: 1000 };
    const server = await startTestServer({ config: { security, rateLimits } });
    const { runtime } = server;
    const guesses = Array.from({ length: 12 }, (_, i) => `guessed-password-${i}`);
    for (const password of guesses) await loginSession(runtime.url, 'demo', password, { 'x-forwarded-for': '203.0.113.66' });
    const wrongSecret = 'attacker-guess-0123456789abcdef';
    for (let i = 0; i < 30; i++) expect((await postAlert(runtime, marketAlert(wrongSecret, { id: `bad-${i}` }))).status).toBe(401);
    const iat = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ tid: 'tnt_demo', role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('usr_demo').setIssuer('patriot').setAudience('patriot-api').setIssuedAt(iat).setExpirationTime(iat + 600).sign(randomBytes(32));
    for (let i = 0; i < 5; i++) expect((await fetchJson(runtime, '/api/v1/orders', { token: forged })).status).toBe(401);
    await server.close(); // the summaries of the open window are written on close (else at the end of the minute)

    const text = server.logs.text();
    const lines = text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
    const of = (kind: string, source: string) => lines.filter((l) => l.security === kind && l.source === source);
    const logins = of('login_failed', '203.0.113.66');
    expect(logins.map((l) => l.count ?? 1)).toEqual([1, 12]);
    const secrets = of('webhook_secret_invalid', '127.0.0.1');
    expect(secrets.map((l) => l.count ?? 1)).toEqual([1, 30]);
    const tokens = of('credential_refused', '127.0.0.1');
    expect(tokens.map((l) => l.count ?? 1)).toEqual([1, 5]);
    for (const line of [...logins, ...secrets, ...tokens]) expect(line.level).toBe(40); // warn
    // never the secret, a password or the token
    for (const secret of [wrongSecret, forged, ...guesses]) expect(text).not.toContain(secret);
  });
});
