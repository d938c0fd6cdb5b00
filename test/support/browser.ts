import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, driven by playwright-core (never a downloaded browser). */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium; the browser suite may not be skipped in CI`);

/** Where the browser specs put their screenshots. */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

const run = promisify(execFile);

/** Builds the dashboard from the current source (the page under test), then launches chromium headless. */
export async function launchDashboardBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await run(process.execPath, ['web/build.mjs']);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Opens the dashboard at `baseUrl` and logs in as the demo user, until the overview shows. */
export async function logInAsDemo(page: Page, baseUrl: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Username').fill('demo');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 30_000 });
}
