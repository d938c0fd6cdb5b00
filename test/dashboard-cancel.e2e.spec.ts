/**
 * Cancel from the dashboard (issue 17), in Debian's chromium against the real server (paper):
 * a resting order's Cancel button, behind a confirmation, ends the order cancelled; the account's
 * "Cancel open orders" button asks for every open order of the account.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { cleanupTempDirs, DEMO_PASSWORD, demoOf, fetchJson, marketAlert, postAlert, quiesce, startTestServer, waitUntil, type OrderView, type Page as ApiPage, type TestServer } from './support/server.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium`);

let server: TestServer;
let browser: Browser;

describe.skipIf(!available)('cancelling from the dashboard', () => {
  beforeAll(async () => {
    await run(process.execPath, ['web/build.mjs']); // the page under test is the current source
    server = await startTestServer();
    server.runtime.feed.setPrice('BTC/USDT', '97000');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cleanupTempDirs();
  });

  let alerts = 0;
  async function restingOrder(): Promise<OrderView> {
    const { secret } = demoOf(server.runtime);
    const res = await postAlert(server.runtime, marketAlert(secret, { order_type: 'limit', limit_price: '90000', quantity: '0.01', comment: `dash ${++alerts}` }));
    expect(res.status, res.text).toBe(202);
    await quiesce(server.runtime);
    return (await fetchJson<ApiPage<OrderView>>(server.runtime, `/api/v1/orders?signalId=${res.body.signalId}`)).body.items[0]!;
  }
  const statusOf = async (id: string) => (await fetchJson<OrderView>(server.runtime, `/api/v1/orders/${id}`)).body.status;

  it('the Cancel button of an open order (confirmed) cancels it; the account button cancels the rest', async () => {
    const order = await restingOrder();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    await page.goto(`${server.runtime.url}/`);
    await page.getByLabel('Username').fill('demo');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    await page.locator(`button[data-cancel="${order.clientOrderId}"]`).click();
    await page.getByRole('dialog').getByText('Cancel this order?').waitFor();
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await waitUntil(async () => (await statusOf(order.clientOrderId)) === 'cancelled', 'the order cancelled');
    await page.locator(`button[data-cancel="${order.clientOrderId}"]`).waitFor({ state: 'detached', timeout: 15_000 });

    const others = [await restingOrder(), await restingOrder()];
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.locator(`button[data-cancel-orders="${others[0]!.accountId}"]`).click();
    await page.getByRole('button', { name: 'Cancel open orders' }).last().click();
    for (const o of others) await waitUntil(async () => (await statusOf(o.clientOrderId)) === 'cancelled', 'cancelled from the account button');
    expect(problems).toEqual([]);
  }, 120_000);
});
