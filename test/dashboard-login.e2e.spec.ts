/**
 * The dashboard's login form in a real browser (Debian's chromium, playwright-core): a name and
 * password that two tenants share log in once the tenant is named in the form's optional field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchDashboardBrowser } from './support/browser.js';
import type { Browser } from 'playwright-core';
import { cleanupTempDirs, DEMO_PASSWORD, fetchJson, login, startTestServer, type TestServer } from './support/server.js';


let server: TestServer;
let browser: Browser;

describe.skipIf(!chromiumAvailable)('dashboard login with a tenant', () => {
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchDashboardBrowser(); // built from the current source
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cleanupTempDirs();
  });

  it('given the same name and password in two tenants, when the form names no tenant, then it is refused; when it names one, the user logs into that tenant', async () => {
    const { runtime } = server;
    await runtime.auth.setLogin('mallory', { userId: 'usr_mallory', tenantId: 'tnt_mallory', role: 'admin' }, 'mallory-password-1');
    const mallory = (await login(runtime, 'mallory', 'mallory-password-1'))!;
    const demo = (await login(runtime, 'demo', DEMO_PASSWORD))!;
    for (const token of [mallory, demo]) {
      const created = await fetchJson(runtime, '/api/v1/users', { json: { username: 'twin', name: 'twin', role: 'viewer', password: 'shared-twin-password' }, token });
      expect(created.status).toBe(201);
    }

    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await page.goto(`${runtime.url}/`);
    await page.getByLabel('Username').fill('twin');
    await page.getByLabel('Password').fill('shared-twin-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(async () => (await page.getByRole('alert').textContent())?.trim() ?? '', { timeout: 30_000 }).not.toBe('');
    expect(await page.getByRole('heading', { name: 'Overview' }).count()).toBe(0);

    await page.getByText('Log in to a named tenant').click();
    await page.getByLabel('Tenant').fill('tnt_mallory');
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Log in' }).click();
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(JSON.parse(response.request().postData() ?? '{}')).toMatchObject({ username: 'twin', tenant: 'tnt_mallory' });
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 30_000 });
    const { accessToken } = (await response.json()) as { accessToken: string };
    const tenant = (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { tid?: string }).tid;
    expect(tenant).toBe('tnt_mallory');
  });
});
