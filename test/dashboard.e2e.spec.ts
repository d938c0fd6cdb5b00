/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core (never a
 * downloaded browser) against the real server on the embedded default (SQLite, paper, demo).
 * Log in, create a strategy through the page, send alerts with curl, see the fill and the
 * position arrive without a reload, engage the kill switch and see the next alert rejected;
 * no console errors; a phone-sized run. Screenshots go to test-artifacts/.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, CHROMIUM, chromiumAvailable, launchDashboardBrowser, logInAsDemo } from './support/browser.js';
import type { Browser, Page } from 'playwright-core';
import { cleanupTempDirs, DEMO_PASSWORD, fetchJson, marketAlert, postAlert, startTestServer, type TestServer } from './support/server.js';
import { Dec } from '../src/domain/shared/decimal.js';

/** The page's globals, as seen from code that playwright runs in the browser (the test compiles without the DOM library). */
interface PageGlobals {
  readonly document: { readonly activeElement: unknown; readonly documentElement: { readonly scrollWidth: number } };
  readonly innerWidth: number;
}
/** Runs in the page: how far its content sticks out sideways (> 0: a horizontal scrollbar). */
const horizontalOverflow = (): number => {
  const page = globalThis as unknown as PageGlobals;
  return page.document.documentElement.scrollWidth - page.innerWidth;
};

const run = promisify(execFile);
if (!chromiumAvailable) console.warn(`skipping the dashboard browser suite: ${CHROMIUM} is not installed (apt-get install chromium)`);

let server: TestServer;
let browser: Browser;

/** Console errors and uncaught exceptions of a page (the dashboard must have none). */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

async function curlAlert(url: string, body: object): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-s', '-X', 'POST', '-H', 'content-type: application/json', '--data-binary', JSON.stringify(body), '-w', '\n%{http_code}', url]);
  const lines = stdout.trimEnd().split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n') };
}

async function logIn(page: Page): Promise<void> {
  await logInAsDemo(page, server.runtime.url, DEMO_PASSWORD);
}

describe.skipIf(!chromiumAvailable)('the dashboard in Chromium', () => {
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

  it('log in, create a strategy, see an alert fill live, trip the kill switch and see the next alert rejected', async () => {
    const { runtime } = server;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watch(page);

    // the page is served with a strict CSP and holds no secret
    const response = await page.goto(`${runtime.url}/`);
    expect(page.url()).toBe(`${runtime.url}/app/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.content()).not.toContain(runtime.demo!.secret);
    await page.getByRole('heading', { name: 'Log in to PATRIOT' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'login.png') });
    await logIn(page);

    // create a strategy through the page
    await page.getByRole('link', { name: 'Strategies' }).click();
    await page.getByRole('heading', { name: 'New strategy' }).waitFor();
    await page.getByLabel('Name').fill('E2E breakout');
    await page.getByLabel('Sizing amount').fill('0.02');
    await page.getByLabel('Max order notional').fill('10000');
    await page.getByRole('button', { name: 'Create strategy' }).click();
    const message = page.locator('#alert-message');
    await message.waitFor();
    const alert = JSON.parse(await message.innerText()) as Record<string, string>;
    expect(alert).toMatchObject({ action: '{{strategy.order.action}}', ticker: '{{ticker}}', quantity: '{{strategy.order.contracts}}' });
    const webhookUrl = await page.locator('.secret-panel code').first().innerText();
    expect(webhookUrl).toMatch(new RegExp(`^${runtime.publicUrl}/webhook/strat_`));
    await page.locator('article[data-strategy]', { hasText: 'E2E breakout' }).waitFor();
    // a ready-to-paste message for each action (issue 17), each with the same secret
    await page.locator('details.action-messages summary').click();
    const actions = await page.locator('.action-message').evaluateAll((els) => els.map((e) => ({ action: e.getAttribute('data-action'), text: e.querySelector('pre')?.textContent ?? '' })));
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['bracket', 'stop', 'trailing', 'close', 'exit_long', 'exit_short', 'cancel', 'percent']));
    for (const a of actions) expect(JSON.parse(a.text)).toMatchObject({ secret: alert.secret, ticker: '{{ticker}}' });
    await page.screenshot({ path: join(ARTIFACTS, 'strategies.png'), fullPage: true });
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.locator('body').innerText()).not.toContain(alert.secret);

    // an alert sent with curl shows up as a fill and a position, without reloading
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Open positions' }).waitFor();
    await runtime.snapshotNow();
    const sent = await curlAlert(webhookUrl, { secret: alert.secret, id: 'e2e-1', action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '1', timenow: new Date().toISOString() });
    expect(sent.status, sent.body).toBe(202);
    const row = page.locator('tr[data-symbol="BTC/USDT"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.innerText()).toContain('0.02');
    await page.locator('section[aria-labelledby="fills-h"] tr[data-trade]').first().waitFor();
    await page.locator('tr[data-signal]', { hasText: 'accepted' }).first().waitFor();
    // TradingView sends it again: the signal log says so, and nothing trades again
    const repeat = await curlAlert(webhookUrl, { secret: alert.secret, id: 'e2e-1', action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '1', timenow: new Date().toISOString() });
    expect(repeat.status, repeat.body).toBe(200);
    await page.locator('tr[data-signal]', { hasText: 'duplicate ×1' }).waitFor();
    expect(await row.innerText()).toContain('0.02');
    // unrealised PnL follows the mark price live
    const before = await row.locator('td.upnl').innerText();
    runtime.feed.setPrice('BTC/USDT', '98000');
    await expect.poll(async () => row.locator('td.upnl').innerText(), { timeout: 10_000 }).not.toBe(before);
    await runtime.snapshotNow();
    // the headline PnL is after fees (issue 20): realised + unrealised - fees of the account's positions, as the API has them
    type Positions = { items: { accountId: string; realizedPnl: string; unrealizedPnl?: string; feesPaid: string }[] };
    const positions = (await fetchJson<Positions>(runtime, '/api/v1/positions')).body;
    const demoAccount = runtime.demo!.accountId;
    const card = page.locator(`.stat[data-account="${demoAccount}"]`);
    await expect.poll(async () => {
      const fresh = (await fetchJson<Positions>(runtime, '/api/v1/positions')).body;
      const mine = fresh.items.filter((p) => p.accountId === demoAccount);
      const expected = mine.reduce((sum, p) => sum.plus(p.realizedPnl).plus(p.unrealizedPnl ?? '0').minus(p.feesPaid), new Dec(0));
      const shown = await card.locator('[data-net-pnl]').getAttribute('data-net-pnl');
      return shown !== null && new Dec(shown).equals(expected);
    }, { timeout: 10_000 }).toBe(true);
    expect(positions.items.some((p) => new Dec(p.feesPaid).greaterThan(0))).toBe(true);
    expect(await card.innerText()).toMatch(/PnL after fees/);
    // one time format everywhere (issue 20): UTC to the second, the API's instant
    type Fills = { items: { tradeId: string; filledAt: string }[] };
    const fill = (await fetchJson<Fills>(runtime, '/api/v1/fills?limit=1')).body.items[0]!;
    const shownAt = await page.locator(`tr[data-trade="${fill.tradeId}"] td`).first().innerText();
    expect(shownAt).toBe(`${fill.filledAt.slice(0, 19).replace('T', ' ')} UTC`);
    // at desktop widths the overview's tables fit their cards whole: nothing to scroll, the fee column shown (issue 20)
    for (const width of [1280, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      const cut = await page.evaluate(`[...document.querySelectorAll('main .table-wrap')].filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => w.getAttribute('aria-label'))`);
      expect(cut, `tables cut at ${width} px`).toEqual([]);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    // the equity curve is drawn against its first snapshot, in the quote asset or as % change (issue 20)
    await page.locator('#equity-scale').selectOption('percent');
    await expect.poll(async () => page.locator('section[aria-labelledby="equity-h"] p.muted').innerText(), { timeout: 10_000 }).toMatch(/ UTC; [+−]?[\d,.]+ \([+−]?\d+\.\d{3} %\) since the first/);
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });

    // the trace of the alert opens in a dialog; Escape closes it and focus returns to its button
    const traceButton = page.locator('tr[data-signal]').first().getByRole('button', { name: 'Trace' });
    await traceButton.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('OrderFilled').first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'trace.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await traceButton.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement)).toBe(true);

    // the global kill switch, with its confirmation, shown everywhere; the next alert is rejected
    await page.locator('#global-kill').click();
    await page.getByRole('dialog').getByText('Engage the kill switch?').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'kill-switch-confirm.png') });
    await page.getByRole('button', { name: 'Engage kill switch' }).click();
    await page.locator('#killed', { hasText: 'Global kill switch engaged' }).waitFor();
    const rejected = await curlAlert(webhookUrl, { secret: alert.secret, id: 'e2e-2', action: 'buy', ticker: 'BINANCE:BTCUSDT', quantity: '1', timenow: new Date().toISOString() });
    expect(rejected.status).toBe(202);
    const rejectedRow = page.locator('tr[data-signal]', { hasText: 'KILL_SWITCH' }).first();
    await rejectedRow.waitFor({ timeout: 15_000 });
    expect(await rejectedRow.innerText()).toContain('rejected');
    await page.screenshot({ path: join(ARTIFACTS, 'overview-kill-switch.png'), fullPage: true });

    // accounts: add a paper account; connection states and kill switches listed
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('heading', { name: 'Add an account' }).waitFor();
    await page.getByLabel('Name').fill('Second paper');
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.locator('tr[data-account]', { hasText: 'Second paper' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'accounts.png'), fullPage: true });

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('works on a phone-sized screen, keyboard first, without console errors', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${server.runtime.url}/app/`);
    await page.getByLabel('Username').waitFor();
    // keyboard only: the username field has focus; Tab to the password; Enter submits
    await page.keyboard.type('demo');
    await page.keyboard.press('Tab');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('tr[data-symbol="BTC/USDT"]').waitFor();
    const overflow = await page.evaluate(horizontalOverflow);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-overview.png'), fullPage: true });
    await page.getByRole('link', { name: 'Strategies' }).click();
    await page.getByRole('heading', { name: 'New strategy' }).waitFor();
    expect(await page.evaluate(horizontalOverflow)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-strategies.png'), fullPage: true });
    // every input of every page has a name a screen reader reads (issue 20)
    for (const [link, heading] of [['Overview', 'Overview'], ['Accounts', 'Accounts'], ['Strategies', 'New strategy'], ['Webhooks', 'Webhooks'], ['Analytics', 'Analytics']] as const) {
      await page.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: heading }).first().waitFor();
      // (a string: the page's DOM types are not the test's)
      const unnamed = (await page.evaluate(`[...document.querySelectorAll('main input, main select, main textarea')]
        .filter((el) => el.type !== 'hidden')
        .filter((el) => el.labels?.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map((el) => el.outerHTML.slice(0, 120))`)) as string[];
      expect(unnamed, link).toEqual([]);
    }
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('says so when the live connection is lost, and recovers by itself when the server is back (no reload)', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await logIn(page);
    const banner = page.locator('#banner');
    const rows = page.locator('tr[data-signal]');
    await rows.first().waitFor();
    expect(await banner.isHidden()).toBe(true);

    // the server goes away (a restart): the banner says the page may be out of date
    const { dataDir } = server;
    const port = Number(new URL(server.runtime.url).port);
    await server.close();
    await expect.poll(async () => banner.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await banner.innerText()).toMatch(/lost/i);
    await page.screenshot({ path: join(ARTIFACTS, 'connection-lost.png') });

    // it comes back on the same address and data: the page reconnects, the banner goes, updates flow again
    server = await startTestServer({ dataDir, config: { port } });
    await expect.poll(async () => banner.isHidden(), { timeout: 20_000 }).toBe(true);
    const before = await rows.count();
    expect((await postAlert(server.runtime, marketAlert(server.runtime.demo!.secret, { id: 'after-the-restart' }))).status).toBe(202);
    await expect.poll(async () => rows.count(), { timeout: 15_000 }).toBeGreaterThan(before);
    await context.close();
  }, 90_000);
});
