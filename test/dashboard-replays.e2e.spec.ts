/**
 * The Replays page in a real browser (Debian's chromium through playwright-core) at 390, 1280 and
 * 1920 px (ADR-0025): upload an alert history and its candles, read the report — metrics, round
 * trips, refused alerts with their codes — and the list of reports. No table sticks out of its
 * card (it fits or scrolls inside it, visibly: a keyboard-reachable region), the page never scrolls
 * sideways, and a refused file shows its code and line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, chromiumAvailable, launchDashboardBrowser, logInAsDemo } from './support/browser.js';
import { cleanupTempDirs, DEMO_PASSWORD, fetchJson, startTestServer, type TestServer } from './support/server.js';
import { fixtureAlerts, fixtureCandles } from '../src/bootstrap/replay/test-support/replay-fixture.js';

let server: TestServer;
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'patriot-replay-page-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const alerts = file('alerts.json', fixtureAlerts(40));
const prices = file('prices.csv', fixtureCandles(30));
const badAlerts = file('bad.csv', 'time,message\n2024-01-01T00:00:00Z,x\nnot a time,x\n');

/** Runs in the page: every table region that sticks out of its card, how far the page scrolls sideways, and whether the wide tables scroll. */
const LAYOUT = `(() => {
  const out = [];
  const scrollers = [];
  for (const el of document.querySelectorAll('.card .table-wrap')) {
    const card = el.closest('.card').getBoundingClientRect();
    const box = el.getBoundingClientRect();
    if (box.right > card.right + 0.5 || box.left < card.left - 0.5) out.push(el.getAttribute('aria-label') + ': ' + box.left + '..' + box.right + ' in ' + card.left + '..' + card.right);
    if (el.scrollWidth > el.clientWidth) scrollers.push({ label: el.getAttribute('aria-label'), overflowX: getComputedStyle(el).overflowX, tabindex: el.getAttribute('tabindex') });
  }
  return { sticking: out, pageOverflow: document.documentElement.scrollWidth - innerWidth, scrollers };
})()`;

async function openReplays(page: Page): Promise<void> {
  await logInAsDemo(page, server.runtime.url, DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Replays' }).click();
  await page.getByRole('heading', { name: 'Replays' }).waitFor();
}

describe.skipIf(!chromiumAvailable)('the Replays page in Chromium', () => {
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchDashboardBrowser(); // built from the current source
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    cleanupTempDirs();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const width of [390, 1280, 1920]) {
    it(`at ${width} px: uploads a history, shows its report, and no table sticks out of its card`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('422')) problems.push(m.text()); });
      await openReplays(page);
      await page.getByLabel(/Alert history/).setInputFiles(alerts);
      await page.getByLabel(/Candles/).setInputFiles(prices);
      await page.getByLabel('Name').fill(`fixture at ${width}`);
      await page.getByRole('button', { name: 'Replay' }).click();
      await page.getByRole('heading', { name: `fixture at ${width}` }).waitFor({ timeout: 60_000 });

      const list = (await fetchJson<{ items: { replayId: string; name: string }[] }>(server.runtime, '/api/v1/replays')).body.items;
      const mine = list.find((r) => r.name === `fixture at ${width}`)!;
      const report = (await fetchJson<{ report: { roundTrips: unknown[]; refused: { line: number; code: string }[] } }>(server.runtime, `/api/v1/replays/${mine.replayId}`)).body.report;
      expect(await page.locator('tr[data-trip]').count()).toBe(report.roundTrips.length);
      expect(await page.locator('tr[data-refusal] code').allTextContents()).toEqual(report.refused.map((r) => r.code));
      await page.locator(`tr[data-replay="${mine.replayId}"]`).waitFor();

      await page.screenshot({ path: join(ARTIFACTS, `replays-${width}.png`), fullPage: true });
      const layout = await page.evaluate(LAYOUT) as { sticking: string[]; pageOverflow: number; scrollers: { label: string; overflowX: string; tabindex: string }[] };
      expect(layout.sticking).toEqual([]);
      expect(layout.pageOverflow).toBeLessThanOrEqual(0);
      // a table wider than the phone scrolls inside its card, and says so
      for (const s of layout.scrollers) expect(s, s.label).toMatchObject({ overflowX: 'auto', tabindex: '0' });
      if (width === 390) expect(layout.scrollers.length).toBeGreaterThan(0);

      if (width === 1280) {
        await page.getByLabel(/Alert history/).setInputFiles(badAlerts);
        await page.getByRole('button', { name: 'Replay' }).click();
        await page.getByText(/Refused: .*line 3.*REPLAY_BAD_TIME/).waitFor();
      }
      expect(problems).toEqual([]);
      await context.close();
    }, 180_000);
  }
});
