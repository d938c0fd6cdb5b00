/**
 * The dashboard's Close button in a real browser (Debian's chromium through playwright-core):
 * an open position gets a Close button; the confirmation names each strategy's share; confirming
 * closes it through the API's close (routed like an alert), and the row goes away without a reload.
 * Then (issues 17, 20) the overview's numbers on a market with a fine tick (ETH/BTC on a Binance
 * sandbox through ccxt, tick 0.00001, step 0.0001): a fill at 0.03505 shows 0.03505 (not 0.03),
 * and every price and quantity in the orders, fills and positions tables has exactly its market's places.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, chromiumAvailable, launchDashboardBrowser, logInAsDemo } from './support/browser.js';
import type { Browser } from 'playwright-core';
import { cleanupTempDirs, DEMO_PASSWORD, fetchJson, marketAlert, postAlert, quiesce, startTestServer, waitUntil, type OrderView, type Page, type TestServer } from './support/server.js';
import { ACCOUNT, alertWith, closeRigs, orderOf, rig, types, type Rig } from '../src/bootstrap/test-support/ccxt-rig.js';
import { Dec } from '../src/domain/shared/decimal.js';


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

/** The API's value rounded half even to `places`, grouped as the page shows it. */
function rounded(value: string, places: number): string {
  const r = new Dec(value).toDecimalPlaces(places, Dec.ROUND_HALF_EVEN);
  const [whole = '', frac] = (r.isZero() ? r.abs() : r).toFixed(places).split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac ? `.${frac}` : ''}`;
}
const decimalsOf = (text: string) => (text.split('.')[1] ?? '').length;
const placesOfStep = (step: string) => (step.split('.')[1] ?? '').replace(/0+$/, '').length;

/** Runs in the page: the price and quantity cells of the orders, fills and positions tables (rows: data-account, and data-symbol or data-market), as [account, symbol, kind, data-value, data-places, text]. */
const MARKET_CELLS = `[...document.querySelectorAll('section[aria-labelledby="orders-h"] tr[data-account], section[aria-labelledby="fills-h"] tr[data-account], section[aria-labelledby="positions-h"] tr[data-account]')]
  .flatMap((tr) => [...tr.querySelectorAll('[data-kind]')].map((el) => [tr.getAttribute('data-account'), tr.getAttribute('data-symbol') ?? tr.getAttribute('data-market'), el.getAttribute('data-kind'), el.getAttribute('data-value'), el.getAttribute('data-places'), el.firstChild.textContent]))`;

describe.skipIf(!chromiumAvailable)("the overview's numbers at their market's precision", () => {
  let r: Rig;
  let fineBrowser: Browser;
  let fill: { tradeId: string; price: string; quantity: string };
  let limit: OrderView;
  let stop: OrderView;
  beforeAll(async () => {
    r = await rig({ balances: [{ asset: 'USDT', amount: '100000' }, { asset: 'BTC', amount: '2' }] });
    r.feed.setPrice('ETH/BTC', '0.03505');
    const bought = await orderOf(r, await alertWith(r, 'fine-buy', { action: 'buy', ticker: 'BINANCE:ETHBTC', quantity: '0.5' }));
    await waitUntil(async () => (await types(r, bought)).includes('OrderFilled'), 'the ETH/BTC buy filled', 20_000, 50);
    const resting = await orderOf(r, await alertWith(r, 'fine-limit', { action: 'buy', ticker: 'BINANCE:ETHBTC', quantity: '0.25', order_type: 'limit', limit_price: '0.03333' }));
    const stopped = await orderOf(r, await alertWith(r, 'fine-stop', { action: 'sell', ticker: 'BINANCE:ETHBTC', quantity: '0.2', order_type: 'stop_limit', stop_price: '0.03211', limit_price: '0.03201' }));
    await r.server.runtime.settle();
    await quiesce(r.server.runtime);
    const orders = async () => (await fetchJson<Page<OrderView & { stopPrice?: string }>>(r.server.runtime, `/api/v1/orders?accountId=${ACCOUNT}&limit=50`)).body.items;
    limit = await waitUntil(async () => (await orders()).find((o) => o.clientOrderId === resting && o.status === 'accepted'), 'the limit order resting');
    stop = await waitUntil(async () => (await orders()).find((o) => o.clientOrderId === stopped && !['pending', 'approved'].includes(o.status)), 'the stop order placed');
    fill = (await fetchJson<Page<{ tradeId: string; symbol: string; price: string; quantity: string }>>(r.server.runtime, `/api/v1/fills?accountId=${ACCOUNT}`)).body.items.find((f) => f.symbol === 'ETH/BTC')!;
    fineBrowser = await launchDashboardBrowser(); // built from the current source
  }, 180_000);
  afterAll(async () => {
    await fineBrowser?.close();
    await closeRigs();
    cleanupTempDirs();
  });

  for (const width of [390, 1280, 1920]) {
    it(`at ${width} px: the ETH/BTC fill, order and position show every digit their market allows, and no more`, async () => {
      const { runtime } = r.server;
      const market = (await fetchJson<{ items: { symbol: string; precision: { price: string; amount: string } }[] }>(runtime, `/api/v1/markets?accountId=${ACCOUNT}&q=ETH/BTC`)).body.items.find((m) => m.symbol === 'ETH/BTC')!;
      expect(market.precision).toEqual({ price: '0.00001', amount: '0.0001' });
      expect(decimalsOf(fill.price)).toBeGreaterThan(2); // the case this is about
      const context = await fineBrowser.newContext({ viewport: { width, height: 900 }, ...(width < 500 ? { isMobile: true, hasTouch: true } : {}) });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
      await logInAsDemo(page, runtime.url, DEMO_PASSWORD);

      // the fill's price in full (columns: time, symbol, side, quantity, price, fee)
      const fillRow = page.locator(`tr[data-trade="${fill.tradeId}"]`);
      await fillRow.waitFor({ timeout: 15_000 });
      expect(await fillRow.locator('td').nth(4).innerText()).toBe(rounded(fill.price, 5));
      expect(await fillRow.locator('td').nth(3).innerText()).toBe(rounded(fill.quantity, 4));
      // the resting limit order's price and the stop's trigger in full (columns: symbol, side, type, quantity, limit)
      const limitRow = page.locator('section[aria-labelledby="orders-h"] tr', { hasText: 'ETH/BTC' }).filter({ hasText: rounded(limit.quantity, 4) });
      await limitRow.first().waitFor({ timeout: 15_000 });
      expect(await limitRow.first().locator('td').nth(4).innerText()).toBe('0.03333');
      const stopRow = page.locator('section[aria-labelledby="orders-h"] tr', { hasText: 'ETH/BTC' }).filter({ hasText: rounded(stop.quantity, 4) });
      expect(await stopRow.first().locator('td').nth(2).innerText()).toContain('@ 0.03211');
      expect(await stopRow.first().locator('td').nth(4).innerText()).toBe('0.03201');
      await page.locator('section[aria-labelledby="positions-h"] tr[data-symbol="ETH/BTC"]').waitFor({ timeout: 15_000 });
      await page.screenshot({ path: join(ARTIFACTS, `overview-fine-tick-${width}.png`), fullPage: true });
      // the account's PnL is summed per currency: the ETH/BTC position's is in BTC at 8 places, never added to USDT
      expect(await page.locator(`.stat[data-account="${ACCOUNT}"] [data-currency="BTC"]`).innerText()).toMatch(/^-?\d+\.\d{8} BTC$/);
      if (width >= 1280) {
        const cut = await page.evaluate(`[...document.querySelectorAll('main .table-wrap')].filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => w.getAttribute('aria-label'))`);
        expect(cut, `tables cut at ${width} px`).toEqual([]);
      }

      // every price and quantity in the three tables: the API's value at exactly its market's places
      const cells = await page.evaluate(MARKET_CELLS) as [string, string, 'price' | 'quantity', string, string | null, string][];
      expect(cells.filter((c) => c[1] === 'ETH/BTC').length).toBeGreaterThanOrEqual(9); // fill 2, two orders 2 each, position 3
      const markets = new Map<string, { price: string; amount: string }>();
      for (const [accountId, symbol, kind, value, places, text] of cells) {
        const key = `${accountId}|${symbol}`;
        if (!markets.has(key)) {
          const listed = (await fetchJson<{ items: { symbol: string; precision: { price: string; amount: string } }[] }>(runtime, `/api/v1/markets?accountId=${accountId}&q=${encodeURIComponent(symbol)}`)).body.items;
          markets.set(key, listed.find((m) => m.symbol === symbol)!.precision);
        }
        const step = kind === 'price' ? markets.get(key)!.price : markets.get(key)!.amount;
        const allowed = placesOfStep(step);
        expect(Number(places), `${key} ${kind} ${value}`).toBe(allowed);
        expect(decimalsOf(text), `${key} ${kind} ${value} shown as ${text}`).toBe(allowed);
        expect(text, `${key} ${kind} ${value}`).toBe(rounded(value, allowed));
      }
      expect(problems).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
