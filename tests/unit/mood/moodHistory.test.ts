/** The mood history: plays of the last days, by the listener's expression and the music's mood, from real SQLite. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { MoodService } from '../../../src/main/mood/moodService.js';
import { makeAudioFile } from '../../support/audioFiles.js';

let library: LibraryService;
let moods: MoodService;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'emotune-history-'));
  const music = join(root, 'music');
  mkdirSync(music);
  await makeAudioFile(music, { name: 'sun', format: 'flac', title: 'Sun', mood: 'happy' });
  await makeAudioFile(music, { name: 'rain', format: 'flac', title: 'Rain', mood: 'sad' });
  library = new LibraryService(join(root, 'data'), { scanProgress: () => undefined, changed: () => undefined }, { watch: false });
  moods = new MoodService(library);
  await library.addFolder(music);
  await library.idle();
});

afterAll(() => library.close());

describe('the mood history', () => {
  it('counts each day’s plays by expression and by the mood the music had, empty days included', () => {
    const now = new Date(2026, 10, 20, 18, 0);
    const at = (daysAgo: number, hour: number) => new Date(2026, 10, 20 - daysAgo, hour).getTime();
    const [sun, rain] = ['Sun', 'Rain'].map((t) => library.listTracks({}).find((x) => x.title === t)!);
    library.store.plays.record(sun!.id, { expression: 'happiness', musicMood: 'happy' }, at(2, 9));
    library.store.plays.record(rain!.id, { expression: 'sadness', musicMood: 'sad' }, at(2, 23));
    library.store.plays.record(rain!.id, { musicMood: 'sad' }, at(0, 8));
    library.store.plays.record(sun!.id, { expression: 'happiness', musicMood: 'happy' }, at(9, 12)); // before the range
    const { days } = moods.history(7, now);
    expect(days.map((d) => d.date)).toEqual([
      '2026-11-14',
      '2026-11-15',
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
    ]);
    expect(days[4]).toEqual({ date: '2026-11-18', plays: 2, expressions: { happiness: 1, sadness: 1 }, moods: { happy: 1, sad: 1 } });
    expect(days[6]).toEqual({ date: '2026-11-20', plays: 1, expressions: {}, moods: { sad: 1 } });
    expect(days.filter((d) => d.plays === 0)).toHaveLength(5);
  });

  it('records with each play the mood the track had then', () => {
    const sun = library.listTracks({}).find((x) => x.title === 'Sun')!;
    moods.recordPlay(sun.id, { expression: 'happiness', mode: 'match', reason: 'you look happy' });
    const today = moods.history(1).days[0]!;
    expect(today.moods.happy).toBeGreaterThanOrEqual(1);
    expect(today.expressions.happiness).toBeGreaterThanOrEqual(1);
  });
});
