/**
 * The Analytics page in a real browser (Debian's chromium through playwright-core) at 390, 1280
 * and 1920 px: metrics per strategy and account, daily PnL bars, the trade history and the
 * downloads. No table sticks out of its card (it fits or scrolls inside it), the page never
 * scrolls sideways, every number is the API's rounded half even to its places (money at 2,
 * prices and quantities at the market's tick and step), and a download is the API's export.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, chromiumAvailable, launchDashboardBrowser, logInAsDemo } from './support/browser.js';
import { cleanupTempDirs, DEMO_PASSWORD, demoOf, fetchJson, marketAlert, postAlert, quiesce, startTestServer, type TestServer } from './support/server.js';
import { Dec } from '../src/domain/shared/decimal.js';

interface Metrics { realizedPnl: string; fees: string; unrealizedPnl?: string; averageWin?: string; averageLoss?: string; profitFactor?: string; expectancy?: string; maxDrawdown: { amount: string }; sharpe?: string; sortino?: string }
interface Trip { accountId: string; strategyId: string; symbol: string; openedAt: string; pnl: string; quantity: string; averageEntryPrice: string; averageExitPrice?: string; fees: string }

let server: TestServer;
let browser: Browser;

/** The API's value rounded half even to `places`, grouped as the page shows it. */
function shown(value: string, places: number): string {
  const rounded = new Dec(value).toDecimalPlaces(places, Dec.ROUND_HALF_EVEN);
  const [whole = '', frac] = (rounded.isZero() ? rounded.abs() : rounded).toFixed(places).split('.'); // no "-0.00"
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

async function logIn(page: Page): Promise<void> {
  await logInAsDemo(page, server.runtime.url, DEMO_PASSWORD);
  await page.evaluate("location.hash = '#/analytics'");
  await page.getByRole('heading', { name: 'Analytics' }).waitFor();
  await page.locator('tr[data-trip]').nth(1).waitFor({ timeout: 15_000 });
}

/** Runs in the page: every table region and chart that sticks out of its card, and how far the page scrolls sideways. */
const LAYOUT = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('.card .table-wrap, .card svg.bars')) {
    const card = el.closest('.card').getBoundingClientRect();
    const box = el.getBoundingClientRect();
    if (box.right > card.right + 0.5 || box.left < card.left - 0.5) out.push((el.getAttribute('aria-label') || 'chart') + ': ' + box.left + '..' + box.right + ' in ' + card.left + '..' + card.right);
  }
  return { sticking: out, pageOverflow: document.documentElement.scrollWidth - innerWidth };
})()`;

/** Runs in the page: each number cell of a row as [data-value, data-places, text]. */
const cellsOf = (selector: string): string => `[...document.querySelectorAll(${JSON.stringify(selector)} + ' td[data-value]')].map((td) => [td.getAttribute('data-value'), Number(td.getAttribute('data-places')), td.firstChild.textContent])`;

describe.skipIf(!chromiumAvailable)('the Analytics page in Chromium', () => {
  beforeAll(async () => {
    server = await startTestServer();
    const { runtime } = server;
    const { secret } = demoOf(runtime);
    let n = 0;
    for (const [action, quantity, price] of [['buy', '0.02', '97000'], ['sell', '0.01', '97500.37'], ['sell', '0.01', '96800'], ['buy', '0.01', '96000.11'], ['sell', '0.01', '96500']] as const) {
      runtime.feed.setPrice('BTC/USDT', price);
      const res = await postAlert(runtime, marketAlert(secret, { id: `page-${++n}`, action, quantity }));
      expect(res.status, res.text).toBe(202);
      await quiesce(runtime);
    }
    browser = await launchDashboardBrowser(); // built from the current source
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cleanupTempDirs();
  });

  for (const width of [390, 1280, 1920]) {
    it(`at ${width} px: no table sticks out of its card, and every number is the API's at its places`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      await logIn(page);
      await page.screenshot({ path: join(ARTIFACTS, `analytics-${width}.png`), fullPage: true });
      const layout = await page.evaluate(LAYOUT) as { sticking: string[]; pageOverflow: number };
      expect(layout.sticking).toEqual([]);
      expect(layout.pageOverflow).toBeLessThanOrEqual(0);

      const api = (await fetchJson<{ strategies: { strategyId: string; metrics: Metrics }[]; accounts: { accountId: string; metrics: Metrics }[] }>(server.runtime, '/api/v1/analytics')).body;
      const values = (m: Metrics) => [m.realizedPnl, m.fees, m.unrealizedPnl, m.averageWin, m.averageLoss, m.profitFactor, m.expectancy, m.maxDrawdown.amount, m.sharpe, m.sortino].filter((v): v is string => v !== undefined);
      for (const [selector, metrics] of [['tr[data-group="strat_demo"]', api.strategies[0]!.metrics], ['tr[data-group="acc_demo_paper"]', api.accounts[0]!.metrics]] as const) {
        const cells = await page.evaluate(cellsOf(selector)) as [string, number, string][];
        expect(cells.map((c) => c[0]), selector).toEqual(values(metrics));
        for (const [value, places, text] of cells) expect(text, `${selector} ${value}`).toBe(shown(value, places));
      }

      const market = (await fetchJson<{ items: { symbol: string; precision: { price: string; amount: string } }[] }>(server.runtime, '/api/v1/markets?accountId=acc_demo_paper&q=BTC/USDT')).body.items.find((m) => m.symbol === 'BTC/USDT')!;
      const placesOf = (step: string) => (step.split('.')[1] ?? '').replace(/0+$/, '').length;
      const trips = (await fetchJson<{ items: Trip[] }>(server.runtime, '/api/v1/round-trips')).body.items;
      expect(trips).toHaveLength(2);
      for (const t of trips) {
        const cells = await page.evaluate(cellsOf(`tr[data-trip="${t.accountId}|${t.strategyId}|${t.symbol}|${t.openedAt}"]`)) as [string, number, string][];
        expect(cells.map((c) => c[0])).toEqual([t.pnl, t.quantity, t.averageEntryPrice, t.averageExitPrice, t.fees]);
        expect(cells.map((c) => c[1])).toEqual([2, placesOf(market.precision.amount), placesOf(market.precision.price), placesOf(market.precision.price), 2]);
        for (const [value, places, text] of cells) expect(text).toBe(shown(value, places));
      }
      expect(await page.locator('svg.bars rect.bar').count()).toBeGreaterThan(0);

      if (width === 1280) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="fills.csv"]').click()]);
        const csv = readFileSync((await download.path())!, 'utf8').split('\r\n').filter((l) => l.length > 0);
        expect(csv[0]!.startsWith('filledAt,accountId,strategyId')).toBe(true);
        expect(csv).toHaveLength(6);
        // a filter narrows the trade history: no ETH trades
        await page.getByLabel('Symbol').fill('ETH/USDT');
        await page.getByRole('button', { name: 'Apply' }).click();
        await page.getByText('No trades in this range.').waitFor();
      }
      expect(problems).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
