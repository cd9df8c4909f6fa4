/**
 * The player's state survives a reload and a restart of the server: the queue, the current track and
 * the position in it, volume, mute, mode and hands-free come back, loaded paused (never playing by
 * themselves), and a queued track that left the library is left out with a quiet note.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend, PROJECT_ROOT } from '../../src/main/backend.js';
import { DEMO_FOLDER_NAME } from '../../src/main/library/libraryService.js';
import { startWebServer, type WebServer } from '../../src/main/web/webServer.js';
import type { PlayerState } from '../../src/shared/playerState.js';
import { launchChromium } from '../support/chromium.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { audioState, trackIdOf } from './appHelpers.js';

let app: RunningApp | undefined;
let restarted: { backend: Backend; web: WebServer } | undefined;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startWebApp({ demoLibrary: true, watchFolders: false });
  await app.backend.library.idle();
  browser = await launchChromium({ noCamera: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(app.url);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="track-row"]').length === 12, null, { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await restarted?.web.close();
  await restarted?.backend.dispose();
  await app?.close();
});

const saved = (backend: Backend) => backend.library.store.settings.get<PlayerState>('playerState');

/** Loaded, paused, and it stays paused. */
async function expectPausedAt(p: Page, trackId: number, seconds: number) {
  await expect.poll(() => p.getByTestId('now-playing').getAttribute('data-track-id'), { timeout: 20_000 }).toBe(String(trackId));
  await expect.poll(async () => (await audioState(p))?.time ?? 0, { timeout: 10_000 }).toBeGreaterThan(seconds - 1);
  await p.waitForTimeout(1500);
  const state = (await audioState(p))!;
  expect(trackIdOf(state)).toBe(trackId);
  expect(state.paused).toBe(true);
  expect(Math.abs(state.time - seconds)).toBeLessThan(1.01);
}

describe('the player’s state', () => {
  let current: number;
  let position: number;

  it('is saved as the listener goes: queue, track, position, sound, mode and hands-free', async () => {
    await page.getByTestId('track-row').nth(2).getByTestId('play-track').click();
    await expect.poll(async () => (await audioState(page))?.time ?? 0, { timeout: 20_000 }).toBeGreaterThan(1.5);
    await page.getByTestId('volume').fill('0.3');
    await page.getByTestId('mute').click();
    await page.getByTestId('mode').selectOption('lift');
    await page.getByTestId('hands-free').check();
    await page.getByTestId('play-pause').click();
    await expect.poll(async () => (await audioState(page))?.paused).toBe(true);
    const state = (await audioState(page))!;
    current = trackIdOf(state);
    position = state.time;
    await expect
      .poll(() => saved(app!.backend), { timeout: 10_000 })
      .toMatchObject({ index: 2, volume: 0.3, muted: true, mode: 'lift', handsFree: true, positionSec: Math.floor(position) });
    expect(saved(app!.backend)!.queue).toHaveLength(12);
    expect(saved(app!.backend)!.queue[2]).toBe(current);
  });

  it('comes back after a reload, paused where it was', async () => {
    await page.reload();
    await expectPausedAt(page, current, Math.floor(position));
    const state = (await audioState(page))!;
    expect(state.volume).toBeCloseTo(0.3);
    expect(state.muted).toBe(true);
    expect(await page.getByTestId('mode').inputValue()).toBe('lift');
    expect(await page.getByTestId('hands-free').isChecked()).toBe(true);
    await page.getByTestId('toggle-queue').click();
    expect(await page.getByTestId('queue-item').count()).toBe(12);
    expect(await page.getByTestId('restore-note').count()).toBe(0);
  });

  it('comes back after the server restarts, without a track that left the library meanwhile', async () => {
    const dataDir = app!.backend.library.dataDir;
    const queue = saved(app!.backend)!.queue;
    const goneId = queue[5]!;
    const gone = app!.backend.library.store.tracks.get(goneId)!;
    await page.close();
    await app!.close();
    app = undefined;
    rmSync(gone.path);
    const backend = await Backend.create('web', { dataDir, demoLibrary: false, watchFolders: false });
    await backend.library.idle(); // the start's rescan notices the file is gone
    restarted = { backend, web: await startWebServer(backend, `${PROJECT_ROOT}dist/renderer`) };
    expect(backend.library.store.tracks.get(goneId)).toBeUndefined();
    expect(join(dataDir, DEMO_FOLDER_NAME)).toBe(backend.library.listFolders()[0]!.path);

    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(restarted.web.openUrl);
    await expectPausedAt(page, current, Math.floor(position));
    await expect
      .poll(() => page.getByTestId('restore-note').textContent())
      .toMatch(/1 song of your last queue is no longer in the library, so it was left out/);
    await page.getByTestId('toggle-queue').click();
    expect(await page.getByTestId('queue-item').count()).toBe(11);
    expect(await page.getByTestId('hands-free').isChecked()).toBe(true);
  });
});
