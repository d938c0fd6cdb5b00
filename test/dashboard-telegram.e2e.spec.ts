/**
 * The dashboard's Telegram page in a real browser (Debian's chromium, playwright-core), at a
 * phone's width: an admin sets the bot up (the token is checked against the fake Bot API and then
 * shown masked only), creates a link code, the chat sends it to the bot, the chat is listed as
 * linked, and is unlinked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchDashboardBrowser, logInAsDemo } from './support/browser.js';
import { cleanupTempDirs, DEMO_PASSWORD, startTestServer, type TestServer } from './support/server.js';
import { FakeTelegram } from './support/fake-telegram.js';
import { recordSecrets } from './support/secret-scan.js';

let server: TestServer;
let browser: Browser;
const fake = new FakeTelegram();

describe.skipIf(!chromiumAvailable)('dashboard: Telegram', () => {
  beforeAll(async () => {
    await fake.start();
    recordSecrets(fake.token);
    server = await startTestServer({
      config: { outbound: { allowPrivate: true, timeoutMs: 5000, retryBaseMs: 20, retryMaxMs: 200, giveUpAfterMs: 86_400_000, pollMs: 200, telegram: { apiRoot: fake.apiRoot, pollTimeoutS: 1, digestMaxMessages: 10, digestWindowMs: 60_000 } } },
    });
    browser = await launchDashboardBrowser(); // built from the current source
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake.stop();
    cleanupTempDirs();
  });

  it('sets the bot up (token shown masked only), links a chat with a code, lists and unlinks it', async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 900 } })).newPage();
    await logInAsDemo(page, server.runtime.url, DEMO_PASSWORD);
    await page.evaluate("location.hash = '#/telegram'");
    await page.getByRole('heading', { name: 'Telegram', level: 1 }).waitFor({ timeout: 30_000 });
    await page.getByLabel('Bot token').waitFor({ timeout: 30_000 });
    // every input has a name a screen reader reads (as every page, issue 20; a string: the page's DOM types are not the test's)
    const unnamed = (await page.evaluate(`[...document.querySelectorAll('main input, main select, main textarea')]
      .filter((el) => el.type !== 'hidden')
      .filter((el) => el.labels?.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML.slice(0, 120))`)) as string[];
    expect(unnamed).toEqual([]);

    await page.getByLabel('Bot token').fill(fake.token);
    await page.getByRole('button', { name: 'Set up the bot' }).click();
    const masked = `${fake.token.split(':')[0]}:…${fake.token.slice(-4)}`;
    await page.getByText(masked).waitFor({ timeout: 30_000 });
    expect(await page.content()).not.toContain(fake.token.split(':')[1]);

    await page.getByRole('button', { name: 'Create a link code' }).click();
    const command = (await page.locator('#tg-link-command').textContent({ timeout: 30_000 }))?.trim() ?? '';
    expect(command).toMatch(/^\/link [A-Z2-9]{8}$/);
    fake.userSends(8801, command);
    await fake.waitFor(8801, (m) => m.text.startsWith('Linked'), 'the link confirmation');

    await page.evaluate("location.hash = '#/overview'");
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 30_000 });
    await page.evaluate("location.hash = '#/telegram'");
    const row = page.locator('tr[data-chat="8801"]');
    await row.waitFor({ timeout: 30_000 });
    // the chat's delivery log (the link confirmation is an answer, not a notice: nothing yet), and its settings form
    await row.getByRole('button', { name: 'Deliveries' }).click();
    await page.getByText('Nothing sent yet.').waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Settings' }).click();
    const settings = page.locator('form.channel-settings');
    await settings.getByLabel('Time zone').fill('Europe/Berlin');
    await settings.getByLabel('Quiet hours on').check();
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await row.filter({ hasText: 'quiet 22:00–07:00 · Europe/Berlin' }).waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Unlink' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Unlink' }).click();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.locator('tr[data-chat]').count()).toBe(0);
  });
});
