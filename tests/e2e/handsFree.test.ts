/**
 * The whole loop in browser mode: a fake webcam of a real smiling face and the first-run demo
 * library. The stable expression appears, a track of the matching mood plays with its reason,
 * the camera switch stops the frames while the music goes on, and a manual "next" is honoured (and,
 * this soon after the loop's pick, counted as a skip of it).
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
import { screenshot } from '../support/screenshots.js';

const TMP = join(PROJECT_ROOT, 'tests', '.tmp');

let app: RunningApp;
let browser: Browser;
let page: Page;

interface AudioState {
  paused: boolean;
  time: number;
  src: string;
}
const audioState = () =>
  page.evaluate(() => {
    const a = document.querySelector<HTMLAudioElement>('audio[data-testid="player-audio"]');
    return a ? { paused: a.paused, time: a.currentTime, src: a.currentSrc } : null;
  }) as Promise<AudioState | null>;
const trackIdOf = (state: AudioState | null) => Number(state?.src.split('/media/')[1]);

beforeAll(async () => {
  mkdirSync(TMP, { recursive: true });
  const png = join(TMP, 'loop-face.png');
  await writeShotPng(SMILING_TILTED, png, 640);
  const y4m = join(TMP, 'loop-face.y4m');
  await stillToY4m(png, y4m);
  app = await startWebApp({ demoLibrary: true });
  await app.backend.library.idle();
  browser = await launchChromium({ fakeVideo: y4m });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(app.url);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('hands-free playback', () => {
  it('plays a track of the mood that matches the stable expression, and says why', async () => {
    await expect.poll(() => page.getByTestId('stable-expression').getAttribute('data-state'), { timeout: 30_000 }).toBe('happiness');
    await screenshot(page, 'loop-1-expression.png');
    await expect.poll(async () => (await audioState())?.paused, { timeout: 20_000 }).toBe(false);
    await expect.poll(async () => (await audioState())?.time ?? 0, { timeout: 20_000 }).toBeGreaterThan(0.3);
    const track = app.backend.library.store.tracks.get(trackIdOf(await audioState()))!;
    expect(track.mood?.mood).toBe('happy');
    expect(await page.getByTestId('now-playing').textContent()).toBe(track.title);
    expect(await page.getByTestId('why-this-song').textContent()).toMatch(/you look happy; match mode; tagged happy in the file/);
    // The session timeline is a view of its own.
    await page.getByTestId('nav-session').click();
    expect(await page.getByTestId('timeline-point').count()).toBeGreaterThanOrEqual(1);
    // The play went into the history with its reason, and the expression and mode of the choice.
    expect(app.backend.library.store.plays.recent(1)).toEqual([track.id]);
    const play = app.db.prepare('SELECT expression, mode, reason FROM plays ORDER BY id DESC LIMIT 1').get();
    expect(play).toMatchObject({ expression: 'happiness', mode: 'match', reason: expect.stringMatching(/you look happy/) });
    // The history view has the play: the face that chose it and the music's mood.
    await page.getByTestId('nav-history').click();
    await expect.poll(() => page.getByTestId('history-mood').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('history-summary').textContent()).toMatch(/you looked happy most often .*the music was happy most often/);
    await page.getByTestId('nav-songs').click();
    await screenshot(page, 'loop-2-playing.png');
  });

  it('stops taking frames when the camera is switched off, and the music goes on', async () => {
    await page.getByTestId('camera-toggle').click();
    await expect.poll(() => page.getByTestId('camera-state').getAttribute('data-status')).toBe('off');
    expect(await page.getByTestId('camera-indicator').count()).toBe(0);
    const before = (await audioState())!;
    await page.waitForTimeout(1200);
    const after = (await audioState())!;
    expect(after.paused).toBe(false);
    expect(after.src).toBe(before.src);
    expect(after.time).toBeGreaterThan(before.time + 0.5);
    await screenshot(page, 'loop-3-camera-off.png');
  });

  it('honours a manual next and pauses the loop until it is turned on again', async () => {
    const before = trackIdOf(await audioState());
    await page.getByTestId('next').click();
    await expect.poll(async () => trackIdOf(await audioState())).not.toBe(before);
    await expect.poll(async () => (await audioState())?.paused).toBe(false);
    expect(await page.getByTestId('hands-free').isChecked()).toBe(false);
    expect(await page.getByTestId('hands-free-message').textContent()).toMatch(/you chose the music/);
    // Skipped seconds after the loop picked it for a happy face: the mood service hears of it.
    const feedback = () => app.db.prepare('SELECT mood, kind, expression FROM listener_feedback WHERE track_id = ?').all(before);
    await expect.poll(feedback).toEqual([{ mood: 'happy', kind: 'skipped', expression: 'happiness' }]);
    await page.getByTestId('hands-free').check();
    expect(await page.getByTestId('hands-free').isChecked()).toBe(true);
  });

  it('answers the keyboard: space pauses and plays, M mutes', async () => {
    // The track playing now: a short demo piece may end and the next one start meanwhile, which is a new play.
    const track = trackIdOf(await audioState());
    const plays = () => app.db.prepare('SELECT count(*) FROM plays WHERE track_id = ?').pluck().get(track) as number;
    await expect.poll(plays).toBeGreaterThan(0); // its own play is recorded (asynchronously) before we count
    const before = plays();
    await page.locator('body').click({ position: { x: 5, y: 990 } });
    await page.keyboard.press(' ');
    await expect.poll(async () => (await audioState())?.paused).toBe(true);
    await page.keyboard.press(' ');
    await expect.poll(async () => (await audioState())?.paused).toBe(false);
    // Resuming is not a new play of the track in the history.
    expect(plays()).toBe(before);
    await page.keyboard.press('m');
    expect(await page.evaluate(() => document.querySelector<HTMLAudioElement>('audio[data-testid="player-audio"]')!.muted)).toBe(true);
  });
});
