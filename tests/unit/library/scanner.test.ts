/** Scanning real files into the real SQLite database: incremental, robust to bad files. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openLibraryDatabase } from '../../../src/main/library/database.js';
import { LibraryStore } from '../../../src/main/library/libraryStore.js';
import { scanFolder } from '../../../src/main/library/scanner.js';
import type { ScanProgress } from '../../../src/shared/library.js';
import { AUDIO_FORMATS, makeAudioFile } from '../../support/audioFiles.js';

const root = mkdtempSync(join(tmpdir(), 'emotune-scan-'));
const music = join(root, 'music');
const moods: Record<string, string> = {
  mp3: 'Happy',
  'mp3-id3v23': 'chill',
  flac: 'Sad',
  ogg: 'Aggressive',
  opus: 'party',
  m4a: 'Neutral',
  wav: 'Sunny',
};

beforeAll(async () => {
  mkdirSync(join(music, 'album'), { recursive: true });
  for (const format of AUDIO_FORMATS) {
    await makeAudioFile(join(music, 'album'), { name: format, format, title: `T ${format}`, artist: 'A', album: 'B', mood: moods[format] });
  }
  const good = readFileSync(join(music, 'album', 'flac.flac'));
  writeFileSync(join(music, 'truncated.flac'), good.subarray(0, 60));
  writeFileSync(join(music, 'random.mp3'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 2654435761) % 251)));
  writeFileSync(join(music, 'cover.jpg'), 'not music');
  writeFileSync(join(music, 'notes.txt'), 'not music');
});

function openStore(): LibraryStore {
  return new LibraryStore(openLibraryDatabase(join(root, 'library.sqlite')));
}

describe('scanFolder', () => {
  it('adds every readable track with its tags and mood, and records unreadable files with their error', async () => {
    const store = openStore();
    const folder = store.folders.add(music);
    const events: ScanProgress[] = [];
    const result = await scanFolder(store, folder.id, music, { batchSize: 3, progressIntervalMs: 0, onProgress: (p) => events.push(p) });
    expect(result).toMatchObject({ phase: 'done', total: 9, done: 9, added: 7, failed: 2, removed: 0 });
    // Progress counts up to the total, naming the file at hand.
    expect(events.filter((e) => e.phase === 'reading').map((e) => e.done)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(events.some((e) => e.current?.endsWith('random.mp3'))).toBe(true);
    const tracks = store.tracks.list({ sort: 'title' });
    expect(tracks).toHaveLength(9);
    const byTitle = new Map(tracks.map((t) => [t.title, t]));
    expect(byTitle.get('T flac')).toMatchObject({
      artist: 'A',
      album: 'B',
      error: null,
      mood: { source: 'file', mood: 'sad', raw: 'Sad' },
    });
    expect(byTitle.get('T mp3-id3v23')?.mood).toMatchObject({ mood: 'calm', raw: 'chill' });
    expect(byTitle.get('T ogg')?.mood).toMatchObject({ mood: 'tense' });
    expect(byTitle.get('T opus')?.mood).toMatchObject({ mood: 'energetic' });
    expect(byTitle.get('T m4a')?.mood).toMatchObject({ mood: 'neutral' });
    expect(byTitle.get('T wav')?.mood).toMatchObject({ mood: 'happy', raw: 'Sunny' });
    const broken = tracks.filter((t) => t.error !== null).map((t) => t.path.split('/').pop());
    expect(broken.sort()).toEqual(['random.mp3', 'truncated.flac']);
    expect(store.folders.list()[0]).toMatchObject({ trackCount: 9, errorCount: 2 });
    store.close();
  });

  it('reads only new and changed files on the next scan, and drops vanished ones', async () => {
    const store = openStore();
    const folder = store.folders.list()[0]!;
    const unchanged = await scanFolder(store, folder.id, music);
    expect(unchanged).toMatchObject({ total: 0, added: 0, updated: 0, removed: 0 });

    const later = new Date(Date.now() + 5000);
    utimesSync(join(music, 'album', 'ogg.ogg'), later, later);
    rmSync(join(music, 'album', 'opus.opus'));
    await makeAudioFile(music, { name: 'new', format: 'mp3', title: 'Brand New' });
    const changed = await scanFolder(store, folder.id, music);
    expect(changed).toMatchObject({ total: 2, added: 1, updated: 1, removed: 1, failed: 0 });
    expect(store.tracks.count()).toBe(9);
    expect(store.tracks.list({ query: 'brand' }).map((t) => t.title)).toEqual(['Brand New']);
    store.close();
  });

  it('keeps the songs of a folder that has no music in it now (a drive not connected), and says so', async () => {
    const drive = join(root, 'drive');
    mkdirSync(drive);
    await makeAudioFile(drive, { name: 'one', format: 'mp3', title: 'One' });
    await makeAudioFile(drive, { name: 'two', format: 'ogg', title: 'Two' });
    const store = new LibraryStore(openLibraryDatabase(join(mkdtempSync(join(tmpdir(), 'emotune-drive-')), 'library.sqlite')));
    const folder = store.folders.add(drive);
    expect(await scanFolder(store, folder.id, drive)).toMatchObject({ added: 2 });
    // Unplugged: the mount point stays, empty.
    rmSync(join(drive, 'one.mp3'));
    rmSync(join(drive, 'two.ogg'));
    const progress: ScanProgress[] = [];
    await expect(scanFolder(store, folder.id, drive, { onProgress: (p) => progress.push(p) })).rejects.toThrow(
      /has no music in it now; if it is on a drive that is not connected, connect it and scan again\. Its 2 songs are kept/,
    );
    expect(progress.at(-1)).toMatchObject({ phase: 'failed' });
    expect(store.tracks.count({ folderId: folder.id })).toBe(2);
    // Back, with one song gone meanwhile: the scan goes on as usual.
    await makeAudioFile(drive, { name: 'one', format: 'mp3', title: 'One' });
    expect(await scanFolder(store, folder.id, drive)).toMatchObject({ phase: 'done', removed: 1 });
    expect(store.tracks.count({ folderId: folder.id })).toBe(1);
    store.close();
  });

  it('keeps the user’s mood when a file is rescanned, and lets it win over the file’s', async () => {
    const store = openStore();
    const folder = store.folders.list()[0]!;
    const track = store.tracks.list({ query: 'T flac' }).find((t) => t.title === 'T flac')!;
    store.tracks.setUserMood([track.id], 'happy');
    const later = new Date(Date.now() + 10_000);
    utimesSync(track.path, later, later);
    await scanFolder(store, folder.id, music);
    const again = store.tracks.get(track.id)!;
    expect(again.mood).toMatchObject({ source: 'user', mood: 'happy' });
    expect(again.moods.map((m) => m.source)).toEqual(['user', 'file']);
    store.close();
  });

  it('keeps links to files inside the folder and skips, with a note, links that lead outside it', async () => {
    const store = openStore();
    const linked = join(root, 'linked');
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(linked, { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    await makeAudioFile(linked, { name: 'real', format: 'ogg', title: 'Real' });
    await makeAudioFile(elsewhere, { name: 'outside', format: 'ogg', title: 'Outside' });
    symlinkSync(join(linked, 'real.ogg'), join(linked, 'alias.ogg'));
    symlinkSync(join(elsewhere, 'outside.ogg'), join(linked, 'escape.ogg'));
    symlinkSync('/etc/passwd', join(linked, 'passwd.mp3'));
    const folder = store.folders.add(linked);
    const progress = await scanFolder(store, folder.id, linked);
    const paths = store.tracks
      .list({})
      .map((t) => t.path)
      .filter((p) => p.startsWith(linked))
      .sort();
    expect(paths).toEqual([join(linked, 'alias.ogg'), join(linked, 'real.ogg')]);
    expect(progress.message).toMatch(/skipped 2 link\(s\) to files outside the folder/);
    store.close();
  });

  it('names the files whose names are not valid UTF-8 instead of losing them silently', async () => {
    const store = openStore();
    const odd = join(root, 'odd-names');
    mkdirSync(odd, { recursive: true });
    await makeAudioFile(odd, { name: 'fine', format: 'ogg', title: 'Fine' });
    writeFileSync(Buffer.from(`${odd}/latin1-caf\xe9.mp3`, 'latin1'), 'not read');
    const folder = store.folders.add(odd);
    const progress = await scanFolder(store, folder.id, odd);
    expect(
      store.tracks
        .list({})
        .filter((t) => t.path.startsWith(odd))
        .map((t) => t.title),
    ).toEqual(['Fine']);
    expect(progress.message).toMatch(/1 name\(s\) are not valid UTF-8 and cannot be read \(rename them\), e\.g\. .*latin1-caf/);
    store.close();
  });

  it('fails clearly on a folder it cannot read', async () => {
    const store = openStore();
    const missing = join(root, 'gone');
    const folder = store.folders.add(missing);
    await expect(scanFolder(store, folder.id, missing)).rejects.toThrow(/cannot read the folder .*gone: ENOENT/);
    store.close();
  });
});

describe('full-text search and sorting', () => {
  it('finds tracks by a prefix of title, artist or album, ignoring FTS syntax', () => {
    const store = openStore();
    expect(store.tracks.list({ query: 'fixt' })).toHaveLength(0);
    expect(
      store.tracks
        .list({ query: 'T m' })
        .map((t) => t.title)
        .sort(),
    ).toEqual(['T m4a', 'T mp3', 'T mp3-id3v23']);
    expect(store.tracks.list({ query: 'title:" OR * NEAR(' })).toEqual([]);
    const durations = store.tracks.list({ sort: 'duration' }).map((t) => t.durationSec ?? -1);
    expect(durations).toEqual([...durations].sort((a, b) => a - b));
    store.close();
  });
});
