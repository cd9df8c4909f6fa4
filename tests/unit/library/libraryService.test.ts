/** The library service with real folders, files and SQLite: watching, estimates, write-back, playlists, bad input. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeWav } from '../../../src/main/audio/wav.js';
import { openLibraryDatabase } from '../../../src/main/library/database.js';
import { parseM3u } from '../../../src/main/library/m3u.js';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { MoodService } from '../../../src/main/mood/moodService.js';
import { LibraryStore } from '../../../src/main/library/libraryStore.js';
import { scanFolder } from '../../../src/main/library/scanner.js';
import { readFileTags } from '../../../src/main/library/tagReader.js';
import { makeAudioFile } from '../../support/audioFiles.js';

const root = mkdtempSync(join(tmpdir(), 'emotune-service-'));
const music = join(root, 'music');
let service: LibraryService;
let moods: MoodService;
let changes = 0;

function tone(path: string, freq: number, seconds = 3): void {
  const samples = new Float32Array(22050 * seconds).map((_, i) => 0.4 * Math.sin((2 * Math.PI * freq * i) / 22050));
  writeFileSync(path, encodeWav({ sampleRate: 22050, samples }));
}

beforeAll(async () => {
  mkdirSync(music);
  await makeAudioFile(music, { name: 'tagged', format: 'flac', title: 'Tagged', mood: 'Blueprint' });
  await makeAudioFile(music, { name: 'second', format: 'mp3', title: 'Second' });
  tone(join(music, 'untagged.wav'), 330);
  service = new LibraryService(join(root, 'data'), { scanProgress: () => {}, changed: () => changes++ }, { watch: true });
  moods = new MoodService(service);
  await service.addFolder(music);
  await service.idle();
});

afterAll(() => service.close());

const byTitle = (title: string) => service.listTracks({}).find((t) => t.title === title);

describe('LibraryService', () => {
  it('keeps an unknown mood word as raw text with no mood', () => {
    expect(byTitle('Tagged')?.moods).toEqual([{ source: 'file', mood: null, confidence: 0.9, raw: 'Blueprint' }]);
  });

  it('estimates a mood from the audio for untagged tracks, and records why when it cannot', () => {
    const estimated = byTitle('untagged')!;
    expect(estimated.mood?.source).toBe('audio');
    expect(estimated.mood?.confidence).toBeGreaterThan(0);
    // A bare tone is nothing like the music the model learned from: a guess at most.
    expect(estimated.mood?.confidence).toBeLessThanOrEqual(0.5);
    expect(typeof estimated.mood?.valence).toBe('number');
  });

  it('refuses missing, non-folder and overlapping folders with a message', async () => {
    await expect(service.addFolder(join(root, 'nope'))).rejects.toThrow(/no such folder/);
    writeFileSync(join(root, 'file.txt'), 'x');
    await expect(service.addFolder(join(root, 'file.txt'))).rejects.toThrow(/not a folder/);
    mkdirSync(join(music, 'inner'), { recursive: true });
    await expect(service.addFolder(join(music, 'inner'))).rejects.toThrow(/overlaps the library folder/);
    expect(service.listFolders()).toHaveLength(1);
  });

  it('notices files added to and removed from a watched folder', async () => {
    const before = service.listTracks({}).length;
    tone(join(music, 'inner', 'arrived.wav'), 440);
    await expect.poll(() => service.listTracks({}).length, { timeout: 10_000, interval: 200 }).toBe(before + 1);
    rmSync(join(music, 'inner', 'arrived.wav'));
    await expect.poll(() => service.listTracks({}).length, { timeout: 10_000, interval: 200 }).toBe(before);
  });

  it('writes the user’s moods back into the files, which then read back', async () => {
    const second = byTitle('Second')!;
    service.setUserMood([second.id], 'energetic');
    const result = await service.writeMoodTags([second.id]);
    expect(result).toEqual({ written: 1, failed: [] });
    expect((await readFileTags(second.path)).moodText).toBe('energetic');
    await service.idle();
    expect(
      byTitle('Second')
        ?.moods.map((m) => `${m.source}:${m.mood}`)
        .slice(0, 2),
    ).toEqual(['user:energetic', 'file:energetic']);
  });

  it('imports an M3U playlist from its text, matching library tracks and listing the rest', () => {
    const content = `#EXTM3U\nmusic/second.mp3\n../x/music/missing.mp3\n${join(music, 'tagged.flac')}\n/etc/passwd\n`;
    const result = service.importPlaylist(content, 'mix');
    expect(result).toEqual({ name: 'mix', matched: 2, missing: ['../x/music/missing.mp3', '/etc/passwd'] });
    expect(service.store.playlists.tracks('mix').map((t) => t.title)).toEqual(['Second', 'Tagged']);
  });

  it('exports a playlist as text, never to a path', () => {
    const ids = [byTitle('Second')!.id, byTitle('Tagged')!.id];
    const { content, written } = service.exportPlaylist(ids);
    expect(written).toBe(2);
    expect(parseM3u(content)).toEqual([byTitle('Second')!.path, byTitle('Tagged')!.path]);
  });

  it('adds only absolute folders that exist and can be read, saying why not', async () => {
    await expect(service.addFolder('music')).rejects.toThrow(/give the folder's full path/);
    await expect(service.addFolder(join(root, 'nope'))).rejects.toThrow(/no such folder/);
    await expect(service.addFolder(join(music, 'tagged.flac'))).rejects.toThrow(/it is not a folder/);
  });

  it('records a play only for a track that exists', () => {
    const id = byTitle('Tagged')!.id;
    expect(moods.recordPlay(id, { expression: 'happiness', mode: 'lift', reason: 'because' })).toBe(true);
    expect(service.store.plays.recent(1)).toEqual([id]);
    expect(moods.recordPlay(999_999, {})).toBe(false);
  });
});

describe('bad input', () => {
  it('skips a file that vanishes between listing and reading', async () => {
    const dir = join(root, 'vanishing');
    mkdirSync(dir);
    tone(join(dir, 'a.wav'), 200, 1);
    tone(join(dir, 'b.wav'), 300, 1);
    const store = new LibraryStore(openLibraryDatabase(join(root, 'vanish.sqlite')));
    const folder = store.folders.add(dir);
    const result = await scanFolder(store, folder.id, dir, {
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.phase === 'reading' && p.done === 1) rmSync(join(dir, 'b.wav'), { force: true });
      },
    });
    expect(result).toMatchObject({ phase: 'done', added: 1, failed: 0 });
    expect(store.tracks.list().map((t) => t.title)).toEqual(['a']);
    store.close();
  });

  it('says the database is locked when another program holds it', () => {
    const path = join(root, 'locked.sqlite');
    openLibraryDatabase(path).close();
    const other = new Database(path);
    // Exclusive locking mode keeps the lock after the write, as a program that owns the file would.
    other.pragma('locking_mode = EXCLUSIVE');
    other.exec("INSERT INTO settings (key, value) VALUES ('held', '1')");
    try {
      expect(() => openLibraryDatabase(path, undefined, 50)).toThrow(/is locked by another program/);
    } finally {
      other.close();
    }
  });
});

describe('work after a scan', () => {
  it('is logged when it fails, and the next scan and its work still run', async () => {
    const errors: unknown[][] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args));
    try {
      let runs = 0;
      service.afterEachScan(async () => {
        runs++;
        throw new Error('the estimator fell over');
      });
      await service.rescan();
      await service.idle();
      await service.rescan();
      await service.idle();
      expect(runs).toBe(2);
      expect(errors.map((e) => String((e[1] as Error)?.message))).toContain('the estimator fell over');
      expect(String(errors[0]![0])).toMatch(/work after a scan failed/);
    } finally {
      spy.mockRestore();
    }
  });
});
