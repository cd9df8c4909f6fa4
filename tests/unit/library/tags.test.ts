/** Tag reading (music-metadata) and writing (node-taglib-sharp) on real files in every format. */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFile } from 'music-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileTags } from '../../../src/main/library/tagReader.js';
import { writeTags, TagWriteError } from '../../../src/main/library/tagWriter.js';
import { AUDIO_FORMATS, makeAudioFile } from '../../support/audioFiles.js';

const dir = mkdtempSync(join(tmpdir(), 'emotune-tags-'));
const files = new Map<string, string>();

beforeAll(async () => {
  for (const format of AUDIO_FORMATS) {
    files.set(
      format,
      await makeAudioFile(dir, {
        name: format,
        format,
        seconds: 2,
        title: `Song ${format}`,
        artist: 'The Testers',
        album: 'Fixtures',
        mood: 'Melancholic',
      }),
    );
  }
});

/** Where each format keeps its mood, as music-metadata names the native tag. */
const NATIVE_MOOD_ID: Record<string, RegExp> = {
  mp3: /^TMOO$/,
  'mp3-id3v23': /^TXXX:MOOD$/,
  flac: /^MOOD$/,
  ogg: /^MOOD$/,
  opus: /^MOOD$/,
  m4a: /^----:com\.apple\.iTunes:MOOD$/,
  wav: /^TMOO$/,
};

describe.each(AUDIO_FORMATS)('%s', (format) => {
  it('reads title, artist, album, duration, codec and the mood', async () => {
    const tags = await readFileTags(files.get(format)!);
    expect(tags).toMatchObject({ title: `Song ${format}`, artist: 'The Testers', album: 'Fixtures' });
    expect(tags.durationSec).toBeGreaterThan(1.9);
    expect(tags.durationSec).toBeLessThan(2.2);
    expect(tags.codec).toBeTruthy();
    expect(tags.moodText).toBe('Melancholic');
  });

  it('keeps the mood in the format’s own tag', async () => {
    const native = Object.values((await parseFile(files.get(format)!)).native).flat();
    expect(native.some((t) => NATIVE_MOOD_ID[format]!.test(t.id))).toBe(true);
  });

  it('writes a new mood that reads back, and removes it', async () => {
    const copy = join(dir, `rewrite-${format}${files.get(format)!.slice(files.get(format)!.lastIndexOf('.'))}`);
    copyFileSync(files.get(format)!, copy);
    writeTags(copy, { mood: 'Energetic' });
    expect((await readFileTags(copy)).moodText).toBe('Energetic');
    const native = Object.values((await parseFile(copy)).native).flat();
    // Exactly one mood tag: the old one was replaced, not duplicated.
    expect(native.filter((t) => /mood/i.test(t.id) || t.id === 'TMOO')).toHaveLength(1);
    writeTags(copy, { mood: null });
    expect((await readFileTags(copy)).moodText).toBeNull();
  });
});

describe('bad files', () => {
  it('refuses to read random bytes and truncated files', async () => {
    const junk = join(dir, 'junk.mp3');
    writeFileSync(junk, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    await expect(readFileTags(junk)).rejects.toThrow();
  });

  it('says which file it could not tag', () => {
    const junk = join(dir, 'not-audio.flac');
    writeFileSync(junk, 'plain text');
    expect(() => writeTags(junk, { mood: 'happy' })).toThrow(TagWriteError);
    expect(() => writeTags(junk, { mood: 'happy' })).toThrow(/not-audio\.flac/);
  });
});
