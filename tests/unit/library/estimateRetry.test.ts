/** An estimate that failed for want of a working model (or decoder) is tried again once that has changed, and only then. */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIO_MOOD_CARD } from '../../../src/main/appPaths.js';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { MoodService } from '../../../src/main/mood/moodService.js';
import { makeAudioFile } from '../../support/audioFiles.js';

const events = { scanProgress: () => undefined, changed: () => undefined };

describe('mood estimates that failed', () => {
  it('are retried when the model can be read again, and not before', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emotune-retry-'));
    const music = join(root, 'music');
    mkdirSync(music);
    await makeAudioFile(music, { name: 'song', format: 'mp3', title: 'Song', seconds: 3 });
    const card = join(root, 'audio-mood.json');
    writeFileSync(card, '{"name": "half a card"');
    const broken = new LibraryService(join(root, 'data'), events, { watch: false });
    const brokenMoods = new MoodService(broken, { audioMoodCard: card });
    await broken.addFolder(music);
    await broken.idle();
    const failed = broken.listTracks({})[0]!.moods;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ source: 'audio', mood: null });
    expect(failed[0]!.raw).toMatch(/^no estimate \[estimator \d+, .*model unreadable\]: the audio mood model could not be read/);
    expect(await brokenMoods.estimateMissingMoods()).toBe(0); // same means: not tried again on every scan
    broken.close();

    copyFileSync(DEFAULT_AUDIO_MOOD_CARD, card); // a working model now
    const fixed = new LibraryService(join(root, 'data'), events, { watch: false });
    expect(await new MoodService(fixed, { audioMoodCard: card }).estimateMissingMoods()).toBe(1);
    expect(fixed.listTracks({})[0]!.moods[0]).toMatchObject({ source: 'audio', mood: expect.any(String) });
    fixed.close();
  });
});
