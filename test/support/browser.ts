// The console as officials use it: a real Chromium (playwright-core, Debian's browser) against the
// real stack, one browser context per demo user, signed in through the login page.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import type { E2E } from './e2e-harness.js';

/** Where screenshots of the main pages go (git-ignored; CI keeps them as artifacts). */
export const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

export interface Console {
  browser: Browser;
  /** What any page threw or logged as an error; a test expects none. */
  errors: string[];
  /** A page signed in as `username` (its own context: its own localStorage, like its own phone). */
  as(username: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png. */
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openConsole(e2e: E2E): Promise<Console> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH, args: ['--no-sandbox'] });
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    browser,
    errors,
    async as(username, viewport = DESKTOP) {
      // A browser far from Shanghai: the console must still show Asia/Shanghai times.
      const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Europe/Berlin' });
      contexts.push(context);
      const page = await context.newPage();
      // Anything a page throws is collected, so a test fails on it rather than it passing unseen.
      page.on('pageerror', (err) => errors.push(`${username}: ${err.stack ?? err.message}`));
      await page.goto(e2e.url);
      await page.locator(`button[data-username="${username}"]`).click();
      await page.getByTestId('signed-in').waitFor();
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async close() {
      for (const c of contexts) await c.close();
      await browser.close();
    },
  };
}
