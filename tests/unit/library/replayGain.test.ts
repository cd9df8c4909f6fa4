/** ReplayGain from the tags of files ffmpeg makes, read at scan time and given on each Track. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { readFileTags } from '../../../src/main/library/tagReader.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'emotune-replaygain-'));
const music = join(root, 'music');
let service: LibraryService;

async function encode(name: string, codec: string, tags: Record<string, string>, id3v2Version?: string): Promise<string> {
  const path = join(music, name);
  const metadata = Object.entries(tags).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]);
  const id3 = id3v2Version === undefined ? [] : ['-id3v2_version', id3v2Version];
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', codec, ...id3, ...metadata, path]);
  return path;
}

const full = {
  REPLAYGAIN_TRACK_GAIN: '-6.5 dB',
  REPLAYGAIN_TRACK_PEAK: '0.988',
  REPLAYGAIN_ALBUM_GAIN: '-7.25 dB',
  REPLAYGAIN_ALBUM_PEAK: '1.002',
};

beforeAll(async () => {
  mkdirSync(music);
  await encode('full.mp3', 'libmp3lame', { title: 'Full MP3', ...full }, '4');
  await encode('old-id3.mp3', 'libmp3lame', { title: 'ID3v2.3', replaygain_track_gain: '+2.10 dB' }, '3');
  await encode('full.flac', 'flac', { title: 'Full FLAC', ...full });
  await encode('track-only.flac', 'flac', { title: 'Track only', REPLAYGAIN_TRACK_GAIN: '3 dB' });
  await encode('nonsense.flac', 'flac', { title: 'Nonsense', REPLAYGAIN_TRACK_GAIN: 'loud', REPLAYGAIN_ALBUM_GAIN: '-900 dB' });
  await encode('none.flac', 'flac', { title: 'None' });
  service = new LibraryService(join(root, 'data'), { scanProgress: () => undefined, changed: () => undefined }, { watch: false });
  await service.addFolder(music);
  await service.idle();
});

afterAll(() => service.close());

const byTitle = (title: string) => service.listTracks({}).find((t) => t.title === title)!;

describe('ReplayGain', () => {
  it.each(['Full MP3', 'Full FLAC'])('is read from the tags of %s, gains in dB and peaks as amplitudes', (title) => {
    expect(byTitle(title).replayGain).toEqual({ trackGainDb: -6.5, trackPeak: 0.988, albumGainDb: -7.25, albumPeak: 1.002 });
  });

  it('takes what there is: a track gain alone, in ID3v2.3 too, in any case and with a plus sign', () => {
    expect(byTitle('ID3v2.3').replayGain).toEqual({ trackGainDb: 2.1, trackPeak: null, albumGainDb: null, albumPeak: null });
    expect(byTitle('Track only').replayGain).toEqual({ trackGainDb: 3, trackPeak: null, albumGainDb: null, albumPeak: null });
  });

  it('is null for a file without it, and for values no tagger writes', () => {
    expect(byTitle('None').replayGain).toBeNull();
    expect(byTitle('Nonsense').replayGain).toBeNull();
  });

  it('is what the tag reader gives, and survives the database', async () => {
    expect((await readFileTags(join(music, 'full.flac'))).replayGain).toEqual(byTitle('Full FLAC').replayGain);
    expect(service.store.tracks.getByPath(join(music, 'full.mp3'))?.replayGain).toMatchObject({ trackGainDb: -6.5 });
  });
});
