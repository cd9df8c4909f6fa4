import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatM3u, parseM3u } from '../../../src/main/library/m3u.js';
import type { Track } from '../../../src/shared/library.js';

const dir = mkdtempSync(join(tmpdir(), 'emotune-m3u-'));

describe('M3U playlists', () => {
  it('reads relative, absolute and file:// entries, skipping comments, blanks, streams and a BOM', () => {
    const text = `\uFEFF#EXTM3U\r\n#EXTINF:123,Artist - Song\r\n../music/a song.mp3\r\n\r\n/abs/b.flac\r\n${pathToFileURL(join(dir, 'music', 'ç é.ogg')).href}\r\nhttp://radio.example/stream\r\nsub\\c.opus\r\n`;
    expect(parseM3u(text, join(dir, 'lists'))).toEqual([
      join(dir, 'music', 'a song.mp3'),
      '/abs/b.flac',
      join(dir, 'music', 'ç é.ogg'),
      join(dir, 'lists', 'sub', 'c.opus'),
    ]);
    // without the playlist's folder, relative entries stay relative
    expect(parseM3u(text)).toEqual(['../music/a song.mp3', '/abs/b.flac', join(dir, 'music', 'ç é.ogg'), 'sub/c.opus']);
  });

  it('writes extended M3U that reads back to the same files', () => {
    const tracks = [
      { path: join(dir, 'x.mp3'), title: 'X', artist: 'Y', durationSec: 61.4 },
      { path: join(dir, 'z.flac'), title: 'Line\nbreak', artist: '', durationSec: null },
    ] as Track[];
    const text = formatM3u(tracks);
    expect(text).toBe(`#EXTM3U\n#EXTINF:61,Y - X\n${tracks[0]!.path}\n#EXTINF:-1,Line break\n${tracks[1]!.path}\n`);
    expect(parseM3u(text)).toEqual(tracks.map((t) => t.path));
  });

  it('never writes a control character: a path that holds one becomes a file:// URL', () => {
    const evil = join(dir, 'song\necho pwned >> ~/.bashrc\n.mp3');
    const tracks = [{ path: evil, title: 'T\u0007\u2028x', artist: 'A\rB', durationSec: 3 }] as Track[];
    const text = formatM3u(tracks);
    expect(text.split('\n')).toEqual(['#EXTM3U', '#EXTINF:3,A B - T  x', pathToFileURL(evil).href, '']);
    // eslint-disable-next-line no-control-regex -- looking for exactly those characters
    expect(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(text)).toBe(false);
    expect(parseM3u(text)).toEqual([evil]); // and it still names the same file
  });
});
