/**
 * The camera rests while the window is hidden: no frame is read, the card says why, and frames
 * come again when the window is back; with "Keep watching while Emotune is in the background" on
 * (kept across a reload) they go on while hidden. Headless Chromium never hides a page by itself,
 * so the test makes the page read its visibility as hidden and tells it, as a minimised window does.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';
import { SMILING_TILTED, writeShotPng } from '../fixtures/facePhotos.js';
import { launchChromium } from '../support/chromium.js';
import { stillToY4m } from '../support/fakeWebcam.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { gotoView } from './appHelpers.js';

const TMP = join(PROJECT_ROOT, 'tests', '.tmp');

let app: RunningApp;
let browser: Browser;
let page: Page;

const framesSent = () => page.evaluate(() => performance.getEntriesByName('emotune:frame-send').length);

const setVisibility = (state: 'hidden' | 'visible') =>
  page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);

beforeAll(async () => {
  mkdirSync(TMP, { recursive: true });
  const png = join(TMP, 'rest-face.png');
  await writeShotPng(SMILING_TILTED, png, 640);
  const y4m = join(TMP, 'rest-face.y4m');
  await stillToY4m(png, y4m);
  app = await startWebApp();
  browser = await launchChromium({ fakeVideo: y4m });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(app.url);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the camera in the background', () => {
  it('reads no frame while the window is hidden, says so, and reads again when it is back', async () => {
    await expect.poll(() => page.getByTestId('stable-expression').getAttribute('data-state'), { timeout: 30_000 }).toBe('happiness');
    await setVisibility('hidden');
    await page.getByTestId('camera-resting').waitFor();
    expect(await page.getByTestId('stable-expression').textContent()).toMatch(/Camera resting/);
    const sent = await framesSent();
    await page.waitForTimeout(2000);
    expect(await framesSent()).toBe(sent);

    await setVisibility('visible');
    await expect.poll(framesSent, { timeout: 5000 }).toBeGreaterThan(sent);
    expect(await page.getByTestId('camera-resting').count()).toBe(0);
    await expect.poll(() => page.getByTestId('stable-expression').getAttribute('data-state'), { timeout: 30_000 }).toBe('happiness');
  });

  it('goes on reading while hidden when the listener asked for it, and keeps that choice', async () => {
    await gotoView(page, 'settings');
    const setting = page.getByTestId('setting-watch-in-background');
    expect(await setting.isChecked()).toBe(false);
    await setting.check();
    await page.reload();
    await gotoView(page, 'settings');
    expect(await page.getByTestId('setting-watch-in-background').isChecked()).toBe(true);
    await expect.poll(framesSent, { timeout: 30_000 }).toBeGreaterThan(0);

    await setVisibility('hidden');
    const sent = await framesSent();
    await expect.poll(framesSent, { timeout: 5000 }).toBeGreaterThan(sent);
    expect(await page.getByTestId('camera-resting').count()).toBe(0);
  });
});
