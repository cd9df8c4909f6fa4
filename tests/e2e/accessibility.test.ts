/** Every main view passes axe-core without serious or critical findings, and the app works from the keyboard. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { MAIN_VIEWS, audioState, gotoView, seriousViolations, trackIdOf } from './appHelpers.js';

let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startWebApp({ demoLibrary: true });
  await app.backend.library.idle();
  browser = await launchChromium({ noCamera: true });
  // axe is injected as a script of the page: past the app's Content-Security-Policy, for the test only.
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  await page.goto(app.url);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="track-row"]').length === 12, null, { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('accessibility', () => {
  for (const view of MAIN_VIEWS) {
    it(`has no serious or critical axe findings in ${view}`, async () => {
      await gotoView(page, view);
      await page.waitForTimeout(300);
      expect(await seriousViolations(page)).toEqual([]);
    });
  }

  it('has none with a song selected, the queue open and a dialog asking', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await gotoView(page, 'songs');
    await page.getByTestId('track-row').first().click();
    await page.getByTestId('toggle-queue').click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByTestId('toggle-queue').click();
    await gotoView(page, 'settings');
    await page.getByTestId('remove-folder').first().click();
    await page.getByTestId('remove-folder-dialog').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('gives every icon button a name and a tooltip', async () => {
    await gotoView(page, 'songs');
    const unnamed = await page.evaluate(
      () =>
        [...document.querySelectorAll('button.icon-button')].filter((b) => !b.getAttribute('aria-label') || !b.getAttribute('data-tip'))
          .length,
    );
    expect(unnamed).toBe(0);
    await page.getByTestId('next').hover();
    await expect.poll(() => page.getByTestId('tooltip').textContent()).toBe('Next');
    await page.getByTestId('next').focus();
    await expect.poll(() => page.getByTestId('tooltip').textContent()).toBe('Next');
  });

  it('plays, selects and moves through the list from the keyboard alone', async () => {
    await gotoView(page, 'songs');
    await page.getByTestId('track-table').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => page.locator('[data-testid="track-row"][aria-selected="true"]').count()).toBe(2);
    await page.keyboard.press('Control+a');
    await expect.poll(() => page.getByTestId('bulk-bar').textContent()).toMatch(/12 songs selected/);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('bulk-bar').count()).toBe(0);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const last = Number(await page.getByTestId('track-row').last().getAttribute('data-track-id'));
    await expect.poll(async () => trackIdOf(await audioState(page))).toBe(last);
    // Tab leaves the list for the controls after it; the sidebar's links take the keyboard too.
    await page.getByTestId('nav-settings').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#/settings');
  });

  it('traps the focus in a dialog and closes it with Escape', async () => {
    await gotoView(page, 'settings');
    await page.getByTestId('remove-folder').first().click();
    const dialog = page.getByTestId('remove-folder-dialog');
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('dialog-cancel');
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(app.backend.library.listFolders()).toHaveLength(1);
  });
});
