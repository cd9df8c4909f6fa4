/**
 * The window as a music player's: sidebar, list, now-playing bar, at four sizes from 800x600 to 4K,
 * with no sideways scrolling anywhere and, at 1280x800, a screenful of songs.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { screenshot } from '../support/screenshots.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { MAIN_VIEWS, gotoView, pageOverflow, visibleRows } from './appHelpers.js';

let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startWebApp({ demoLibrary: true });
  await app.backend.library.idle();
  browser = await launchChromium({ noCamera: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(app.url);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="track-row"]').length === 12, null, { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const SIZES = [
  [800, 600],
  [1280, 800],
  [1920, 1080],
  [3840, 2160],
] as const;

describe('the layout', () => {
  for (const [width, height] of SIZES) {
    it(`has no horizontal scrollbar at ${width}x${height}, in any view`, async () => {
      await page.setViewportSize({ width, height });
      for (const view of MAIN_VIEWS) {
        await gotoView(page, view);
        const { scrollWidth, innerWidth } = await pageOverflow(page);
        expect(scrollWidth, `${view} at ${width}x${height}`).toBeLessThanOrEqual(innerWidth);
      }
      await gotoView(page, 'songs');
      await expect.poll(() => page.getByTestId('track-row').count()).toBe(12);
      expect((await pageOverflow(page)).scrollWidth).toBeLessThanOrEqual(width);
      // The bar, the list and the sidebar are all on screen.
      for (const id of ['player', 'track-table', 'nav-songs']) {
        const box = await page.getByTestId(id).boundingBox();
        expect(box, id).not.toBeNull();
        expect(box!.x + box!.width).toBeLessThanOrEqual(width + 1);
        expect(box!.y + box!.height).toBeLessThanOrEqual(height + 1);
      }
      await screenshot(page, `layout-${width}x${height}.png`);
    });
  }

  it('shows at least 12 songs at once at 1280x800', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await gotoView(page, 'songs');
    await expect.poll(() => visibleRows(page)).toBeGreaterThanOrEqual(12);
  });

  it('draws the session timeline and the history at the same text size whatever the width', async () => {
    const sizes: number[] = [];
    for (const [width, height] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await gotoView(page, 'session');
      sizes.push(
        await page.evaluate(() =>
          parseFloat(getComputedStyle(document.querySelector('[data-testid="session-timeline"] .label')!).fontSize),
        ),
      );
    }
    expect(sizes[0]).toBe(sizes[1]);
    expect(sizes[0]).toBeGreaterThanOrEqual(11);
  });

  it('folds the expression card and hides the preview while the camera card keeps its place', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('toggle-card').click();
    expect(await page.getByTestId('toggle-card').getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByTestId('probability-bars').count()).toBe(0);
    await page.getByTestId('toggle-card').click();
    expect(await page.getByTestId('toggle-card').getAttribute('aria-expanded')).toBe('true');
  });
});
