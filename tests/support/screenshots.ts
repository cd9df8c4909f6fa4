/**
 * Screenshots taken by the browser tests. They go to an ignored folder, so `npm test` never changes a
 * tracked file; `npm run docs:screenshots` runs the same tests with the README's folder (docs/) instead.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/main/backend.js';

export const SCREENSHOT_DIR = resolve(process.env.EMOTUNE_SCREENSHOTS_DIR ?? join(PROJECT_ROOT, 'tests', '.tmp', 'screenshots'));

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, name) });
}
