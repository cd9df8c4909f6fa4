/**
 * Songs follow one another as music lovers expect, in the real browser with Web Audio: the next
 * song is loaded ahead on the second deck and starts as the first ends (the title of the window and
 * of the player follow), and with a crossfade both decks play at once while one blends into the next.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlayerState } from '../../src/shared/playerState.js';
import { makeAudioFile } from '../support/audioFiles.js';
import { launchChromium } from '../support/chromium.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { gotoView } from './appHelpers.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let first: number;
let second: number;

beforeAll(async () => {
  app = await startWebApp({ watchFolders: false });
  const music = mkdtempSync(join(tmpdir(), 'emotune-playback-'));
  await makeAudioFile(music, { name: 'a-first', format: 'ogg', title: 'First Tone', artist: 'Test Artist', seconds: 6, frequency: 440 });
  await makeAudioFile(music, { name: 'b-second', format: 'ogg', title: 'Second Tone', artist: 'Test Artist', seconds: 6, frequency: 660 });
  await app.backend.library.addFolder(music);
  await app.backend.library.idle();
  const tracks = app.backend.library.listTracks({});
  first = tracks.find((t) => t.title === 'First Tone')!.id;
  second = tracks.find((t) => t.title === 'Second Tone')!.id;
  browser = await launchChromium({ noCamera: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Keeps the audio contexts the page makes, to see that the sound goes through Web Audio.
  await page.addInitScript(() => {
    const made: AudioContext[] = [];
    (window as unknown as { audioContexts: AudioContext[] }).audioContexts = made;
    window.AudioContext = class extends window.AudioContext {
      constructor(options?: AudioContextOptions) {
        super(options);
        made.push(this);
      }
    };
  });
  await page.goto(app.url);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="track-row"]').length === 2, null, { timeout: 30_000 });
  await recordDecks(page);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

interface DeckEvent {
  deck: number;
  type: string;
  src: string;
  at: number;
  /** The other deck at that moment. */
  other: { src: string; readyState: number; paused: boolean; time: number };
}

/** Logs, in the page, what each of the two audio elements does and where the other one is at that moment. */
async function recordDecks(p: Page): Promise<void> {
  await p.evaluate(() => {
    const decks = [...document.querySelectorAll('audio')];
    if (decks.length !== 2) throw new Error(`expected two decks, found ${decks.length}`);
    const log: unknown[] = [];
    (window as unknown as { deckLog: unknown[] }).deckLog = log;
    decks.forEach((deck, i) => {
      const other = decks[1 - i]!;
      for (const type of ['loadstart', 'playing', 'ended']) {
        deck.addEventListener(type, () =>
          log.push({
            deck: i,
            type,
            src: deck.currentSrc,
            at: performance.now(),
            other: { src: other.currentSrc, readyState: other.readyState, paused: other.paused, time: other.currentTime },
          }),
        );
      }
    });
  });
}

const deckLog = (): Promise<DeckEvent[]> => page.evaluate(() => (window as unknown as { deckLog: DeckEvent[] }).deckLog.slice());
const clearLog = () => page.evaluate(() => void ((window as unknown as { deckLog: DeckEvent[] }).deckLog.length = 0));
const isTrack = (id: number) => (src: string) => src.endsWith(`/media/${id}`);
const endOf = (id: number) => (e: DeckEvent) => e.type === 'ended' && isTrack(id)(e.src);
const playFirst = () => page.getByTestId('track-row').filter({ hasText: 'First Tone' }).getByTestId('play-track').click();
const nowPlaying = () => page.getByTestId('now-playing').textContent();
const sessionTitle = () => page.evaluate(() => navigator.mediaSession?.metadata?.title ?? null);

describe('playback', () => {
  it('starts the second song from the deck it was loaded on ahead, as the first ends', async () => {
    await playFirst();
    await expect.poll(nowPlaying, { timeout: 15_000 }).toBe('First Tone');
    await expect.poll(() => page.title()).toBe('First Tone — Test Artist · Emotune');
    await expect.poll(sessionTitle).toBe('First Tone');
    // One context, made on the listener's click and running; the elements play at full volume into it.
    expect(await page.evaluate(() => (window as unknown as { audioContexts: AudioContext[] }).audioContexts.map((c) => c.state))).toEqual([
      'running',
    ]);
    expect(await page.evaluate(() => document.querySelector<HTMLAudioElement>('audio[data-testid="player-audio"]')!.volume)).toBe(1);
    await expect.poll(nowPlaying, { timeout: 30_000 }).toBe('Second Tone');
    await expect.poll(() => page.title()).toBe('Second Tone — Test Artist · Emotune');
    await expect.poll(sessionTitle).toBe('Second Tone');

    const log = await deckLog();
    const ended = log.find((e) => e.type === 'ended' && isTrack(first)(e.src));
    expect(ended, JSON.stringify(log)).toBeDefined();
    // When the first song ended, the other deck had the second one loaded, ready to play.
    expect(ended!.other.src).toMatch(new RegExp(`/media/${second}$`));
    expect(ended!.other.readyState).toBeGreaterThanOrEqual(3); // HAVE_FUTURE_DATA
    const nextDeck = 1 - ended!.deck;
    const started = log.find((e) => e.type === 'playing' && e.deck === nextDeck && isTrack(second)(e.src));
    expect(started, JSON.stringify(log)).toBeDefined();
    expect(started!.at).toBeGreaterThanOrEqual(ended!.at);
    // Loaded once, ahead, and not again when its turn came.
    expect(log.filter((e) => e.type === 'loadstart' && e.deck === nextDeck && isTrack(second)(e.src))).toHaveLength(1);
    // The page's "current audio" is now that deck.
    const current = await page.evaluate(() => document.querySelector<HTMLAudioElement>('audio[data-testid="player-audio"]')!.currentSrc);
    expect(current).toMatch(new RegExp(`/media/${second}$`));
    console.info(`gapless: the second song started ${Math.round(started!.at - ended!.at)} ms after the first ended`);
  });

  it('with a crossfade, plays both decks at once while the first song blends into the second', async () => {
    await page.getByTestId('play-pause').click();
    await gotoView(page, 'settings');
    const slider = page.getByTestId('setting-crossfade');
    await slider.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('crossfade-value').textContent()).toMatch(/^\s*3 s\s*$/);
    await page.getByTestId('setting-levelling').selectOption('album');
    await expect
      .poll(() => app.backend.library.store.settings.get<PlayerState>('playerState'), { timeout: 10_000 })
      .toMatchObject({ crossfadeSec: 3, levelling: 'album' });
    await gotoView(page, 'songs');
    await clearLog();
    await playFirst();
    await expect.poll(nowPlaying, { timeout: 15_000 }).toBe('First Tone');
    // The second song takes over as the blend starts, before the first has ended.
    await expect.poll(nowPlaying, { timeout: 30_000 }).toBe('Second Tone');
    await expect.poll(async () => (await deckLog()).some(endOf(first)), { timeout: 15_000 }).toBe(true);
    const log = await deckLog();
    const ended = log.find(endOf(first))!;
    // As the first song ended, the second was playing on the other deck, and had been for a while.
    expect(ended.other.src).toMatch(new RegExp(`/media/${second}$`));
    expect(ended.other.paused).toBe(false);
    expect(ended.other.time).toBeGreaterThan(1);
    const started = log.find((e) => e.type === 'playing' && isTrack(second)(e.src))!;
    expect(started.at).toBeLessThan(ended.at);
    // Then the old deck is stopped and the second song plays alone.
    await expect
      .poll(() =>
        page.evaluate(() => [...document.querySelectorAll('audio')].map((a) => (a.paused ? 'paused' : a.currentSrc.replace(/.*\//, '')))),
      )
      .toEqual(expect.arrayContaining(['paused', String(second)]));
  });
});
