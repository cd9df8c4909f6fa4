/**
 * The server goes away while a track plays. The page stays calm: a "Reconnecting…" banner, no
 * track marked as unplayable, Next does not grow the queue or spin, the camera card says it is
 * paused and no frame is sent; when a server comes back on the same backend, the banner goes and
 * the music goes on.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';
import { startWebServer, type WebServer } from '../../src/main/web/webServer.js';
import { SMILING_TILTED, writeShotPng } from '../fixtures/facePhotos.js';
import { launchChromium } from '../support/chromium.js';
import { stillToY4m } from '../support/fakeWebcam.js';
import { screenshot } from '../support/screenshots.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { audioState, trackIdOf } from './appHelpers.js';

const TMP = join(PROJECT_ROOT, 'tests', '.tmp');

let app: RunningApp;
let again: WebServer | undefined;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(TMP, { recursive: true });
  const png = join(TMP, 'outage-face.png');
  await writeShotPng(SMILING_TILTED, png, 640);
  const y4m = join(TMP, 'outage-face.y4m');
  await stillToY4m(png, y4m);
  app = await startWebApp({ demoLibrary: true });
  await app.backend.library.idle();
  browser = await launchChromium({ fakeVideo: y4m });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(app.url);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="track-row"]').length === 12, null, { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await again?.close();
  await app?.close();
});

const unplayable = () => app.backend.library.listTracks({}).filter((t) => t.error !== null);
const framesSent = () => page.evaluate(() => performance.getEntriesByName('emotune:frame-send').length);

describe('when the server goes away', () => {
  let queueLength: number;
  let current: number;

  it('shows a banner, marks nothing unplayable, and Next neither grows the queue nor races on', async () => {
    await page.getByTestId('track-row').first().getByTestId('play-track').click();
    await expect.poll(async () => (await audioState(page))?.time ?? 0, { timeout: 20_000 }).toBeGreaterThan(0.5);
    await expect.poll(() => page.getByTestId('vision-status').textContent(), { timeout: 30_000 }).toMatch(/1 face/);
    await page.getByTestId('toggle-queue').click();
    queueLength = await page.getByTestId('queue-item').count();
    expect(queueLength).toBe(12);

    await app.web.close();
    await page.getByTestId('connection-banner').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('connection-banner').textContent()).toMatch(/Reconnecting…/);

    for (let i = 0; i < 4; i++) {
      await page.getByTestId('next').click();
      await page.waitForTimeout(300);
    }
    await page.waitForTimeout(2000);
    expect(await page.getByTestId('queue-item').count()).toBe(queueLength);
    current = Number(await page.getByTestId('now-playing').getAttribute('data-track-id'));
    const expected = Number(await page.getByTestId('track-row').nth(4).getAttribute('data-track-id'));
    expect(current).toBe(expected);
    expect(await page.getByTestId('player-message').textContent()).toMatch(/Waiting for Emotune/);
    expect(unplayable()).toEqual([]);

    // Still calm a while later: no skipping on, no frames.
    const sentBefore = await framesSent();
    await page.waitForTimeout(2000);
    expect(await page.getByTestId('queue-item').count()).toBe(queueLength);
    expect(Number(await page.getByTestId('now-playing').getAttribute('data-track-id'))).toBe(current);
    expect(await framesSent()).toBe(sentBefore);
    expect(await page.getByTestId('camera-paused').textContent()).toMatch(/Camera paused while Emotune reconnects/);
    expect(await page.getByTestId('stable-expression').textContent()).toMatch(/Camera paused/);
    await screenshot(page, 'outage-reconnecting.png');
  });

  it('is as before when a server is back on the same backend: no banner, the music goes on', async () => {
    const url = new URL(app.web.openUrl);
    again = await startWebServer(app.backend, `${PROJECT_ROOT}dist/renderer`, Number(url.port), url.searchParams.get('key')!);
    await expect.poll(() => page.getByTestId('connection-banner').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(async () => trackIdOf(await audioState(page)), { timeout: 20_000 }).toBe(current);
    await expect.poll(async () => (await audioState(page))?.paused, { timeout: 20_000 }).toBe(false);
    const before = (await audioState(page))!.time;
    await expect.poll(async () => (await audioState(page))?.time ?? 0, { timeout: 10_000 }).toBeGreaterThan(before + 0.3);
    expect(await page.getByTestId('player-message').count()).toBe(0);
    expect(await page.getByTestId('queue-item').count()).toBe(queueLength);
    expect(unplayable()).toEqual([]);
    // Frames go out again.
    const sent = await framesSent();
    await expect.poll(framesSent, { timeout: 10_000 }).toBeGreaterThan(sent);
    await expect.poll(() => page.getByTestId('vision-status').textContent(), { timeout: 30_000 }).toMatch(/1 face/);
  });
});
