/**
 * The order ticket (issue 17) in Debian's chromium against the real server (paper), at 390, 1280 and
 * 1920 px: a bracket with two take-profits and a stop-limit stop is filled in (only the inputs the
 * order uses are shown, every one labelled), its TradingView alert message is shown, it is confirmed
 * and placed; the entry fills and its children appear under Open orders. A bad split is refused with
 * the API's code and nothing is placed. Nothing on the ticket sticks out of the page.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, chromiumAvailable, launchDashboardBrowser, logInAsDemo } from './support/browser.js';
import { cleanupTempDirs, DEMO_PASSWORD, demoOf, fetchJson, quiesce, startTestServer, waitUntil, type OrderView, type Page as ApiPage, type TestServer } from './support/server.js';

let server: TestServer;
let browser: Browser;

/** Runs in the page: the ticket's inputs without a label, elements sticking out of the ticket's card, and how far the page scrolls sideways. */
const LAYOUT = `(() => {
  const card = document.getElementById('order-ticket');
  const box = card.getBoundingClientRect();
  const unlabelled = [...card.querySelectorAll('input, select, textarea')].filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label')).map((el) => el.id || el.name);
  const sticking = [...card.querySelectorAll('*')].filter((el) => el.getClientRects().length > 0).map((el) => [el, el.getBoundingClientRect()])
    .filter(([, r]) => r.right > box.right + 0.5 || r.left < box.left - 0.5).map(([el, r]) => (el.id || el.tagName) + ': ' + r.left + '..' + r.right + ' in ' + box.left + '..' + box.right);
  return { unlabelled, sticking, cardRight: box.right, pageOverflow: document.documentElement.scrollWidth - innerWidth };
})()`;

async function openStrategies(page: Page): Promise<void> {
  await logInAsDemo(page, server.runtime.url, DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Strategies' }).click();
  await page.getByRole('heading', { name: 'Place an order' }).waitFor();
  await page.locator('#ot-strategy option').first().waitFor({ state: 'attached' });
}

describe.skipIf(!chromiumAvailable)('the order ticket in Chromium', () => {
  beforeAll(async () => {
    server = await startTestServer();
    server.runtime.feed.setPrice('BTC/USDT', '97000');
    browser = await launchDashboardBrowser(); // built from the current source
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cleanupTempDirs();
  });

  for (const width of [390, 1280, 1920]) {
    it(`at ${width} px: a bracket with a stop-limit stop, confirmed, places the entry and its children`, async () => {
      const { strategyId, accountId } = demoOf(server.runtime);
      const context = await browser.newContext({ viewport: { width, height: 900 }, ...(width === 390 ? { isMobile: true, hasTouch: true } : {}) });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('422')) problems.push(m.text()); });
      await openStrategies(page);
      const ticket = page.locator('#order-ticket');

      // a market order: no trigger, no limit, no trailing inputs
      expect(await page.locator('#ot-strategy').inputValue()).toBe(strategyId);
      await ticket.getByLabel('Action').selectOption('buy');
      await ticket.getByLabel('Order type').selectOption('market');
      expect(await page.locator('#ot-stop').isVisible()).toBe(false);
      expect(await page.locator('#ot-limit').isVisible()).toBe(false);
      expect(await page.locator('#ot-trailing').isVisible()).toBe(false);
      expect(await page.locator('#ot-tp').isVisible()).toBe(false);
      // a stop-limit shows its trigger and limit; a trailing stop its distance
      await ticket.getByLabel('Order type').selectOption('stop_limit');
      expect([await page.locator('#ot-stop').isVisible(), await page.locator('#ot-limit').isVisible(), await page.locator('#ot-bracket').isVisible()]).toEqual([true, true, false]);
      await ticket.getByLabel('Order type').selectOption('trailing');
      expect([await page.locator('#ot-trailing').isVisible(), await page.locator('#ot-stop').isVisible()]).toEqual([true, false]);

      // the bracket
      await ticket.getByLabel('Order type').selectOption('market');
      await page.locator('#ot-quantity').fill('0.02');
      await ticket.getByLabel('Add take-profit and stop-loss (a bracket)').check();
      await page.locator('#ot-tp').fill('99000,101000');
      await page.locator('#ot-split').fill('30,70');
      await page.locator('#ot-sl').fill('96000');
      await page.locator('#ot-sl-limit').fill('95900');
      await ticket.getByLabel(/break-even/).check();
      await page.locator('#ot-comment').fill(`ticket ${width}`);

      // the same order as a TradingView alert message
      await ticket.getByText('The same order as a TradingView alert message').click();
      const message = JSON.parse((await page.locator('#ot-alert-json').textContent())!) as Record<string, string>;
      expect(message).toEqual({
        secret: 'YOUR_WEBHOOK_SECRET', action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '0.02', order_type: 'market',
        take_profit: '99000,101000', take_profit_split: '30,70', stop_loss: '96000', stop_loss_limit: '95900', break_even: 'true', comment: `ticket ${width}`, timenow: '{{timenow}}',
      });

      const layout = await page.evaluate(LAYOUT) as { unlabelled: string[]; sticking: string[]; pageOverflow: number; cardRight: number };
      expect(layout.unlabelled).toEqual([]);
      expect(layout.sticking).toEqual([]);
      expect(layout.pageOverflow).toBeLessThanOrEqual(0);
      expect(layout.cardRight).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(ARTIFACTS, `order-ticket-${width}.png`), fullPage: true });

      // confirmed, then placed
      await ticket.getByRole('button', { name: 'Review and place order' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Place this order through "Demo strategy"?').waitFor();
      expect(await dialog.textContent()).toContain('stop-loss 96000 (stop-limit 95900)');
      await dialog.getByRole('button', { name: 'Place order' }).click();
      await page.locator('#ot-result[data-signal]').waitFor({ timeout: 15_000 });
      const signalId = (await page.locator('#ot-result').getAttribute('data-signal'))!;
      expect(await page.locator('#ot-result').textContent()).toContain(signalId);

      const orders = await waitUntil(async () => {
        await quiesce(server.runtime);
        const all = (await fetchJson<ApiPage<OrderView & { stopPrice?: string }>>(server.runtime, `/api/v1/orders?signalId=${signalId}&limit=100`)).body.items;
        return all.length === 4 && all.filter((o) => o.status === 'accepted').length === 3 ? all : undefined;
      }, 'the entry filled and its three children open');
      const entry = orders.find((o) => o.type === 'market')!;
      expect([entry.side, entry.quantity, entry.status]).toEqual(['buy', '0.02', 'filled']);
      const children = orders.filter((o) => o !== entry);
      expect(children.map((o) => [o.type, o.quantity, o.limitPrice, o.stopPrice ?? null]).sort()).toEqual([
        ['limit', '0.006', '99000', null], ['limit', '0.014', '101000', null], ['stop_limit', '0.02', '95900', '96000'],
      ]);

      // on the overview: the children under Open orders, the signal in the log
      await page.getByRole('link', { name: 'Overview' }).click();
      await page.getByRole('heading', { name: 'Open orders' }).waitFor();
      for (const child of children) await page.locator(`tr[data-order="${child.clientOrderId}"]`).waitFor({ timeout: 15_000 });
      expect(await page.locator(`tr[data-order="${children.find((o) => o.type === 'stop_limit')!.clientOrderId}"]`).textContent()).toContain('stop_limit');
      await page.locator(`tr[data-signal="${signalId}"]`).waitFor({ timeout: 15_000 });
      await page.screenshot({ path: join(ARTIFACTS, `order-ticket-placed-${width}.png`), fullPage: true });

      if (width === 1280) {
        // a split not summing to 100: the API's code, nothing placed
        await page.getByRole('link', { name: 'Strategies' }).click();
        await page.getByRole('heading', { name: 'Place an order' }).waitFor();
        await page.locator('#ot-strategy option').first().waitFor({ state: 'attached' });
        await page.locator('#ot-quantity').fill('0.01');
        await ticket.getByLabel('Add take-profit and stop-loss (a bracket)').check();
        await page.locator('#ot-tp').fill('99000,100000');
        await page.locator('#ot-split').fill('60,60');
        await quiesce(server.runtime);
        const head = await server.runtime.events.headPosition();
        await ticket.getByRole('button', { name: 'Review and place order' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Place order' }).click();
        await page.locator('#ot-result').getByText(/Nothing was placed: .*PERCENT_OVER_100/).waitFor();
        expect(await page.locator('#ot-result').getAttribute('data-signal')).toBeNull();
        expect(await server.runtime.events.headPosition()).toBe(head);
      }

      // the next width starts without open orders
      expect((await fetchJson(server.runtime, `/api/v1/accounts/${accountId}/cancel-orders`, { json: {} })).status).toBe(202);
      await waitUntil(async () => {
        await quiesce(server.runtime);
        return (await server.runtime.exchange.fetchOpenOrders(accountId)).length === 0;
      }, 'the open orders cancelled');
      expect(problems).toEqual([]);
      await context.close();
    }, 180_000);
  }
});
