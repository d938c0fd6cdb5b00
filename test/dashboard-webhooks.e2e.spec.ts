/**
 * The dashboard's outbound webhooks page in a real browser (Debian's chromium, playwright-core),
 * at a phone's width and a desktop's: add an endpoint and see its signing secret once, send a
 * test (a local receiver checks its signature with that secret), read the delivery log, disable
 * and remove the endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchDashboardBrowser, logInAsDemo } from './support/browser.js';
import type { Browser } from 'playwright-core';
import { cleanupTempDirs, DEMO_PASSWORD, startTestServer, type TestServer } from './support/server.js';
import { recordSecrets } from './support/secret-scan.js';
import { WebhookReceiver } from './support/webhook-receiver.js';


let server: TestServer;
let browser: Browser;
const receiver = new WebhookReceiver('/dashboard/path-token-eeeeeeeeeeee');

describe.skipIf(!chromiumAvailable)('dashboard: outbound webhooks', () => {
  beforeAll(async () => {
    server = await startTestServer({ config: { outbound: { allowPrivate: true, timeoutMs: 5000, retryBaseMs: 20, retryMaxMs: 200, giveUpAfterMs: 86_400_000, pollMs: 200 } } });
    recordSecrets(receiver.path);
    await receiver.up();
    browser = await launchDashboardBrowser(); // built from the current source
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver.down();
    cleanupTempDirs();
  });

  for (const width of [390, 1280]) {
    it(`at ${width} px: adds an endpoint (secret shown once), sends a signed test, shows the delivery log, changes its kinds and quiet hours, disables and removes it`, async () => {
      const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
      await logInAsDemo(page, server.runtime.url, DEMO_PASSWORD);
      await page.evaluate("location.hash = '#/webhooks'");
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor({ timeout: 30_000 });
      await page.getByLabel('URL').fill(receiver.url);
      await page.getByLabel('Kill switch').check();
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = (await page.locator('#endpoint-secret').textContent({ timeout: 30_000 }))?.trim() ?? '';
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      receiver.secret = secret;
      await page.getByRole('button', { name: 'I have copied it' }).click();
      expect(await page.locator('#endpoint-secret').count()).toBe(0);
      const row = page.locator('tr[data-endpoint]');
      await row.first().waitFor({ timeout: 30_000 });
      expect(await row.count()).toBe(1);
      expect(await row.first().textContent()).toContain('fill, kill_switch');
      expect(await page.content()).not.toContain('path-token');

      const received = receiver.received.length;
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.locator('tr[data-delivery]').first().waitFor({ timeout: 30_000 });
      expect(receiver.received.length).toBe(received + 1);
      expect(receiver.received.at(-1)).toMatchObject({ type: 'Test' });
      expect(receiver.badSignatures).toBe(0);
      expect(await page.locator('tr[data-delivery]').first().textContent()).toContain('delivered');
      // nothing wider than the screen (tables scroll inside their own box)
      expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);

      // the channel's settings: a bad time zone is refused in the form, then quiet hours in Berlin are saved and shown
      await page.getByRole('button', { name: 'Settings' }).click();
      const settings = page.locator('form.channel-settings');
      await settings.getByLabel('Time zone').fill('Mars/Base');
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByRole('alert').filter({ hasText: 'IANA' }).waitFor({ timeout: 30_000 });
      expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
      await settings.getByLabel('Time zone').fill('Europe/Berlin');
      await settings.getByLabel('Quiet hours on').check();
      await settings.getByLabel('Partial fills').check();
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await row.first().filter({ hasText: 'quiet 22:00–07:00 · Europe/Berlin' }).waitFor({ timeout: 30_000 });
      expect(await row.first().textContent()).toContain('fill, partial_fill, kill_switch');

      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByRole('button', { name: 'Enable' }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Remove', exact: true }).click();
      await page.getByRole('button', { name: 'Remove endpoint' }).click();
      await page.getByText('No endpoints yet.').waitFor({ timeout: 30_000 });
      await page.context().close();
    }, 120_000);
  }
});
