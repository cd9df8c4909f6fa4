/**
 * Browser mode end to end: Chromium with a fake webcam playing a real face photo; the page
 * must draw a box over the face, and say "No face" for a frame without one.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';
import { NO_FACE, SMILING_TILTED, iou, scaleBox, writeShotPng, type WebcamShot } from '../fixtures/facePhotos.js';
import { launchChromium } from '../support/chromium.js';
import { stillToY4m } from '../support/fakeWebcam.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { screenshot } from '../support/screenshots.js';

const TMP = join(PROJECT_ROOT, 'tests', '.tmp');
const FRAME_WIDTH = 640;

async function fakeVideo(shot: WebcamShot): Promise<string> {
  mkdirSync(TMP, { recursive: true });
  const png = join(TMP, `${shot.name}.png`);
  const y4m = join(TMP, `${shot.name}.y4m`);
  await writeShotPng(shot, png, FRAME_WIDTH);
  await stillToY4m(png, y4m);
  return y4m;
}

let app: RunningApp;

beforeAll(async () => {
  app = await startWebApp();
});

afterAll(async () => {
  await app?.close();
});

describe('with a face in front of the camera', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium({ fakeVideo: await fakeVideo(SMILING_TILTED) });
    page = await browser.newPage({ viewport: { width: 900, height: 760 } });
    await page.goto(app.url);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the camera indicator, and the detector in use under About', async () => {
    await expect.poll(() => page.getByTestId('camera-indicator').isVisible(), { timeout: 15_000 }).toBe(true);
    await page.getByTestId('nav-about').click();
    await expect.poll(() => page.getByTestId('app-info').textContent()).toMatch(/blazeface-front-128 → blazeface-back-256 on cpu/);
    await page.getByTestId('nav-songs').click();
  });

  it('draws a box that covers the face', async () => {
    const box = page.getByTestId('face-box').first();
    await box.waitFor({ state: 'attached', timeout: 30_000 });
    const drawn = await box.boundingBox();
    const video = await page.getByTestId('camera-video').boundingBox();
    expect(drawn && video).toBeTruthy();
    // The preview is mirrored, so the face appears at the mirrored x.
    const k = video!.width / FRAME_WIDTH;
    const face = scaleBox(SMILING_TILTED.face, (FRAME_WIDTH / SMILING_TILTED.crop.width) * k);
    const expected = { x: video!.x + video!.width - face.x - face.width, y: video!.y + face.y, width: face.width, height: face.height };
    expect(iou(drawn!, expected)).toBeGreaterThan(0.5);
    const cx = drawn!.x + drawn!.width / 2;
    const cy = drawn!.y + drawn!.height / 2;
    expect(cx).toBeGreaterThan(expected.x);
    expect(cx).toBeLessThan(expected.x + expected.width);
    expect(cy).toBeGreaterThan(expected.y);
    expect(cy).toBeLessThan(expected.y + expected.height);
    await expect.poll(() => page.getByTestId('vision-status').textContent()).toMatch(/1 face/);
    await screenshot(page, 'screenshot-browser-mode.png');
  });

  it('keeps reading the face with the preview hidden', async () => {
    const sent = () => page.evaluate(() => performance.getEntriesByName('emotune:frame-send').length);
    await page.getByTestId('toggle-preview').click();
    expect(await page.getByTestId('face-box').count()).toBe(0);
    const before = await sent();
    await expect.poll(sent, { timeout: 10_000 }).toBeGreaterThan(before + 3);
    expect(await page.getByTestId('vision-status').textContent()).toMatch(/1 face/);
    expect(await page.getByTestId('camera-indicator').isVisible()).toBe(true);
    await page.getByTestId('toggle-preview').click();
    await page.getByTestId('face-box').first().waitFor({ state: 'attached', timeout: 30_000 });
  });

  it('stops taking frames when the camera is switched off', async () => {
    await page.getByTestId('camera-toggle').click();
    await expect.poll(() => page.getByTestId('camera-state').getAttribute('data-status')).toBe('off');
    expect(await page.getByTestId('camera-indicator').count()).toBe(0);
    await page.getByTestId('camera-toggle').click();
    await page.getByTestId('face-box').first().waitFor({ state: 'attached', timeout: 30_000 });
  });
});

describe('with no face in front of the camera', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium({ fakeVideo: await fakeVideo(NO_FACE) });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('says "No face" and draws no box, and never says how you look beside it', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.getByTestId('no-face').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('face-box').count()).toBe(0);
    expect(await page.getByTestId('stable-expression').textContent()).toMatch(/No face in view/);
    expect(await page.getByTestId('stable-expression').textContent()).not.toMatch(/You look/);
  });
});

describe('with the camera permission denied', () => {
  it('shows why there is no preview instead of a blank', async () => {
    const browser = await launchChromium({ denyCamera: true });
    try {
      const page = await browser.newPage();
      await page.goto(app.url);
      const state = page.getByTestId('camera-state');
      await expect.poll(() => state.getAttribute('data-status')).toBe('denied');
      expect(await state.textContent()).toMatch(/Camera access was denied/);
    } finally {
      await browser.close();
    }
  });
});

describe('with no camera on the machine', () => {
  it('says that no camera was found', async () => {
    const browser = await launchChromium({ noCamera: true });
    try {
      const page = await browser.newPage();
      await page.goto(app.url);
      const state = page.getByTestId('camera-state');
      await expect.poll(() => state.getAttribute('data-status')).toBe('absent');
      expect(await state.textContent()).toMatch(/No camera was found/);
      expect(await page.getByTestId('camera-indicator').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
