/** Removing a folder asks first, in the app; Undo puts it back, with the moods the user gave its songs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAudioFile } from '../support/audioFiles.js';
import { launchChromium } from '../support/chromium.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { gotoView } from './appHelpers.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let folder: string;

beforeAll(async () => {
  app = await startWebApp({ watchFolders: false });
  folder = mkdtempSync(join(tmpdir(), 'emotune-remove-'));
  await makeAudioFile(folder, { name: 'one', format: 'ogg', title: 'Song One' });
  await makeAudioFile(folder, { name: 'two', format: 'ogg', title: 'Song Two' });
  await app.backend.library.addFolder(folder);
  await app.backend.library.idle();
  const one = app.backend.library.listTracks({}).find((t) => t.title === 'Song One')!;
  app.backend.library.setUserMood([one.id], 'sad');
  browser = await launchChromium({ noCamera: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // The page's own window.confirm must never be used.
  page.on('dialog', (d) => void d.dismiss().then(() => expect.fail(`a browser dialog was shown: ${d.message()}`)));
  await page.goto(app.url);
  await gotoView(page, 'settings');
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const userMoodOf = (title: string) =>
  app.backend.library
    .listTracks({})
    .find((t) => t.title === title)
    ?.moods.find((m) => m.source === 'user')?.mood;

describe('removing a folder', () => {
  it('asks first, in the app, and Cancel or Escape keeps the folder', async () => {
    await page.getByTestId('remove-folder').click();
    const dialog = page.getByTestId('remove-folder-dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent()).toMatch(/You tagged the mood of 1 song in it/);
    await page.getByTestId('dialog-cancel').click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await page.getByTestId('remove-folder').click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(app.backend.library.listFolders()).toHaveLength(1);
  });

  it('removes it when confirmed, and Undo brings it back with the user’s moods', async () => {
    await page.getByTestId('remove-folder').click();
    await expect.poll(() => page.getByTestId('remove-folder-dialog').textContent()).toMatch(/1 song in it/);
    await page.getByTestId('dialog-confirm').click();
    await expect.poll(() => app.backend.library.listFolders()).toHaveLength(0);
    await expect.poll(() => page.getByTestId('folder-removed').textContent()).toMatch(/Removed .* from your library/);
    await page.getByTestId('undo-remove').click();
    await expect.poll(() => app.backend.library.listFolders().map((f) => f.path)).toEqual([folder]);
    await expect.poll(() => userMoodOf('Song One'), { timeout: 20_000 }).toBe('sad');
    expect(userMoodOf('Song Two')).toBeUndefined();
    await expect.poll(() => page.getByTestId('library-message').textContent()).toMatch(/with your moods on 1 song/);
    await gotoView(page, 'songs');
    await expect.poll(() => page.getByTestId('track-row').count()).toBe(2);
  });
});
