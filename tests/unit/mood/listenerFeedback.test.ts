/**
 * Scripted listening sessions through the mood service, with real files and SQLite: what skips,
 * "not this mood" and plays the listener starts themselves teach the next-track choice.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { MoodService } from '../../../src/main/mood/moodService.js';
import type { Track } from '../../../src/shared/library.js';
import { makeAudioFile } from '../../support/audioFiles.js';

let library: LibraryService;
let moods: MoodService;
const byTitle = (title: string): Track => library.listTracks({}).find((t) => t.title === title)!;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'emotune-feedback-'));
  const music = join(root, 'music');
  mkdirSync(music);
  for (const title of ['Rain', 'Grey', 'Letters', 'Harbour']) {
    await makeAudioFile(music, { name: title.toLowerCase(), format: 'flac', title, mood: 'sad' });
  }
  library = new LibraryService(join(root, 'data'), { scanProgress: () => undefined, changed: () => undefined }, { watch: false });
  moods = new MoodService(library);
  await library.addFolder(music);
  await library.idle();
});

afterAll(() => library.close());

/** The loop picks a track for the listener's face and plays it; returns the pick. */
function loopPlays(expression: 'sadness' | 'happiness', current?: number): Track | undefined {
  const choice = moods.chooseNext(expression, 'match', current);
  if (choice) moods.recordPlay(choice.track.id, { expression, mode: 'match', reason: choice.reason });
  return choice?.track;
}

describe('learning from the listener', () => {
  it('rules a mood out for a track skipped twice soon after the loop picked it for that mood', () => {
    const rain = byTitle('Rain');
    for (let i = 0; i < 2; i++) {
      moods.recordPlay(rain.id, { expression: 'sadness', mode: 'match', reason: 'you look sad; match mode; tagged sad in the file' });
      expect(moods.feedback(rain.id, 'skipped', 8)).toBe(true);
    }
    const listener = byTitle('Rain').moods.find((m) => m.source === 'listener');
    expect(listener).toMatchObject({ mood: null, raw: 'not sad for you: you skipped it twice when you looked sad' });
    // The file's tag still says sad, but the loop no longer picks it for a sad face.
    expect(byTitle('Rain').mood).toMatchObject({ source: 'file', mood: 'sad' });
    const picks = new Set<number>();
    let current: number | undefined;
    for (let i = 0; i < 12; i++) current = loopPlays('sadness', current)?.id ?? current;
    for (let i = 0; i < 12; i++) picks.add(moods.chooseNext('sadness', 'match', i % 2 ? byTitle('Grey').id : undefined)!.track.id);
    expect(picks.has(rain.id)).toBe(false);
    expect(picks.size).toBeGreaterThan(0);
  });

  it('does not count a late skip, or a skip of a track the listener chose', () => {
    const grey = byTitle('Grey');
    moods.recordPlay(grey.id, { expression: 'sadness', mode: 'match', reason: 'you look sad; match mode' });
    expect(moods.feedback(grey.id, 'skipped', 95)).toBe(false);
    moods.recordPlay(grey.id, { byHand: true });
    expect(moods.feedback(grey.id, 'skipped', 3)).toBe(false);
    expect(byTitle('Grey').moods.some((m) => m.source === 'listener')).toBe(false);
  });

  it('learns a mood from tracks the listener plays themselves, and says so when it picks one', () => {
    const letters = byTitle('Letters');
    moods.recordPlay(letters.id, { byHand: true, expression: 'happiness', mode: 'match' });
    expect(byTitle('Letters').mood).toMatchObject({ source: 'file', mood: 'sad' }); // once is not enough
    moods.recordPlay(letters.id, { byHand: true, expression: 'happiness', mode: 'match' });
    expect(byTitle('Letters').mood).toMatchObject({
      source: 'listener',
      mood: 'happy',
      raw: 'you played it yourself twice when you looked happy',
    });
    const choice = moods.chooseNext('happiness', 'match');
    expect(choice?.track.id).toBe(letters.id);
    expect(choice?.reason).toBe(
      'you look happy; match mode; learned happy from your listening (you played it yourself twice when you looked happy)',
    );
  });

  it('takes "not this mood" at once, and the listener’s own tag still wins over what was learned', () => {
    const harbour = byTitle('Harbour');
    expect(moods.feedback(harbour.id, 'not-this-mood')).toBe(true);
    expect(byTitle('Harbour').moods.find((m) => m.source === 'listener')?.raw).toBe('not sad for you: you said it was not sad');
    for (let i = 0; i < 8; i++) expect(moods.chooseNext('sadness', 'match')?.track.id).not.toBe(harbour.id);

    library.setUserMood([byTitle('Letters').id], 'calm');
    expect(byTitle('Letters').mood).toMatchObject({ source: 'user', mood: 'calm' });
    expect(moods.feedback(999_999, 'not-this-mood')).toBe(false);
  });
});
