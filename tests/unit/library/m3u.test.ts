import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readM3u, writeM3u } from '../../../src/main/library/m3u.js';
import type { Track } from '../../../src/shared/library.js';

const dir = mkdtempSync(join(tmpdir(), 'emotune-m3u-'));

describe('M3U playlists', () => {
  it('reads relative, absolute and file:// entries, skipping comments, blanks, streams and a BOM', async () => {
    mkdirSync(join(dir, 'lists'));
    const path = join(dir, 'lists', 'mix.m3u8');
    writeFileSync(
      path,
      `\uFEFF#EXTM3U\r\n#EXTINF:123,Artist - Song\r\n../music/a song.mp3\r\n\r\n/abs/b.flac\r\n${pathToFileURL(join(dir, 'music', 'ç é.ogg')).href}\r\nhttp://radio.example/stream\r\nsub\\c.opus\r\n`,
    );
    expect(await readM3u(path)).toEqual([
      join(dir, 'music', 'a song.mp3'),
      '/abs/b.flac',
      join(dir, 'music', 'ç é.ogg'),
      join(dir, 'lists', 'sub', 'c.opus'),
    ]);
  });

  it('writes extended M3U that reads back to the same files', async () => {
    const tracks = [
      { path: join(dir, 'x.mp3'), title: 'X', artist: 'Y', durationSec: 61.4 },
      { path: join(dir, 'z.flac'), title: 'Line\nbreak', artist: '', durationSec: null },
    ] as Track[];
    const path = join(dir, 'out.m3u');
    await writeM3u(path, tracks);
    expect(readFileSync(path, 'utf8')).toBe(`#EXTM3U\n#EXTINF:61,Y - X\n${tracks[0]!.path}\n#EXTINF:-1,Line break\n${tracks[1]!.path}\n`);
    expect(await readM3u(path)).toEqual(tracks.map((t) => t.path));
  });

  it('names the playlist it cannot read', async () => {
    await expect(readM3u(join(dir, 'missing.m3u'))).rejects.toThrow(/cannot read the playlist .*missing\.m3u: ENOENT/);
  });
});
