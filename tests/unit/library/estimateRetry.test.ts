/** An estimate that failed for want of a decoder is tried again once the decoder is there, and only then. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { makeAudioFile } from '../../support/audioFiles.js';

afterEach(() => {
  delete process.env.EMOTUNE_FFMPEG;
});

describe('mood estimates that failed', () => {
  it('are retried when ffmpeg has been installed since, and not before', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emotune-retry-'));
    const music = join(root, 'music');
    mkdirSync(music);
    await makeAudioFile(music, { name: 'song', format: 'mp3', title: 'Song' });
    process.env.EMOTUNE_FFMPEG = join(root, 'no-such-ffmpeg'); // a machine without ffmpeg
    const service = new LibraryService(join(root, 'data'), { scanProgress: () => undefined, changed: () => undefined }, { watch: false });
    await service.addFolder(music);
    await service.idle();
    const failed = service.listTracks({})[0]!.moods;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ source: 'audio', mood: null });
    expect(failed[0]!.raw).toMatch(/^no estimate \[estimator 1, wav\]: cannot decode \.mp3 files .* without ffmpeg/);
    expect(await service.estimateMissingMoods()).toBe(0); // same means: not tried again on every scan

    delete process.env.EMOTUNE_FFMPEG; // ffmpeg is on PATH now
    expect(await service.estimateMissingMoods()).toBe(1);
    expect(service.listTracks({})[0]!.moods[0]).toMatchObject({ source: 'audio', mood: expect.any(String) });
    service.close();
  });
});
