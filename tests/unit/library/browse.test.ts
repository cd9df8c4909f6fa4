/**
 * Browsing a library of real files in the real database: natural sort, tags from the folders where
 * the files have none, every sort both ways off an index, filters, genre search, the artist, album
 * and genre views, covers (embedded, then beside the music, never through a link out of it), files
 * that are no music, and formats that are counted instead of read.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibraryDatabase } from '../../../src/main/library/database.js';
import { LibraryStore } from '../../../src/main/library/libraryStore.js';
import { mediaResponse, trackCover } from '../../../src/main/library/mediaAccess.js';
import { scanFolder } from '../../../src/main/library/scanner.js';
import { sortKey } from '../../../src/main/library/sortKey.js';
import { readFileTags } from '../../../src/main/library/tagReader.js';
import { trackListQuery } from '../../../src/main/library/store/trackStore.js';
import type { ScanProgress, Track, TrackSort } from '../../../src/shared/library.js';
import { trackSortSchema } from '../../../src/shared/schemas.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'emotune-browse-'));
const music = join(root, 'music');
const outside = join(root, 'outside');
const dbPath = join(root, 'library.sqlite');
let store: LibraryStore;
let folderId: number;
let scan: ScanProgress;

/** A short tone encoded by ffmpeg, with any of ffmpeg's tags and, optionally, an embedded picture. */
async function tone(path: string, tags: Record<string, string> = {}, picture?: string): Promise<void> {
  const codec = path.endsWith('.mp3') ? ['-c:a', 'libmp3lame', '-id3v2_version', '3'] : path.endsWith('.flac') ? ['-c:a', 'flac'] : [];
  const pictureArgs = picture ? ['-i', picture, '-map', '0:a', '-map', '1:v', '-c:v', 'copy', '-disposition:v', 'attached_pic'] : [];
  const meta = Object.entries(tags).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', ...pictureArgs, ...codec, ...meta, path]);
}

async function jpeg(path: string, red: number): Promise<void> {
  await sharp({ create: { width: 40, height: 20, channels: 3, background: { r: red, g: 20, b: 20 } } })
    .jpeg()
    .toFile(path);
}

const titles = (tracks: readonly Track[]) => tracks.map((t) => t.title);
const byTitle = (title: string) => store.tracks.list({}).find((t) => t.title === title)!;

beforeAll(async () => {
  const ocarina = join(music, 'Koji Kondo', 'Ocarina');
  for (const dir of [ocarina, join(music, 'tagged'), join(music, 'bad'), join(music, 'tracker'), join(music, 'linked'), outside]) {
    mkdirSync(dir, { recursive: true });
  }
  // Untagged, as the issue found them: only the file names tell them apart.
  for (const n of [11, 2, 10, 1]) await tone(join(ocarina, `track${n}.mp3`));
  await jpeg(join(ocarina, 'Cover.JPG'), 200);
  await tone(join(music, 'loose.ogg'));

  const art = join(root, 'art.jpg');
  await jpeg(art, 90);
  await tone(
    join(music, 'tagged', 'a.flac'),
    { title: 'Alpha', artist: 'Band', album: 'First', album_artist: 'Band', track: '2', disc: '1', genre: 'Chiptune', date: '1998' },
    art,
  );
  await tone(join(music, 'tagged', 'b.flac'), {
    title: 'Beta',
    artist: 'Band',
    album: 'First',
    track: '1',
    genre: 'Chiptune',
    date: '1998',
  });
  await tone(join(music, 'tagged', 'c.mp3'), {
    title: 'Gamma',
    artist: 'Other',
    album: 'Comp',
    album_artist: 'Various',
    track: '1/2',
    genre: 'Rock',
    date: '2005',
  });
  await tone(join(music, 'tagged', 'd.mp3'), {
    title: 'Delta',
    artist: 'Bänd',
    album: 'comp',
    album_artist: 'Various',
    track: '2/2',
    genre: 'rock',
    date: '2004',
  });
  // A folder cover that is a link out of the library is no cover.
  await jpeg(join(outside, 'secret.jpg'), 10);
  symlinkSync(join(outside, 'secret.jpg'), join(music, 'linked', 'folder.jpg'));
  await tone(join(music, 'linked', 'song.ogg'), { title: 'Linked' });

  // Files that are no music.
  writeFileSync(join(music, 'bad', 'random.mp3'), randomBytes(20_000));
  const whole = join(root, 'whole.mp3');
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=6', '-c:a', 'libmp3lame', '-metadata', 'title=Cut', whole]);
  const bytes = readFileSync(whole);
  const id3 = 10 + ((bytes[6]! << 21) | (bytes[7]! << 14) | (bytes[8]! << 7) | bytes[9]!);
  writeFileSync(join(music, 'bad', 'cut.mp3'), bytes.subarray(0, id3 + 300)); // the tags and part of one frame
  writeFileSync(join(music, 'bad', 'half.mp3'), bytes.subarray(0, Math.floor(bytes.length * 0.4)));

  // Formats Emotune does not play, and files that are not audio at all.
  writeFileSync(join(music, 'tracker', 'title.xm'), 'Extended Module: ');
  writeFileSync(join(music, 'tracker', 'BOSS.XM'), 'Extended Module: ');
  writeFileSync(join(music, 'tracker', 'intro.mid'), 'MThd');
  writeFileSync(join(music, 'tracker', 'notes.txt'), 'not music');

  store = new LibraryStore(openLibraryDatabase(dbPath));
  folderId = store.folders.add(music).id;
  scan = await scanFolder(store, folderId, music);
});

afterAll(() => store.close());

describe('tags and their fallbacks', () => {
  it('reads track and disc number, genre, year and album artist', () => {
    expect(byTitle('Alpha')).toMatchObject({
      artist: 'Band',
      album: 'First',
      albumArtist: 'Band',
      trackNo: 2,
      discNo: 1,
      genre: 'Chiptune',
      year: 1998,
      error: null,
    });
    expect(byTitle('Gamma')).toMatchObject({ albumArtist: 'Various', trackNo: 1, discNo: null, genre: 'Rock', year: 2005 });
  });

  it('takes the title from the file name, the album from its folder and the artist from the folder above', () => {
    expect(byTitle('track10')).toMatchObject({ artist: 'Koji Kondo', album: 'Ocarina', albumArtist: '', trackNo: null, genre: '' });
    // The library folder's own name ("music") is never a tag: a file at its top has no album or artist.
    expect(byTitle('loose')).toMatchObject({ artist: '', album: '' });
    expect(byTitle('Linked')).toMatchObject({ album: 'linked', artist: '' });
  });

  it('sorts naturally: track2 before track10, whatever the case and accents', () => {
    expect(titles(store.tracks.list({ album: 'Ocarina', sort: 'title' }))).toEqual(['track1', 'track2', 'track10', 'track11']);
    expect(titles(store.tracks.list({ album: 'Ocarina', sort: 'title', direction: 'desc' }))).toEqual([
      'track11',
      'track10',
      'track2',
      'track1',
    ]);
    expect(sortKey('Track 2') < sortKey('track 10')).toBe(true);
    expect(sortKey('Émile')).toBe(sortKey('emile'));
    expect(sortKey('disc 007')).toBe(sortKey('Disc 7'));
  });
});

describe('sorting, filtering and searching in SQL', () => {
  const sorts = trackSortSchema.options;

  it.each(sorts)('sorts by %s both ways, one the reverse of the other', (sort: TrackSort) => {
    const asc = store.tracks.list({ sort, direction: 'asc' }).map((t) => t.id);
    const desc = store.tracks.list({ sort, direction: 'desc' }).map((t) => t.id);
    expect(asc).toHaveLength(store.tracks.count());
    expect(desc).toEqual([...asc].reverse());
    // Paging gives the same order, a page at a time.
    const pages = [0, 5, 10, 15].flatMap((offset) => store.tracks.list({ sort, direction: 'asc', offset, limit: 5 }).map((t) => t.id));
    expect(pages).toEqual(asc);
  });

  it('orders by the values asked for', () => {
    const years = store.tracks.list({ sort: 'year', direction: 'desc' }).map((t) => t.year ?? null);
    expect(years.slice(0, 4)).toEqual([2005, 2004, 1998, 1998]);
    expect(titles(store.tracks.list({ album: 'First', sort: 'trackNo' }))).toEqual(['Beta', 'Alpha']);
    expect(titles(store.tracks.list({ genre: 'chiptune', sort: 'artist' }))).toEqual(['Beta', 'Alpha']); // disc 1 track 2 after no disc, track 1
    const genres = store.tracks.list({ sort: 'genre' }).map((t) => t.genre);
    expect(genres.filter((g) => g !== '')).toEqual(['Chiptune', 'Chiptune', 'rock', 'Rock']); // rock: Bänd's before Other's
    // added: newest first unless asked otherwise, as before.
    expect(store.tracks.list({ sort: 'added' }).map((t) => t.id)).toEqual(
      store.tracks.list({ sort: 'added', direction: 'desc' }).map((t) => t.id),
    );
  });

  it('reads every sort of a page off an index, in either direction, without sorting the table', () => {
    const db = new Database(dbPath, { readonly: true });
    try {
      for (const sort of sorts) {
        for (const direction of ['asc', 'desc'] as const) {
          const { sql, params } = trackListQuery({ sort, direction, offset: 100, limit: 50 });
          const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join('\n');
          expect(plan, `${sort} ${direction}`).not.toMatch(/TEMP B-TREE/);
          // `added` is the rowid's order, the table's own.
          expect(plan, `${sort} ${direction}`).toMatch(sort === 'added' ? /^SCAN t\b/ : /USING (COVERING )?INDEX tracks_by_/);
        }
      }
    } finally {
      db.close();
    }
  });

  it('filters by artist, album with its album artist, genre and mood, case and accents aside', () => {
    expect(titles(store.tracks.list({ artist: 'band', sort: 'title' }))).toEqual(['Alpha', 'Beta', 'Delta']);
    expect(titles(store.tracks.list({ album: 'COMP', albumArtist: 'various', sort: 'trackNo' }))).toEqual(['Gamma', 'Delta']);
    expect(titles(store.tracks.list({ genre: 'ROCK', sort: 'title' }))).toEqual(['Delta', 'Gamma']);
    expect(store.tracks.count({ artist: '' })).toBe(store.tracks.list({ artist: '' }).length);
    expect(store.tracks.count({ genre: 'rock', artist: 'other' })).toBe(1);
    store.tracks.setUserMood([byTitle('Beta').id], 'calm');
    store.tracks.setMood(byTitle('Gamma').id, 'audio', { mood: 'calm', confidence: 0.6 });
    store.tracks.setMood(byTitle('Alpha').id, 'audio', { mood: 'calm', confidence: 0.6 });
    store.tracks.setUserMood([byTitle('Alpha').id], 'happy'); // the user's tag wins over the estimate
    expect(titles(store.tracks.list({ mood: 'calm', sort: 'title' }))).toEqual(['Beta', 'Gamma']);
    expect(titles(store.tracks.list({ mood: 'happy' }))).toEqual(['Alpha']);
    expect(store.tracks.count({ mood: 'calm', genre: 'chiptune' })).toBe(1);
  });

  it('searches genre and album artist too', () => {
    expect(titles(store.tracks.list({ query: 'chip', sort: 'title' }))).toEqual(['Alpha', 'Beta']);
    expect(titles(store.tracks.list({ query: 'various', sort: 'title' }))).toEqual(['Delta', 'Gamma']);
    expect(titles(store.tracks.list({ query: 'rock other' }))).toEqual(['Gamma']);
    expect(titles(store.tracks.list({ query: 'kondo', sort: 'title' }))).toEqual(['track1', 'track2', 'track10', 'track11']);
  });
});

describe('artist, album and genre views', () => {
  it('lists artists with their track and album counts and a cover, by name both ways or by size', () => {
    const artists = store.tracks.artists();
    expect(artists.map((a) => a.name)).toEqual(['', 'Band', 'Koji Kondo', 'Other']);
    expect(artists.find((a) => a.name === 'Band')).toMatchObject({ trackCount: 3, albumCount: 2, coverTrackId: byTitle('Alpha').id });
    expect(artists.find((a) => a.name === 'Koji Kondo')).toMatchObject({ trackCount: 4, albumCount: 1 });
    expect(store.tracks.artists({ direction: 'desc' }).map((a) => a.name)).toEqual(['Other', 'Koji Kondo', 'Band', '']);
    expect(store.tracks.artists({ sort: 'trackCount', limit: 2 }).map((a) => a.name)).toEqual(['', 'Koji Kondo']);
    expect(store.tracks.artists({ offset: 3 }).map((a) => a.name)).toEqual(['Other']);
  });

  it('lists albums under their album artist, with year, count and cover, also for one artist', () => {
    const albums = store.tracks.albums();
    expect(albums.filter((a) => a.album !== '')).toEqual(
      [
        { album: 'Comp', artist: 'Various', year: 2005, trackCount: 2, coverTrackId: null },
        { album: 'First', artist: 'Band', year: 1998, trackCount: 2, coverTrackId: byTitle('Alpha').id },
        { album: 'linked', artist: '', year: null, trackCount: 1, coverTrackId: null },
        { album: 'Ocarina', artist: 'Koji Kondo', year: null, trackCount: 4, coverTrackId: byTitle('track1').id },
        { album: 'bad', artist: '', year: null, trackCount: 3, coverTrackId: null },
      ].sort((a, b) => sortKey(a.album).localeCompare(sortKey(b.album))),
    );
    // Band plays on Comp (Delta, as "Bänd") and is the album artist of First: both albums, whole.
    expect(store.tracks.albums({ artist: 'band' }).map((a) => `${a.album}/${a.trackCount}`)).toEqual(['Comp/2', 'First/2']);
    expect(store.tracks.albums({ sort: 'year', direction: 'desc', limit: 2 }).map((a) => a.album)).toEqual(['Comp', 'First']);
    expect(store.tracks.albums({ sort: 'trackCount', limit: 1 }).map((a) => a.album)).toEqual(['Ocarina']);
  });

  it('lists genres with their counts, case aside', () => {
    const genres = store.tracks.genres();
    expect(genres.filter((g) => g.name !== '')).toEqual([
      { name: 'Chiptune', trackCount: 2 },
      { name: 'Rock', trackCount: 2 },
    ]);
    expect(genres[0]).toEqual({ name: '', trackCount: store.tracks.count({ genre: '' }) });
  });
});

describe('covers', () => {
  it('uses the embedded picture first, then an image named cover, folder or front beside the music', async () => {
    expect(byTitle('Alpha')).toMatchObject({ hasCover: true, coverSource: 'embedded' });
    expect(byTitle('Beta')).toMatchObject({ hasCover: false, coverSource: null });
    expect(byTitle('track2')).toMatchObject({ hasCover: true, coverSource: 'folder' });
    const track = byTitle('track2');
    const cover = await trackCover(store, track.id, track.path);
    expect(cover?.contentType).toBe('image/jpeg');
    expect(Buffer.from(cover!.data).equals(readFileSync(join(music, 'Koji Kondo', 'Ocarina', 'Cover.JPG')))).toBe(true);
    const embedded = await mediaResponse(store, 'cover', String(byTitle('Alpha').id), { method: 'GET' });
    expect(embedded).toMatchObject({ status: 200, headers: { 'content-type': 'image/jpeg' } });
    // Served as it is: the picture ffmpeg embedded, byte for byte, at its own size.
    expect((await sharp(embedded.body as Uint8Array).metadata()).width).toBe(40);
  });

  it('takes no cover through a link that leads out of the library', async () => {
    const linked = byTitle('Linked');
    expect(linked).toMatchObject({ hasCover: false, coverSource: null });
    expect((await mediaResponse(store, 'cover', String(linked.id), { method: 'GET' })).status).toBe(404);
  });

  it('notices a cover added beside tracks that did not change, and one removed', async () => {
    await jpeg(join(music, 'tagged', 'front.png'), 50); // JPEG bytes under a .png name: still an image
    await scanFolder(store, folderId, music);
    expect(byTitle('Beta')).toMatchObject({ hasCover: true, coverSource: 'folder' });
    expect(byTitle('Alpha').coverSource).toBe('embedded');
    rmSync(join(music, 'tagged', 'front.png'));
    writeFileSync(join(music, 'tagged', 'cover.jpg'), 'not an image');
    await scanFolder(store, folderId, music);
    expect(byTitle('Beta')).toMatchObject({ hasCover: false, coverSource: null });
  });

  it('refuses to serve a cover that became a link out of the library after the scan', async () => {
    const cover = join(music, 'Koji Kondo', 'Ocarina', 'Cover.JPG');
    rmSync(cover);
    symlinkSync(join(outside, 'secret.jpg'), cover);
    const track = byTitle('track1');
    expect(await trackCover(store, track.id, track.path)).toBeNull();
    expect((await mediaResponse(store, 'cover', String(track.id), { method: 'GET' })).status).toBe(404);
  });
});

describe('only real music', () => {
  it('lists files that hold no audio as unreadable, with the reason in plain words, never as 0:00 tracks', () => {
    const errors = Object.fromEntries(
      store.tracks.list({ album: 'bad' }).map((t) => [t.title, { error: t.error, durationSec: t.durationSec }]),
    );
    expect(errors).toEqual({
      'random.mp3': { error: expect.stringMatching(/^not an audio file/), durationSec: null },
      'cut.mp3': { error: 'the file ends before any audio', durationSec: null },
      'half.mp3': { error: expect.stringMatching(/^the file ends after about 0:0\d of the 0:06 its header promises/), durationSec: null },
    });
    expect(scan.failed).toBe(3);
    expect(store.tracks.list({}).filter((t) => t.error === null && !((t.durationSec ?? 0) > 0))).toEqual([]);
    // The list of a folder's unreadable files, and the rest, as the folder settings show them.
    const unreadable = { folderId, unreadable: true } as const;
    expect(titles(store.tracks.list({ ...unreadable, sort: 'title' }))).toEqual(['cut.mp3', 'half.mp3', 'random.mp3']);
    expect(store.tracks.count(unreadable)).toBe(3);
    expect(store.tracks.count({ folderId, unreadable: false })).toBe(store.tracks.count({}) - 3);
    expect(store.tracks.count({ folderId: folderId + 1000 })).toBe(0);
  });

  it('refuses random bytes however they are named, and reads the real thing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emotune-noise-'));
    for (const ext of ['mp3', 'aac', 'flac', 'm4a', 'ogg', 'wav']) {
      for (let i = 0; i < 20; i++) {
        const path = join(dir, `noise-${i}.${ext}`);
        writeFileSync(path, randomBytes(4000 + 1000 * i));
        await expect(readFileTags(path), path).rejects.toThrow(
          /^(not an audio file|the file ends before any audio|the file is cut short|the file holds no audio|cannot read it as audio)/,
        );
      }
    }
    const aac = join(dir, 'real.aac');
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=2', '-c:a', 'aac', aac]);
    expect(await readFileTags(aac)).toMatchObject({ codec: 'AAC', durationSec: expect.closeTo(2, 0) });
    // Cut inside its ID3 tag, before the first frame.
    writeFileSync(join(dir, 'tag-only.mp3'), readFileSync(join(root, 'whole.mp3')).subarray(0, 20));
    await expect(readFileTags(join(dir, 'tag-only.mp3'))).rejects.toThrow('the file ends before any audio');
  });

  it('counts and names the files of formats it cannot play, in the scan and on the folder', () => {
    expect(scan.unsupported).toEqual({ '.xm': 2, '.mid': 1 });
    expect(scan.message).toMatch(/3 file\(s\) in formats Emotune cannot play were left out: \.xm 2, \.mid 1/);
    expect(store.folders.list()[0]).toMatchObject({ unsupported: { '.xm': 2, '.mid': 1 }, demo: false, suggestRemoval: false });
  });
});
