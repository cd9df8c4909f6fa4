/**
 * Calibration to the listener in browser mode, with fake webcams of a real photo: the expression
 * card offers the guided step once, the step runs and the calibration shows in Settings and in
 * "What the camera sees" (with the face crop drawn), "Not …" on the stable expression goes into it;
 * then, from a second window whose camera shows no face, a pose fails saying so and the calibration
 * stays as it was; and one button there deletes it, on disk too.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';
import { CALIBRATION_FILE } from '../../src/main/vision/listenerCalibration.js';
import { NO_FACE, SMILING_TILTED, writeShotPng, type WebcamShot } from '../fixtures/facePhotos.js';
import { launchChromium } from '../support/chromium.js';
import { stillToY4m } from '../support/fakeWebcam.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { gotoView, seriousViolations } from './appHelpers.js';

const TMP = join(PROJECT_ROOT, 'tests', '.tmp');
/** Wide enough for the expression card in the right-hand panel. */
const VIEWPORT = { width: 1400, height: 900 };

async function fakeVideo(shot: WebcamShot): Promise<string> {
  mkdirSync(TMP, { recursive: true });
  const png = join(TMP, `calibration-${shot.name}.png`);
  const y4m = join(TMP, `calibration-${shot.name}.y4m`);
  await writeShotPng(shot, png, 640);
  await stillToY4m(png, y4m);
  return y4m;
}

async function openApp(browser: Browser): Promise<Page> {
  // axe is injected as a script of the page: past the app's Content-Security-Policy, for the test only.
  const page = await browser.newPage({ viewport: VIEWPORT, bypassCSP: true });
  await page.goto(app.url);
  await page.getByTestId('camera-indicator').waitFor({ timeout: 20_000 });
  return page;
}

const guideStep = (page: Page) => page.getByTestId('calibration-guide').getAttribute('data-step');

let app: RunningApp;
let calibrationPath: string;
let faceVideo: string;
let emptyVideo: string;

beforeAll(async () => {
  faceVideo = await fakeVideo(SMILING_TILTED);
  emptyVideo = await fakeVideo(NO_FACE);
  app = await startWebApp();
  calibrationPath = join(app.backend.library.dataDir, CALIBRATION_FILE);
});

afterAll(async () => {
  await app?.close();
});

describe('calibration with a face in front of the camera', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium({ fakeVideo: faceVideo });
    page = await openApp(browser);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('is offered once by the expression card, and runs the guided step', async () => {
    await expect.poll(() => page.getByTestId('stable-expression').getAttribute('data-state'), { timeout: 30_000 }).not.toBe('no-face');
    await page.getByTestId('calibration-offer-start').click();
    await expect.poll(() => guideStep(page)).toBe('intro');
    expect(await seriousViolations(page)).toEqual([]);
    // Keyboard only: the focus is on Start, inside the modal dialog.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('calibration-start');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('calibration-prompt').textContent(), { timeout: 10_000 }).toMatch(/Look relaxed… \d s/);
    await expect.poll(() => page.getByTestId('calibration-prompt').textContent(), { timeout: 15_000 }).toMatch(/Smile… \d s/);
    await page.screenshot({ path: join(TMP, 'calibration-guide.png') });
    await expect.poll(() => guideStep(page), { timeout: 20_000 }).toBe('done');
    expect(await page.getByTestId('calibration-done').textContent()).toMatch(/Done: Emotune now reads your face with your calibration/);
    await page.getByTestId('calibration-close').click();
    await expect.poll(() => guideStep(page)).toBe('closed');
    // Asked once: the offer is gone.
    expect(await page.getByTestId('calibration-offer').count()).toBe(0);
    expect(existsSync(calibrationPath)).toBe(true);
    expect(app.backend.vision.calibrationStatus()).toMatchObject({ active: true, poses: [{ pose: 'neutral' }, { pose: 'happiness' }] });
  });

  it('shows the calibration in Settings', async () => {
    await gotoView(page, 'settings');
    const settings = page.getByTestId('calibration-settings');
    await expect.poll(() => settings.getByTestId('calibration-state').textContent()).toMatch(/In use/);
    expect(await settings.locator('[data-pose]').evaluateAll((items) => items.map((i) => i.getAttribute('data-pose')))).toEqual([
      'neutral',
      'happiness',
    ]);
    expect(await settings.getByTestId('calibration-offsets').textContent()).toMatch(/reads you as|Nothing: the model already read/);
    expect(await settings.getByTestId('calibrate-open').textContent()).toMatch(/Calibrate again/);
    await settings.screenshot({ path: join(TMP, 'calibration-settings.png') });
  });

  it('takes "Not …" on the stable expression into the calibration', async () => {
    const button = page.getByTestId('correct-expression');
    await button.waitFor({ timeout: 20_000 });
    const expression = await button.getAttribute('data-expression');
    await button.click();
    await expect.poll(() => page.getByTestId('correction-answer').textContent()).toMatch(/Thanks: Emotune will be slower to read you as/);
    await expect.poll(() => app.backend.vision.calibrationStatus().corrections.map((c) => c.not)).toEqual([expression]);
  });

  it('shows the face the model receives, drawn, and the calibration kept, under "What the camera sees"', async () => {
    await gotoView(page, 'privacy');
    const canvas = page.getByTestId('face-crop');
    await expect.poll(() => canvas.getAttribute('data-drawn-at'), { timeout: 10_000 }).not.toBeNull();
    expect(await canvas.getAttribute('data-size')).toBe('64x64');
    // A face, not a blank: the grey levels spread widely.
    const spread = await canvas.evaluate((c: HTMLCanvasElement) => {
      const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      const grey = Array.from({ length: data.length / 4 }, (_, i) => data[4 * i]!);
      const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
      return Math.sqrt(grey.reduce((a, b) => a + (b - mean) ** 2, 0) / grey.length);
    });
    expect(spread).toBeGreaterThan(20);
    const kept = page.locator('.view-page').getByTestId('calibration-summary');
    expect(await kept.locator('[data-pose]').count()).toBe(2);
    expect(await kept.locator('[data-correction]').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(TMP, 'calibration-privacy-view.png'), fullPage: true });
    // Leaving the view stops the crop: the backend drops it soon after the last request.
    await gotoView(page, 'settings');
  });
});

describe('calibration with no face in front of the camera', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium({ fakeVideo: emptyVideo });
    page = await openApp(browser);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('says so, and keeps the calibration there was', async () => {
    const before = app.backend.vision.calibrationStatus();
    expect(before.poses).toHaveLength(2);
    await gotoView(page, 'settings');
    await page.getByTestId('calibrate-open').click();
    await expect.poll(() => guideStep(page)).toBe('intro');
    await page.getByTestId('calibration-start').click();
    await expect.poll(() => guideStep(page), { timeout: 20_000 }).toBe('failed');
    const message = await page.getByTestId('calibration-failed').textContent();
    expect(message).toMatch(/No face was seen while you were asked to look relaxed/);
    expect(message).toMatch(/Your calibration is as it was before/);
    await page.getByTestId('calibration-skip').click();
    await expect.poll(() => guideStep(page)).toBe('closed');
    expect(app.backend.vision.calibrationStatus()).toEqual(before);
    await expect.poll(() => page.getByTestId('calibration-settings').locator('[data-pose]').count()).toBe(2);
  });

  it('deletes the calibration with one button, on disk too', async () => {
    await gotoView(page, 'privacy');
    await expect.poll(() => page.getByTestId('face-crop-none').textContent(), { timeout: 10_000 }).toMatch(/No face in view/);
    await page.getByTestId('privacy-delete').click();
    await expect.poll(() => page.getByTestId('privacy-deleted').isVisible()).toBe(true);
    expect(await page.getByTestId('calibration-none').isVisible()).toBe(true);
    expect(app.backend.vision.calibrationStatus()).toMatchObject({ active: false, poses: [], corrections: [] });
    expect(existsSync(calibrationPath)).toBe(false);
    await gotoView(page, 'settings');
    await expect.poll(() => page.getByTestId('calibration-settings').getByTestId('calibration-none').isVisible()).toBe(true);
    expect(await page.getByTestId('calibration-forget').isDisabled()).toBe(true);
  });
});
