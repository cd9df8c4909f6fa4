/**
 * A long library in the Songs list (3,000 generated tracks): only the rows on screen and a screenful
 * below them are in the page, never the whole list, and the keyboard reaches its end and comes back.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGeneratedTracks } from '../../src/tools/bench/generatedTracks.js';
import { visibleRows } from './appHelpers.js';
import { launchChromium } from '../support/chromium.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';

const TRACKS = 3_000;
let app: RunningApp;
let browser: Browser;
let page: Page;

const rowsInPage = () => page.getByTestId('track-row').count();

beforeAll(async () => {
  // No folder watching: the generated tracks have no files behind them.
  app = await startWebApp({ watchFolders: false });
  addGeneratedTracks(app.backend.library.store, TRACKS);
  browser = await launchChromium({ noCamera: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(app.url);
  await page.getByTestId('track-row').first().waitFor({ timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('a long list', () => {
  it('has the rows on screen and, once they are drawn, a screenful below for scrolling', async () => {
    expect(await page.getByTestId('track-table').getAttribute('aria-rowcount')).toBe(String(TRACKS + 1));
    const onScreen = await visibleRows(page);
    expect(onScreen).toBeGreaterThan(5);
    // The screenful below comes after the first rows are painted.
    await expect.poll(async () => (await rowsInPage()) - onScreen).toBeGreaterThanOrEqual(5);
    expect(await rowsInPage()).toBeLessThan(onScreen * 3);
  });

  it('goes to the last track with End and back to the first with Home', async () => {
    await page.getByTestId('track-table').focus();
    await page.keyboard.press('End');
    const last = page.locator(`[data-testid="track-row"][aria-rowindex="${TRACKS + 1}"]`);
    await expect.poll(() => last.getAttribute('data-track-id')).toMatch(/^\d+$/);
    expect(await rowsInPage()).toBeLessThan(100);
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('[data-testid="track-row"][aria-rowindex="2"]').count()).toBe(1);
  });
});
