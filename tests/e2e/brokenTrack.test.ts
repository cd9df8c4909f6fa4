/** A track whose file went missing after the scan: skipped with a message, marked, and the next one plays. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAudioFile } from '../support/audioFiles.js';
import { launchChromium } from '../support/chromium.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  // Not watched, so the library still lists the file after it is deleted.
  app = await startWebApp({ watchFolders: false });
  const music = mkdtempSync(join(tmpdir(), 'emotune-broken-'));
  await makeAudioFile(music, { name: 'a-gone', format: 'ogg', title: 'A Gone Song', seconds: 3 });
  await makeAudioFile(music, { name: 'b-stays', format: 'ogg', title: 'B Stays', seconds: 3 });
  await app.backend.library.addFolder(music);
  await app.backend.library.idle();
  rmSync(join(music, 'a-gone.ogg'));
  browser = await launchChromium({ noCamera: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('a track that cannot be played', () => {
  it('is skipped with a visible message, marked in the library, and the next track plays', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await expect.poll(() => page.getByTestId('track-row').count()).toBe(2);
    await page.getByTestId('track-row').filter({ hasText: 'A Gone Song' }).getByTestId('play-track').click();
    await expect.poll(() => page.getByTestId('player-message').textContent(), { timeout: 15_000 }).toMatch(/Skipped “A Gone Song”/);
    await expect.poll(() => page.getByTestId('now-playing').textContent()).toBe('B Stays');
    await expect
      .poll(() => page.evaluate(() => document.querySelector<HTMLAudioElement>('audio[data-testid="player-audio"]')!.paused), {
        timeout: 15_000,
      })
      .toBe(false);
    const gone = app.backend.library.listTracks({}).find((t) => t.title === 'A Gone Song')!;
    expect(gone.error).toMatch(/^cannot be played:/);
    await expect.poll(() => page.getByTestId('track-row').filter({ hasText: 'A Gone Song' }).getByTestId('track-error').count()).toBe(1);
  });
});
