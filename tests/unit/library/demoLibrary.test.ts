/** The first-run demo library, through the real service: written, tagged, scanned, estimated. */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUDIO_MOOD_CARD } from '../../../src/main/appPaths.js';
import { AudioMoodEstimator } from '../../../src/main/mood/audioMoodEstimator.js';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { MoodService } from '../../../src/main/mood/moodService.js';
import { estimateWord, MOODS } from '../../../src/shared/mood.js';
import { makeAudioFile } from '../../support/audioFiles.js';

let service: LibraryService;
let moods: MoodService;
let changes = 0;

beforeAll(async () => {
  service = new LibraryService(
    mkdtempSync(join(tmpdir(), 'emotune-demo-')),
    { scanProgress: () => {}, changed: () => changes++ },
    { watch: false },
  );
  moods = new MoodService(service);
  await service.ensureDemoLibrary();
  await service.idle();
});

afterAll(() => service.close());

describe('demo library', () => {
  it('is written on first run with two tagged pieces per mood, and scanned', () => {
    const tracks = service.listTracks({});
    expect(tracks).toHaveLength(2 * MOODS.length);
    for (const mood of MOODS) expect(tracks.filter((t) => t.mood?.mood === mood && t.mood.source === 'file')).toHaveLength(2);
    expect(tracks.every((t) => t.error === null && (t.durationSec ?? 0) > 10 && t.artist === 'Emotune Demo Band')).toBe(true);
    expect(changes).toBeGreaterThan(0);
  });

  it('is not written again once the user has a library', async () => {
    expect(await service.ensureDemoLibrary()).toBeUndefined();
  });

  it('is written once when asked twice at the same time (the backend asks on start, a caller may too)', async () => {
    const fresh = new LibraryService(
      mkdtempSync(join(tmpdir(), 'emotune-demo-twice-')),
      { scanProgress: () => {}, changed: () => {} },
      { watch: false },
    );
    try {
      const first = fresh.ensureDemoLibrary();
      const second = fresh.ensureDemoLibrary();
      // The same run, not a second writer of the same files (which corrupts them when the writes interleave).
      expect(second).toBe(first);
      expect(await first).toBeDefined();
      await fresh.idle();
      expect(fresh.listFolders()).toHaveLength(1);
      const tracks = fresh.listTracks({});
      expect(tracks).toHaveLength(2 * MOODS.length);
      expect(tracks.every((t) => t.error === null)).toBe(true);
    } finally {
      fresh.close();
    }
  });

  it('plays a piece of the target mood with its reason', () => {
    const choice = moods.chooseNext('happiness', 'match', undefined);
    expect(choice?.track.mood?.mood).toBe('happy');
    expect(choice?.reason).toBe('you look happy; match mode; tagged happy in the file');
  });

  it('is, to the audio estimator, unlike the music it learned from, and it says so', async () => {
    // The pieces are synthesised tones: their file tags decide; an estimate of them could only be a guess.
    const estimator = new AudioMoodEstimator(DEFAULT_AUDIO_MOOD_CARD, { worker: false });
    for (const track of service.listTracks({})) {
      const estimate = await estimator.estimate(track.path);
      expect(estimate.unusual).toBe(true);
      expect(estimateWord(estimate.confidence)).toBe('a guess');
    }
  });
});

describe('demo library beside the listener’s own music', () => {
  it('is marked, offered for removal once their music is scanned, and never chosen for a mood their music has', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emotune-demo-own-'));
    const own = new LibraryService(dataDir, { scanProgress: () => {}, changed: () => {} }, { watch: false });
    const ownMoods = new MoodService(own);
    try {
      await own.ensureDemoLibrary();
      await own.idle();
      expect(own.listFolders()).toMatchObject([{ demo: true, suggestRemoval: false }]);
      // The demo folder alone: its pieces are what plays.
      expect(ownMoods.chooseNext('happiness', 'match')?.track.artist).toBe('Emotune Demo Band');

      const music = join(dataDir, 'My Music');
      mkdirSync(music);
      await makeAudioFile(music, { name: 'mine', format: 'ogg', title: 'Mine', artist: 'Me', mood: 'Happy' });
      await own.addFolder(music);
      await own.idle();
      const folders = own.listFolders();
      expect(folders.find((f) => f.path === music)).toMatchObject({ demo: false, suggestRemoval: false });
      const demoFolder = folders.find((f) => f.demo)!;
      expect(demoFolder.suggestRemoval).toBe(true);

      for (let i = 0; i < 3; i++) {
        const choice = ownMoods.chooseNext('happiness', 'match');
        expect(choice?.track.title).toBe('Mine');
        ownMoods.recordPlay(choice!.track.id, { expression: 'happiness', mode: 'match' });
      }
      // No sad music of their own: the demo's sad pieces stand in.
      expect(ownMoods.chooseNext('sadness', 'match')?.track).toMatchObject({ artist: 'Emotune Demo Band', mood: { mood: 'sad' } });

      expect(own.removeFolder(demoFolder.id)).toBe(true);
      expect(own.listTracks({}).map((t) => t.title)).toEqual(['Mine']);
      await expect.poll(() => existsSync(demoFolder.path)).toBe(false);
      expect(await own.ensureDemoLibrary()).toBeUndefined();
    } finally {
      await own.idle();
      own.close();
    }
  });

  it('is known as the demo in a library made before it was marked', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emotune-demo-old-'));
    const first = new LibraryService(dataDir, { scanProgress: () => {}, changed: () => {} }, { watch: false });
    const folder = (await first.ensureDemoLibrary())!;
    await first.idle();
    first.close();
    // As a version-2 library had it: no mark.
    const db = new Database(join(dataDir, 'library.sqlite'));
    db.prepare('UPDATE folders SET demo = 0').run();
    db.close();
    const again = new LibraryService(dataDir, { scanProgress: () => {}, changed: () => {} }, { watch: false });
    try {
      expect(again.listFolders()).toMatchObject([{ id: folder.id, demo: true }]);
    } finally {
      again.close();
    }
  });
});
