/**
 * Cancel from the dashboard (issue 17), in Debian's chromium against the real server (paper):
 * a resting order's Cancel button, behind a confirmation, ends the order cancelled; the account's
 * "Cancel open orders" button asks for every open order of the account; the account's kill switch
 * with "flatten" ticked (and a second confirmation) cancels the orders and closes the position.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchDashboardBrowser, logInAsDemo } from './support/browser.js';
import type { Browser } from 'playwright-core';
import { cleanupTempDirs, DEMO_PASSWORD, demoOf, fetchJson, marketAlert, postAlert, quiesce, startTestServer, waitUntil, type OrderView, type Page as ApiPage, type TestServer } from './support/server.js';


let server: TestServer;
let browser: Browser;

describe.skipIf(!chromiumAvailable)('cancelling from the dashboard', () => {
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
    await logInAsDemo(page, server.runtime.url, DEMO_PASSWORD);

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

  it("on a phone: the account's kill switch with flatten ticked asks twice, then the orders are cancelled and the position closed", async () => {
    const { secret, accountId } = demoOf(server.runtime);
    const bought = await postAlert(server.runtime, marketAlert(secret, { quantity: '0.01', comment: 'dash position' }));
    expect(bought.status, bought.text).toBe(202);
    const resting = await restingOrder();
    await quiesce(server.runtime);
    const position = async () => (await fetchJson<{ quantity: string }>(server.runtime, `/api/v1/accounts/${accountId}/positions/${encodeURIComponent('BTC/USDT')}/strategies`)).body.quantity;
    expect(Number(await position())).toBeGreaterThan(0);

    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    await page.goto(`${server.runtime.url}/app/#/accounts`);
    await page.getByLabel('Username').fill('demo');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    const row = page.locator(`tr[data-account="${accountId}"]`);
    await row.getByRole('button', { name: 'Kill switch' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Engage the kill switch?').waitFor();
    await dialog.getByLabel('Also close every position at market (flatten)').check();
    expect(await dialog.getByLabel('Also cancel every open order').isChecked()).toBe(true);
    await page.screenshot({ path: 'test-artifacts/kill-switch-flatten-390.png' });
    await dialog.getByRole('button', { name: 'Engage kill switch' }).click();
    await page.getByRole('dialog').getByText('Close every position at market?').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Flatten' }).click();

    await waitUntil(async () => {
      await quiesce(server.runtime);
      return Number(await position()) === 0 && (await statusOf(resting.clientOrderId)) === 'cancelled';
    }, 'the orders cancelled and the position closed');
    await row.locator('[data-ks-actions="done"]').waitFor({ timeout: 15_000 });
    expect(await row.locator('[data-ks-actions]').textContent()).toMatch(/flatten done: \d+ cancelled, 1 close order/);
    await row.getByRole('button', { name: 'Release kill switch' }).waitFor();
    expect(problems).toEqual([]);
  }, 120_000);
});
