/** Tag reading (music-metadata) and writing (node-taglib-sharp) on real files in every format. */
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFile } from 'music-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTagsAtomically } from '../../../src/main/library/atomicTagWrite.js';
import { audioPayloadDigest } from '../../../src/main/library/audioPayload.js';
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

  it('writes atomically: the mood reads back, the sound is byte for byte the same, the mode is kept', async () => {
    const sub = mkdtempSync(join(dir, `atomic-${format}-`));
    const copy = join(sub, `song${files.get(format)!.slice(files.get(format)!.lastIndexOf('.'))}`);
    copyFileSync(files.get(format)!, copy);
    chmodSync(copy, 0o640);
    const sound = await audioPayloadDigest(copy);
    expect(sound).toMatch(/^[0-9a-f]{64}$/);
    // a mood much longer than the old one makes the tags grow, so the audio moves in the file
    await writeTagsAtomically(copy, { mood: 'Energetic and bright, a long mood to grow the tag block' });
    expect((await readFileTags(copy)).moodText).toBe('Energetic and bright, a long mood to grow the tag block');
    expect(await audioPayloadDigest(copy)).toBe(sound);
    expect(statSync(copy).mode & 0o777).toBe(0o640);
    expect(readdirSync(sub)).toEqual([copy.slice(sub.length + 1)]); // no copy left behind
  });
});

describe('the sound digest', () => {
  it('sees a change in the audio, not in the tags', async () => {
    const copy = join(dir, 'digest.flac');
    copyFileSync(files.get('flac')!, copy);
    const before = await audioPayloadDigest(copy);
    writeTags(copy, { mood: 'Calm' });
    expect(await audioPayloadDigest(copy)).toBe(before);
    const bytes = readFileSync(copy);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    writeFileSync(copy, bytes);
    expect(await audioPayloadDigest(copy)).not.toBe(before);
  });
});

describe('bad files', () => {
  it('refuses to read random bytes and truncated files', async () => {
    const junk = join(dir, 'junk.mp3');
    writeFileSync(junk, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    await expect(readFileTags(junk)).rejects.toThrow();
  });

  it('leaves a file it cannot tag as it was, and says which file and why', async () => {
    const junk = join(dir, 'half.flac');
    writeFileSync(junk, Buffer.concat([Buffer.from('fLaC'), Buffer.from([0x00, 0xff, 0xff, 0xff]), Buffer.alloc(10)]));
    const before = readFileSync(junk);
    await expect(writeTagsAtomically(junk, { mood: 'happy' })).rejects.toThrow(/cannot write tags to .*half\.flac/);
    expect(readFileSync(junk).equals(before)).toBe(true);
    await expect(writeTagsAtomically(join(dir, 'gone.mp3'), { mood: 'happy' })).rejects.toThrow(/the file is missing/);
    expect(readdirSync(dir).filter((f) => f.startsWith('.emotune-write-'))).toEqual([]);
  });

  it('says which file it could not tag', () => {
    const junk = join(dir, 'not-audio.flac');
    writeFileSync(junk, 'plain text');
    expect(() => writeTags(junk, { mood: 'happy' })).toThrow(TagWriteError);
    expect(() => writeTags(junk, { mood: 'happy' })).toThrow(/not-audio\.flac/);
  });
});
