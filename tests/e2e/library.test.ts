/** The library in browser mode: the first-run demo library, search, bulk mood tags, a bad file. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAudioFile } from '../support/audioFiles.js';
import { launchChromium } from '../support/chromium.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { screenshot } from '../support/screenshots.js';

let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startWebApp({ demoLibrary: true });
  browser = await launchChromium({ noCamera: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(app.url);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const rows = () => page.getByTestId('track-row');
const go = (view: string) => page.getByTestId(`nav-${view}`).click();

describe('library', () => {
  it('shows the demo library on first run, each piece with its mood', async () => {
    await expect.poll(() => rows().count(), { timeout: 60_000 }).toBe(12);
    const moods = await page
      .getByTestId('mood-chip')
      .evaluateAll((chips) => chips.map((c) => `${c.getAttribute('data-mood')}/${c.getAttribute('data-source')}`));
    expect(new Set(moods)).toEqual(new Set(['happy/file', 'energetic/file', 'calm/file', 'sad/file', 'tense/file', 'neutral/file']));
  });

  it('searches title, artist and album as you type', async () => {
    await page.getByTestId('search').fill('sunny');
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().textContent()).toMatch(/Sunny Side/);
    await page.getByTestId('search').fill('');
    await expect.poll(() => rows().count()).toBe(12);
  });

  it('tags several tracks at once, and your tag wins over the file’s', async () => {
    await rows().nth(0).getByRole('checkbox').check();
    await rows().nth(1).getByRole('checkbox').check();
    await page.getByTestId('bulk-mood').selectOption('calm');
    await page.getByTestId('apply-mood').click();
    await expect.poll(() => page.locator('[data-testid="mood-chip"][data-source="user"]').count()).toBe(2);
    const userMoods = await page
      .locator('[data-testid="mood-chip"][data-source="user"]')
      .evaluateAll((c) => c.map((e) => e.getAttribute('data-mood')));
    expect(userMoods).toEqual(['calm', 'calm']);
  });

  it('adds a folder, shows a corrupt file with its error, and keeps the rest', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'emotune-e2e-lib-')), 'My Music');
    mkdirSync(folder);
    await makeAudioFile(folder, { name: 'good', format: 'ogg', title: 'A Good Song', artist: 'Real Band', mood: 'Happy' });
    writeFileSync(join(folder, 'broken.mp3'), Buffer.alloc(3000, 7));
    // Folders are managed in Settings; the songs show in Songs.
    await go('settings');
    await page.getByTestId('folder-input').fill(folder);
    await page.getByRole('button', { name: 'Add folder' }).click();
    const mine = page.getByTestId('folder').filter({ hasText: 'My Music' });
    await expect.poll(() => mine.textContent(), { timeout: 30_000 }).toMatch(/My Music.*1 song.*1 file Emotune can’t play/s);
    // Which file, and why, in plain words.
    await mine.getByTestId('unreadable-files').locator('summary').click();
    await expect.poll(() => mine.getByTestId('unreadable-file').textContent()).toMatch(/broken\.mp3\s*not an audio file/);
    await go('songs');
    await expect.poll(() => rows().count(), { timeout: 30_000 }).toBe(14);
    expect(await page.getByTestId('track-error').count()).toBe(1);
    await screenshot(page, 'screenshot-library.png');
  });

  it('refuses a folder that does not exist, with a message in plain words next to the field', async () => {
    await go('settings');
    await page.getByTestId('folder-input').fill('/no/such/folder');
    await page.getByRole('button', { name: 'Add folder' }).click();
    const error = page.getByTestId('library-error');
    await expect
      .poll(() => error.locator('.text').textContent())
      .toBe('There is no folder at /no/such/folder. Check the spelling of the path, then add it again.');
    // The backend's own words are behind "Details".
    expect(await error.locator('details').textContent()).toMatch(/cannot add \/no\/such\/folder: no such folder/);
  });

  it('lets the user edit which mood each expression plays, and keeps it', async () => {
    await page.getByTestId('policy-match-anger').selectOption('sad');
    await expect.poll(() => app.backend.mood.moodPolicy().match.anger).toBe('sad');
    await page.getByTestId('policy-lift-no-face').selectOption('calm');
    await expect.poll(() => app.backend.mood.moodPolicy().lift['no-face']).toBe('calm');
    await page.reload();
    expect(await page.getByTestId('policy-match-anger').inputValue()).toBe('sad');
  });

  it('shows which track a face would bring, and why', async () => {
    await page.getByTestId('preview-expression').selectOption('sadness');
    await page.getByTestId('preview-mode').selectOption('lift');
    await page.getByTestId('preview-run').click();
    // Lift mode turns sadness into calm; two demo pieces were tagged calm by the user above.
    await expect
      .poll(() => page.getByTestId('preview-result').textContent())
      .toMatch(/you look sad; lift mode; tagged calm (by you|in the file)/);
    await page.getByTestId('preview-expression').selectOption('no-face');
    await page.getByTestId('preview-run').click();
    await expect.poll(() => page.getByTestId('preview-result').textContent()).toMatch(/calm/);
  });

  it('keeps how steady an expression must be, and shows why a value is refused', async () => {
    const panel = page.getByTestId('vision-settings');
    await page.getByTestId('setting-minDwellMs').fill('2500');
    await page.getByTestId('setting-minDwellMs').press('Tab');
    await expect.poll(() => app.backend.vision.expressionSettings().minDwellMs).toBe(2500);
    await page.reload();
    expect(await page.getByTestId('setting-minDwellMs').inputValue()).toBe('2500');

    await page.getByTestId('setting-uncertainBelow').fill('5');
    await page.getByTestId('setting-uncertainBelow').press('Tab');
    await expect.poll(() => panel.getByRole('alert').textContent()).toMatch(/settings\.uncertainBelow/);
    expect(await panel.getByRole('alert').locator('.text').textContent()).toBe(
      '“Unclear below” is too high: the most it can be is 1. The stored value is shown again.',
    );
    // The refused value does not stay on screen as if it were stored.
    expect(Number(await page.getByTestId('setting-uncertainBelow').inputValue())).toBe(
      app.backend.vision.expressionSettings().uncertainBelow,
    );
    expect(app.backend.vision.expressionSettings().uncertainBelow).toBeLessThanOrEqual(1);
    expect(app.backend.vision.expressionSettings().minDwellMs).toBe(2500);
  });

  it('offers to remove the demo songs once the user’s own music is in, and removes them', async () => {
    await go('songs');
    const offer = page.getByTestId('demo-offer');
    await expect.poll(() => offer.textContent()).toMatch(/Your own music is in\. Remove the demo songs/);
    await page.getByTestId('remove-demo').click();
    await expect.poll(() => rows().count(), { timeout: 30_000 }).toBe(2);
    expect(await offer.count()).toBe(0);
    expect(app.backend.library.listFolders().map((f) => f.demo)).toEqual([false]);
  });
});
