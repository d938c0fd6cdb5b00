/**
 * The dashboard's Close button in a real browser (Debian's chromium through playwright-core):
 * an open position gets a Close button; the confirmation names each strategy's share; confirming
 * closes it through the API's close (routed like an alert), and the row goes away without a reload.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, chromiumAvailable, launchDashboardBrowser } from './support/browser.js';
import type { Browser } from 'playwright-core';
import { cleanupTempDirs, DEMO_PASSWORD, fetchJson, marketAlert, postAlert, startTestServer, type TestServer } from './support/server.js';


let server: TestServer;
let browser: Browser;

describe.skipIf(!chromiumAvailable)('closing a position from the dashboard', () => {
  beforeAll(async () => {
    server = await startTestServer();
    server.runtime.feed.setPrice('BTC/USDT', '97000');
    browser = await launchDashboardBrowser(); // built from the current source
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cleanupTempDirs();
  });

  it('Close asks first, names the strategy\'s share, and the position goes away live', async () => {
    const { runtime } = server;
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${runtime.url}/`);
    await page.getByLabel('Username').fill('demo');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Open positions' }).waitFor();

    const sent = await postAlert(runtime, marketAlert(runtime.demo!.secret, { quantity: '0.01' }));
    expect(sent.status, sent.text).toBe(202);
    const row = page.locator('tr[data-symbol="BTC/USDT"]');
    await row.waitFor({ timeout: 15_000 });

    // cancelling the confirmation closes nothing
    await row.getByRole('button', { name: /Close the BTC\/USDT position/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('0.01').waitFor();
    expect(await dialog.innerText()).toContain('Demo strategy: 0.01');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await row.count()).toBe(1);

    await row.getByRole('button', { name: /Close the BTC\/USDT position/ }).click();
    await page.screenshot({ path: join(ARTIFACTS, 'close-position-confirm.png') });
    await page.getByRole('button', { name: 'Close position' }).click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByText('No open positions.').waitFor();
    const h = await fetchJson<{ quantity: string }>(runtime, `/api/v1/accounts/acc_demo_paper/positions/${encodeURIComponent('BTC/USDT')}/strategies`);
    expect(h.body.quantity).toBe('0');
    expect(problems).toEqual([]);
  });

  it('Pause asks first and shows the strategy paused; its alerts are refused; Resume lets them through again', async () => {
    const { runtime } = server;
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${runtime.url}/`);
    await page.getByLabel('Username').fill('demo');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Strategies' }).click();
    const card = page.locator(`article[data-strategy="${runtime.demo!.strategyId}"]`);
    await card.waitFor();
    await card.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Pause strategy' }).click();
    await card.getByText('Paused').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'strategy-paused.png') });
    const refused = await postAlert(runtime, marketAlert(runtime.demo!.secret, { quantity: '0.01', id: 'while-paused' }));
    expect([refused.status, refused.body.error?.code]).toEqual([422, 'STRATEGY_PAUSED']);
    await card.getByRole('button', { name: 'Resume' }).click();
    await card.getByRole('button', { name: 'Pause' }).waitFor();
    const accepted = await postAlert(runtime, marketAlert(runtime.demo!.secret, { quantity: '0.01', id: 'after-resume' }));
    expect(accepted.status, accepted.text).toBe(202);
  });
});
