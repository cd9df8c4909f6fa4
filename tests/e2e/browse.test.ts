/**
 * Browsing a real library in browser mode: artists, an album in track order with its folder's cover,
 * a column header sorting both ways, and a search that finds a genre.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageOverflow } from './appHelpers.js';
import { screenshot } from '../support/screenshots.js';
import { launchChromium } from '../support/chromium.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';

const run = promisify(execFile);
let app: RunningApp;
let browser: Browser;
let page: Page;
let folder: string;

/** A short tone with ffmpeg's tags. */
async function tone(path: string, tags: Record<string, string> = {}): Promise<void> {
  const meta = Object.entries(tags).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'libvorbis', ...meta, path]);
}

beforeAll(async () => {
  folder = join(mkdtempSync(join(tmpdir(), 'emotune-e2e-browse-')), 'Music');
  const album = join(folder, 'Ann Blue', 'Numbers');
  const untagged = join(folder, 'Folder Artist', 'Folder Album');
  mkdirSync(album, { recursive: true });
  mkdirSync(untagged, { recursive: true });
  for (const [n, title] of [
    [10, 'Ten'],
    [1, 'One'],
    [2, 'Two'],
  ] as const) {
    await tone(join(album, `${title}.ogg`), {
      title,
      artist: 'Ann Blue',
      album: 'Numbers',
      track: String(n),
      genre: 'Bossa Nova',
      date: '2001',
    });
  }
  await sharp({ create: { width: 60, height: 30, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg()
    .toFile(join(album, 'cover.jpg'));
  await tone(join(folder, 'Zed.ogg'), { title: 'Zed', artist: 'Cal Red', album: 'Other', genre: 'Polka' });
  await tone(join(untagged, 'raw file.ogg'));

  app = await startWebApp();
  browser = await launchChromium({ noCamera: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(app.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const rowTitles = () => page.locator('[data-testid="track-row"] .t').allTextContents();

describe('browsing', () => {
  it('lists the artists, the untagged file’s from its folder', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('folder-input').fill(folder);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await expect.poll(() => page.getByTestId('folders').textContent(), { timeout: 60_000 }).toMatch(/5 songs/);
    await page.getByTestId('nav-artists').click();
    await expect
      .poll(() => page.getByTestId('artist-card').allTextContents(), { timeout: 30_000 })
      .toEqual([expect.stringContaining('Ann Blue'), expect.stringContaining('Cal Red'), expect.stringContaining('Folder Artist')]);
  });

  it('opens an artist, then their album: tracks in number order 1, 2, 10, with the folder’s cover', async () => {
    await page.getByTestId('artist-card').filter({ hasText: 'Ann Blue' }).click();
    await expect.poll(() => page.getByTestId('album-card').count(), { timeout: 30_000 }).toBe(1);
    await page.getByTestId('album-card').click();
    await expect.poll(rowTitles, { timeout: 30_000 }).toEqual(['One', 'Two', 'Ten']);
    await screenshot(page, 'screenshot-album.png');
    expect(await page.getByTestId('track-number').allTextContents()).toEqual(['1', '2', '10']);
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Numbers');
    await page.getByTestId('nav-albums').click();
    const card = page.getByTestId('album-card').filter({ hasText: 'Numbers' });
    await expect
      .poll(() => card.getByTestId('cover').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 })
      .toBe(60);
    // Whole, never cropped to the card.
    expect(await card.getByTestId('cover').evaluate((img) => getComputedStyle(img).objectFit)).toBe('contain');
    await screenshot(page, 'screenshot-albums.png');
  });

  it('sorts by the Title header, and the other way on a second click', async () => {
    await page.getByTestId('album-card').filter({ hasText: 'Numbers' }).click();
    await expect.poll(rowTitles, { timeout: 30_000 }).toEqual(['One', 'Two', 'Ten']);
    await page.getByTestId('sort-title').click();
    await expect.poll(rowTitles).toEqual(['One', 'Ten', 'Two']);
    expect(await page.locator('[role="columnheader"][aria-sort="ascending"]').textContent()).toContain('Title');
    await page.getByTestId('sort-title').click();
    await expect.poll(rowTitles).toEqual(['Two', 'Ten', 'One']);
    expect(await page.locator('[role="columnheader"][aria-sort="descending"]').textContent()).toContain('Title');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('browse-back').count()).toBe(0);
  });

  it('finds the tracks of a genre by searching for it', async () => {
    await page.getByTestId('nav-songs').click();
    await page.getByTestId('search').fill('polka');
    await expect.poll(rowTitles, { timeout: 30_000 }).toEqual(['Zed']);
    await page.getByTestId('search').fill('bossa');
    await expect.poll(async () => (await rowTitles()).sort(), { timeout: 30_000 }).toEqual(['One', 'Ten', 'Two']);
  });

  it('names an untagged file from its name and folders, and fits an 800 px window', async () => {
    await page.setViewportSize({ width: 800, height: 700 });
    await page.getByTestId('nav-albums').click();
    const card = page.getByTestId('album-card').filter({ hasText: 'Folder Album' });
    await expect.poll(() => card.textContent(), { timeout: 30_000 }).toContain('Folder Artist');
    expect(await card.getByTestId('cover-placeholder').count()).toBe(1);
    await card.click();
    await expect.poll(rowTitles, { timeout: 30_000 }).toEqual(['raw file']);
    await screenshot(page, 'screenshot-album-narrow.png');
    const { scrollWidth, innerWidth } = await pageOverflow(page);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    const table = await page.getByTestId('track-table').evaluate((t) => ({ scroll: t.scrollWidth, client: t.clientWidth }));
    expect(table.scroll).toBeLessThanOrEqual(table.client);
    await page.getByTestId('browse-back').click();
    await expect.poll(() => page.getByTestId('album-card').count()).toBe(3);
  });
});
