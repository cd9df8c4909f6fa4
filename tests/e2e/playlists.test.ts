/**
 * Playlists in browser mode, on real files: one made from the sidebar and filled from a selection,
 * renamed in place, reordered from the keyboard and by dragging, an entry taken out, an M3U imported
 * with an entry the library lacks (shown missing), the queue reordered by dragging and saved as a
 * playlist, one deleted after asking; and all of it still there after a reload.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAudioFile } from '../support/audioFiles.js';
import { launchChromium } from '../support/chromium.js';
import { screenshot } from '../support/screenshots.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { gotoView, seriousViolations } from './appHelpers.js';

const TITLES = ['Alpha', 'Bravo', 'Charlie', 'Delta'];
let app: RunningApp;
let browser: Browser;
let page: Page;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'emotune-e2e-playlists-'));
  for (const [i, title] of TITLES.entries()) {
    await makeAudioFile(folder, {
      name: title,
      format: 'ogg',
      title,
      artist: 'Ann',
      album: 'Letters',
      seconds: 2,
      frequency: 300 + i * 100,
    });
  }
  app = await startWebApp({ watchFolders: false });
  await app.backend.library.addFolder(folder);
  await app.backend.library.idle();
  browser = await launchChromium({ noCamera: true });
  // axe is injected as a script of the page: past the app's Content-Security-Policy, for the test only.
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await page.goto(app.url);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="track-row"]').length === 4, null, { timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const rows = () => page.getByTestId('track-table').getByTestId('track-row');
const rowTitles = () => page.locator('[data-testid="track-table"] [data-testid="track-row"] .t').allTextContents();
const sidebarNames = () =>
  page
    .getByTestId('nav-playlist')
    .allTextContents()
    .then((names) => names.map((n) => n.trim()));
const playlistByName = (name: string) => app.backend.library.listPlaylists().find((p) => p.name === name);
/** The playlist's entries in the backend's order, as titles (a missing one by its path). */
const storedTitles = (name: string) =>
  app.backend.library.playlistEntries({ playlistId: playlistByName(name)!.id, offset: 0, limit: 100 }).map((e) => e.track?.title ?? e.path);

async function openPlaylist(name: string): Promise<void> {
  await page.getByTestId('nav-playlist').filter({ hasText: name }).click();
  await expect.poll(() => page.getByTestId('playlist-title').textContent()).toBe(name);
}

/**
 * Drags `source` onto the lower part of `target` (so it lands after it) with the page's HTML5 drag
 * and drop, held over the target until the drop line shows there.
 */
async function dragBelow(source: Locator, target: Locator, shot?: string): Promise<void> {
  const from = (await source.boundingBox())!;
  const to = (await target.boundingBox())!;
  await page.mouse.move(from.x + 20, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + 20, to.y + to.height - 4, { steps: 8 });
  // The drop line shows where the song would land, before it is let go.
  await page.locator('.drop-before, .drop-after').first().waitFor({ timeout: 5_000 });
  if (shot) await screenshot(page, shot);
  await page.mouse.up();
}

describe('playlists', () => {
  it('makes a playlist from the sidebar and opens it, empty, with a word on how to fill it', async () => {
    await page.getByTestId('new-playlist').click();
    const input = page.getByTestId('new-playlist-form').getByTestId('playlist-name-input');
    expect(await input.inputValue()).toBe('New playlist');
    await input.fill('Road trip');
    await input.press('Enter');
    await page.waitForFunction(() => /^#\/playlists\/\d+$/.test(location.hash));
    await expect.poll(() => page.getByTestId('playlist-title').textContent()).toBe('Road trip');
    expect(await sidebarNames()).toEqual(['Road trip']);
    expect(await page.getByTestId('playlist-view').textContent()).toContain('This playlist is empty');
  });

  it('adds the selected songs through “Add to playlist”, or into a new playlist made there', async () => {
    await gotoView(page, 'songs');
    await expect.poll(rowTitles, { timeout: 30_000 }).toEqual(TITLES);
    await rows().nth(0).click();
    await rows()
      .nth(2)
      .click({ modifiers: ['Shift'] });
    await page.getByTestId('add-to-playlist').click();
    const menu = page.getByTestId('add-to-playlist-menu');
    // The menu has the focus on its first item, and the arrows move it.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem');
    await menu.getByTestId('playlist-menu-item').filter({ hasText: 'Road trip' }).click();
    await expect.poll(() => page.getByTestId('selection-notice').textContent()).toContain('Added 3 songs to “Road trip”.');
    expect(storedTitles('Road trip')).toEqual(['Alpha', 'Bravo', 'Charlie']);

    await rows().nth(3).click();
    await page.getByTestId('add-to-playlist').click();
    await page.getByTestId('playlist-menu-new').click();
    const input = page.getByTestId('add-to-new-playlist').getByTestId('playlist-name-input');
    await input.fill('Just Delta');
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('selection-notice').textContent()).toContain('Saved 1 song as the playlist “Just Delta”.');
    await expect.poll(sidebarNames).toEqual(['Just Delta', 'Road trip']);
    await page.keyboard.press('Escape');
  });

  it('renames in place: Enter keeps the new name, Escape leaves the old one', async () => {
    await openPlaylist('Road trip');
    await expect.poll(rowTitles, { timeout: 30_000 }).toEqual(['Alpha', 'Bravo', 'Charlie']);
    await page.getByTestId('rename-playlist').click();
    const input = page.getByTestId('rename-playlist-form').getByTestId('playlist-name-input');
    await input.fill('Summer road trip');
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('playlist-title').textContent()).toBe('Summer road trip');
    await expect.poll(sidebarNames).toEqual(['Just Delta', 'Summer road trip']);
    await page.getByTestId('rename-playlist').click();
    await input.fill('Never mind');
    await input.press('Escape');
    expect(await page.getByTestId('playlist-title').textContent()).toBe('Summer road trip');
    expect(playlistByName('Summer road trip')).toBeDefined();
  });

  it('reorders from the keyboard: Alt+Down on the list’s row, and Move up on a selected song', async () => {
    await page.getByTestId('track-table').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(rowTitles).toEqual(['Bravo', 'Alpha', 'Charlie']);
    await expect.poll(() => storedTitles('Summer road trip')).toEqual(['Bravo', 'Alpha', 'Charlie']);
    // The keyboard's row went with the song: a second press moves it on.
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(rowTitles).toEqual(['Bravo', 'Charlie', 'Alpha']);
    await rows().filter({ hasText: 'Charlie' }).click();
    await page.getByTestId('move-entry-up').click();
    await expect.poll(rowTitles).toEqual(['Charlie', 'Bravo', 'Alpha']);
    await expect.poll(() => storedTitles('Summer road trip')).toEqual(['Charlie', 'Bravo', 'Alpha']);
  });

  it('reorders by dragging a row below another', async () => {
    await dragBelow(rows().filter({ hasText: 'Charlie' }), rows().filter({ hasText: 'Alpha' }), 'playlist-drag.png');
    expect(await page.locator('[data-testid="track-row"].drop-before, [data-testid="track-row"].drop-after').count()).toBe(0);
    await expect.poll(rowTitles).toEqual(['Bravo', 'Alpha', 'Charlie']);
    await expect.poll(() => storedTitles('Summer road trip')).toEqual(['Bravo', 'Alpha', 'Charlie']);
  });

  it('takes a song out of the playlist, leaving it in the library', async () => {
    await rows().filter({ hasText: 'Alpha' }).click();
    await page.getByTestId('remove-entries').click();
    await expect.poll(rowTitles).toEqual(['Bravo', 'Charlie']);
    await expect.poll(() => storedTitles('Summer road trip')).toEqual(['Bravo', 'Charlie']);
    expect(app.backend.library.listPlaylists().find((p) => p.name === 'Summer road trip')?.trackCount).toBe(2);
  });

  it('imports an M3U file and opens it, the entry the library lacks greyed as missing with its path', async () => {
    const m3u = join(mkdtempSync(join(tmpdir(), 'emotune-e2e-m3u-')), 'Imported mix.m3u8');
    writeFileSync(
      m3u,
      `#EXTM3U\n#EXTINF:2,Ann - Delta\n${join(folder, 'Delta.ogg')}\n#EXTINF:200,Someone - Lost song\n/nowhere/lost.mp3\n`,
    );
    await gotoView(page, 'playlists');
    await page.getByTestId('import-playlist').setInputFiles(m3u);
    await expect.poll(() => page.getByTestId('playlist-title').textContent(), { timeout: 30_000 }).toBe('Imported mix');
    expect(await page.getByTestId('playlist-notice').textContent()).toContain('1 song found, 1 entry not in your library');
    await expect.poll(rowTitles).toEqual(['Delta', 'Someone - Lost song']);
    const missing = rows().nth(1);
    expect(await missing.getByTestId('entry-missing').textContent()).toBe('Missing · /nowhere/lost.mp3');
    expect(await missing.getByTestId('play-track').isDisabled()).toBe(true);
    expect(await missing.evaluate((r) => r.classList.contains('missing'))).toBe(true);
    expect(await page.getByTestId('view-subtitle').textContent()).toContain('1 missing from your library');
    await screenshot(page, 'playlist-missing.png');
  });

  it('has no serious or critical axe findings on a playlist with a selection and on the add-to menu', async () => {
    await rows().nth(0).click();
    expect(await seriousViolations(page)).toEqual([]);
    await gotoView(page, 'songs');
    await rows().nth(0).click();
    await page.getByTestId('add-to-playlist').click();
    await page.getByTestId('add-to-playlist-menu').waitFor();
    await screenshot(page, 'playlist-add-menu.png');
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('add-to-playlist-menu').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('add-to-playlist');
  });

  it('reorders the queue by dragging, and saves it as a playlist', async () => {
    await gotoView(page, 'songs');
    await rows().nth(0).getByTestId('play-track').click({ force: true });
    await page.getByTestId('toggle-queue').click();
    const queueTitles = () => page.locator('[data-testid="queue-item"] .name').allTextContents();
    await expect.poll(queueTitles).toEqual(TITLES);
    const items = page.getByTestId('queue-item');
    await dragBelow(items.nth(1), items.nth(3), 'queue-drag.png');
    await expect.poll(queueTitles).toEqual(['Alpha', 'Charlie', 'Delta', 'Bravo']);
    await page.getByTestId('save-queue').click();
    const input = page.getByTestId('save-queue-form').getByTestId('playlist-name-input');
    expect(await input.inputValue()).toBe('Saved queue');
    await input.fill('Queue mix');
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('queue-notice').textContent()).toContain('Saved 4 songs as the playlist “Queue mix”.');
    await expect.poll(sidebarNames).toContain('Queue mix');
    await screenshot(page, 'queue-saved.png');
    expect(storedTitles('Queue mix')).toEqual(['Alpha', 'Charlie', 'Delta', 'Bravo']);
    await page.getByTestId('toggle-queue').click();
  });

  it('deletes a playlist only after asking: Cancel keeps it, the danger button deletes it', async () => {
    await openPlaylist('Just Delta');
    await page.getByTestId('delete-playlist').click();
    const dialog = page.getByTestId('delete-playlist-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Delete “Just Delta”?');
    await page.getByTestId('dialog-cancel').click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(playlistByName('Just Delta')).toBeDefined();
    await page.getByTestId('delete-playlist').click();
    await page.getByTestId('dialog-confirm').click();
    await page.waitForFunction(() => location.hash === '#/playlists');
    await expect.poll(() => page.getByTestId('overview-notice').textContent()).toContain('Deleted the playlist “Just Delta”.');
    await expect.poll(sidebarNames).toEqual(['Imported mix', 'Queue mix', 'Summer road trip']);
    expect(playlistByName('Just Delta')).toBeUndefined();
    expect(app.backend.library.listFolders()[0]?.trackCount).toBe(4);
  });

  it('shows the same playlists, in the same order, after a reload', async () => {
    await openPlaylist('Summer road trip');
    await page.reload();
    await expect.poll(() => page.getByTestId('playlist-title').textContent(), { timeout: 30_000 }).toBe('Summer road trip');
    await expect.poll(rowTitles, { timeout: 30_000 }).toEqual(['Bravo', 'Charlie']);
    expect(await sidebarNames()).toEqual(['Imported mix', 'Queue mix', 'Summer road trip']);
    await gotoView(page, 'playlists');
    await expect
      .poll(() => page.getByTestId('playlist-card').allTextContents())
      .toEqual([
        expect.stringMatching(/^Imported mix.*2 songs.*1 missing/),
        expect.stringMatching(/^Queue mix.*4 songs/),
        expect.stringMatching(/^Summer road trip.*2 songs/),
      ]);
  });
});
