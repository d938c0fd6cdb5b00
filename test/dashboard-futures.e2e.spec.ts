/**
 * A swap account's leverage and margin mode on the dashboard (issue 17): the accounts table shows
 * "the exchange's own" until they are set, "Set leverage" saves a default through the API (symbol
 * overrides kept), and the row shows it; spot and paper accounts show none and have no button.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchDashboardBrowser, logInAsDemo } from './support/browser.js';
import type { Browser } from 'playwright-core';
import { cleanupTempDirs, DEMO_PASSWORD, fetchJson, startTestServer, waitUntil, type TestServer } from './support/server.js';

let server: TestServer;
let browser: Browser;

describe.skipIf(!chromiumAvailable)('futures settings on the dashboard', () => {
  beforeAll(async () => {
    // the binance account never reaches an exchange: its URLs point at a closed local port
    server = await startTestServer({ config: { exchangeUrls: { binance: 'http://127.0.0.1:9' } } });
    browser = await launchDashboardBrowser(); // built from the current source
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cleanupTempDirs();
  });

  it('shows them and sets the default from the accounts page, keeping the per-symbol overrides', async () => {
    const created = await fetchJson<{ accountId: string }>(server.runtime, '/api/v1/accounts', { json: { name: 'Perps', exchange: 'binance', marketType: 'swap' } });
    expect(created.status, created.text).toBe(201);
    const accountId = created.body.accountId;
    const path = `/api/v1/accounts/${accountId}/futures`;
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    await logInAsDemo(page, server.runtime.url, DEMO_PASSWORD);
    await page.getByRole('link', { name: 'Accounts' }).click();

    const row = page.locator(`tr[data-account="${accountId}"]`);
    await row.getByText("the exchange's own").waitFor();
    expect(await page.locator('button[data-set-leverage]').count()).toBe(1);

    // an override set through the API is shown, and kept when the default is changed on the page
    expect((await fetchJson(server.runtime, path, { method: 'PUT', json: { leverage: 3, marginMode: 'cross', symbols: { 'ETH/USDT': { leverage: 2 } } } })).status).toBe(200);
    await row.getByText('3x cross').waitFor({ timeout: 15_000 });
    await row.getByText('ETH/USDT: 2x').waitFor();
    await row.getByRole('button', { name: 'Set leverage' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Leverage').fill('126');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Leverage is a whole number from 1 to 125.').waitFor();
    await dialog.getByLabel('Leverage').fill('7');
    await dialog.getByLabel('Margin mode').selectOption('isolated');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await row.getByText('7x isolated').waitFor({ timeout: 15_000 });
    await waitUntil(async () => (await fetchJson<{ leverage: number }>(server.runtime, path)).body.leverage === 7, 'the settings saved');
    expect((await fetchJson(server.runtime, path)).body).toEqual({ leverage: 7, marginMode: 'isolated', symbols: { 'ETH/USDT': { leverage: 2 } } });
    expect(problems).toEqual([]);
  }, 120_000);
});
