/** Migration 4 keeps a version-3 library whole; the backup (version 2, version 1 still read) and the rebuild keep playlists with their missing entries. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../../src/main/audio/wav.js';
import { MIGRATIONS, openLibraryDatabase } from '../../../src/main/library/database.js';
import { recoverLibrary } from '../../../src/main/library/libraryRecovery.js';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { LibraryStore } from '../../../src/main/library/libraryStore.js';
import { scanFolder } from '../../../src/main/library/scanner.js';
import { BACKUP_FILE, collectUserData, readUserBackup } from '../../../src/main/library/userDataBackup.js';

const quiet = { scanProgress: () => undefined, changed: () => undefined };

function tone(path: string, seconds = 1): void {
  const samples = new Float32Array(8000 * seconds).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 500 * i) / 8000));
  writeFileSync(path, encodeWav({ sampleRate: 8000, samples }));
}

describe('migration 4', () => {
  it('keeps every track, mood, play, feedback, setting and playlist of a version-3 library, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emotune-v3-'));
    const music = join(dir, 'music');
    mkdirSync(music);
    tone(join(music, 'here.wav'));
    const path = join(dir, 'library.sqlite');
    const v3 = openLibraryDatabase(path, MIGRATIONS.slice(0, 3));
    v3.prepare('INSERT INTO folders (id, path, added_at) VALUES (1, ?, 0)').run(music);
    const insert = v3.prepare(
      `INSERT INTO tracks (id, folder_id, path, title, artist, album, size, mtime_ms, duration_sec, codec, added_at, scanned_at, title_key)
       VALUES (?, 1, ?, ?, ?, '', 1, 1, ?, 'PCM', 0, 0, ?)`,
    );
    insert.run(1, join(music, 'here.wav'), 'Here', 'Band', 1, 'here');
    insert.run(2, join(music, 'gone.wav'), 'Gone', 'Other Band', 200, 'gone');
    v3.prepare("INSERT INTO track_moods VALUES (1, 'user', 'calm', NULL, NULL, 1, NULL, 5)").run();
    v3.prepare("INSERT INTO track_moods VALUES (2, 'user', 'sad', NULL, NULL, 1, NULL, 5)").run();
    v3.prepare("INSERT INTO track_moods VALUES (2, 'listener', 'happy', NULL, NULL, 0.7, 'skips', 5)").run();
    v3.prepare("INSERT INTO listener_feedback (track_id, mood, kind, weight, at) VALUES (2, 'happy', 'skipped', -1, 12)").run();
    v3.prepare("INSERT INTO plays (track_id, played_at, mode) VALUES (1, 10, 'match')").run();
    v3.prepare("INSERT INTO settings VALUES ('volume', '0.5')").run();
    v3.prepare("INSERT INTO playlists (id, name, created_at) VALUES (1, 'mix', 7), (2, 'empty', 8)").run();
    // Positions as a version-3 save left them, and one track twice.
    v3.prepare('INSERT INTO playlist_tracks VALUES (1, 0, 2), (1, 1, 1), (1, 2, 2)').run();
    v3.close();

    const store = new LibraryStore(openLibraryDatabase(path));
    expect(store.tracks.count()).toBe(2);
    expect(store.tracks.get(1)).toMatchObject({ title: 'Here', replayGain: null, mood: { source: 'user', mood: 'calm' } });
    expect(store.tracks.get(2)?.moods.map((m) => `${m.source}:${m.mood}`)).toEqual(['user:sad', 'listener:happy']);
    expect(store.plays.recent(5)).toEqual([1]);
    expect(store.plays.feedbackFor(2)).toHaveLength(1);
    expect(store.settings.get('volume')).toBe(0.5);
    expect(store.playlists.list()).toEqual([
      { id: 2, name: 'empty', createdAt: 8, trackCount: 0, durationSec: 0, missingCount: 0 },
      { id: 1, name: 'mix', createdAt: 7, trackCount: 3, durationSec: 401, missingCount: 0 },
    ]);
    const entries = store.playlists.entries(1);
    expect(entries.map((e) => [e.position, e.track?.id, e.path])).toEqual([
      [0, 2, join(music, 'gone.wav')],
      [1, 1, join(music, 'here.wav')],
      [2, 2, join(music, 'gone.wav')],
    ]);
    expect(store.playlists.tracks('mix').map((t) => t.id)).toEqual([2, 1, 2]);

    // The next scan reads every file again (for ReplayGain); the file that is gone leaves its places
    // as missing entries, named as it was, and its moods and feedback kept for its path.
    const result = await scanFolder(store, 1, music);
    expect(result).toMatchObject({ updated: 1, removed: 1 });
    expect(store.playlists.entries(1).map((e) => [e.track?.title ?? null, e.label, e.durationSec])).toEqual([
      [null, 'Other Band - Gone', 200],
      ['here', null, null],
      [null, 'Other Band - Gone', 200],
    ]);
    expect(store.tracks.userMoodsByPath()).toEqual([
      { path: join(music, 'gone.wav'), mood: 'sad' },
      { path: join(music, 'here.wav'), mood: 'calm' },
    ]);
    tone(join(music, 'gone.wav'));
    await scanFolder(store, 1, music);
    const back = store.tracks.getByPath(join(music, 'gone.wav'))!;
    expect(back.moods.map((m) => `${m.source}:${m.mood}`)).toEqual(['user:sad', 'listener:happy']);
    expect(store.plays.feedbackFor(back.id)).toEqual([{ mood: 'happy', kind: 'skipped', weight: -1, expression: null }]);
    expect(store.playlists.tracks('mix').map((t) => t.title)).toEqual(['gone', 'here', 'gone']);
    store.close();
  });
});

describe('the backup of playlists', () => {
  it('keeps missing entries and the moods of removed folders, and the rebuild puts both back', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emotune-backup-playlists-'));
    const [kept, removed] = [join(root, 'kept'), join(root, 'removed')];
    mkdirSync(kept);
    mkdirSync(removed);
    tone(join(kept, 'k1.wav'));
    tone(join(kept, 'k2.wav'), 2);
    tone(join(removed, 'r1.wav'), 3);
    const dataDir = join(root, 'data');
    const service = new LibraryService(dataDir, quiet, { watch: false });
    await service.addFolder(kept);
    await service.addFolder(removed);
    await service.idle();
    const id = (title: string) => service.listTracks({}).find((t) => t.title === title)!.id;
    service.setUserMood([id('r1')], 'energetic');
    service.setUserMood([id('k2')], 'calm');
    const list = service.createPlaylist('Road', [id('k2'), id('r1'), id('k1')]);
    service.importM3u('#EXTINF:99,Far - Away\n/nowhere/away.mp3\n', 'Far');
    service.removeFolder(service.listFolders().find((f) => f.path === removed)!.id);
    const collected = collectUserData(service.store);
    service.close(); // writes the backup

    const backup = readUserBackup(dataDir)!;
    expect(backup).toEqual({ ...collected, writtenAt: backup.writtenAt });
    expect(backup.version).toBe(2);
    expect(backup.folders).toEqual([kept]);
    expect(backup.userMoods).toEqual([
      { path: join(kept, 'k2.wav'), mood: 'calm' },
      { path: join(removed, 'r1.wav'), mood: 'energetic' },
    ]);
    expect(backup.playlists).toEqual([
      { name: 'Far', createdAt: expect.any(Number), entries: [{ path: '/nowhere/away.mp3', label: 'Far - Away', durationSec: 99 }] },
      {
        name: 'Road',
        createdAt: list.createdAt,
        entries: [
          { path: join(kept, 'k2.wav'), label: null, durationSec: null },
          { path: join(removed, 'r1.wav'), label: 'r1', durationSec: 3 },
          { path: join(kept, 'k1.wav'), label: null, durationSec: null },
        ],
      },
    ]);

    writeFileSync(join(dataDir, 'library.sqlite'), Buffer.alloc(8192, 0x5a));
    const report = await recoverLibrary(dataDir);
    expect(report).toMatchObject({ folders: 1, tracks: 2, userMoods: 1, playlists: 2, fromBackup: true });
    const again = new LibraryService(dataDir, quiet, { watch: false });
    const road = again.listPlaylists().find((p) => p.name === 'Road')!;
    expect(road).toMatchObject({ trackCount: 3, missingCount: 1, createdAt: list.createdAt });
    expect(again.playlistEntries({ playlistId: road.id }).map((e) => e.track?.title ?? `missing:${e.label}`)).toEqual([
      'k2',
      'missing:r1',
      'k1',
    ]);
    expect(again.listPlaylists().find((p) => p.name === 'Far')).toMatchObject({ trackCount: 1, missingCount: 1 });
    // Undo, after the rebuild: the removed folder comes back with its mood and its place in the playlist.
    const restored = await again.restoreFolder(removed);
    expect(restored).toMatchObject({ userMoods: 1, playlistEntries: 1 });
    expect(again.listTracks({}).find((t) => t.title === 'r1')?.mood).toMatchObject({ source: 'user', mood: 'energetic' });
    expect(again.playlistEntries({ playlistId: road.id }).map((e) => e.track?.title)).toEqual(['k2', 'r1', 'k1']);
    again.close();
  });

  it('still reads a version-1 backup, its playlists as plain paths', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emotune-backup-v1-'));
    const music = join(root, 'music');
    mkdirSync(music);
    tone(join(music, 'one.wav'));
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const v1 = {
      version: 1,
      writtenAt: 1234,
      folders: [music],
      userMoods: [{ path: join(music, 'one.wav'), mood: 'happy' }],
      settings: { volume: 0.25 },
      playlists: [{ name: 'old', paths: [join(music, 'one.wav'), join(music, 'lost.wav')] }],
    };
    writeFileSync(join(dataDir, BACKUP_FILE), JSON.stringify(v1));
    expect(readUserBackup(dataDir)).toEqual({
      ...v1,
      version: 2,
      playlists: [
        {
          name: 'old',
          createdAt: 1234,
          entries: [
            { path: join(music, 'one.wav'), label: null, durationSec: null },
            { path: join(music, 'lost.wav'), label: null, durationSec: null },
          ],
        },
      ],
    });
    writeFileSync(join(dataDir, 'library.sqlite'), Buffer.alloc(8192, 0x5a));
    expect(await recoverLibrary(dataDir)).toMatchObject({ folders: 1, tracks: 1, userMoods: 1, playlists: 1, fromBackup: true });
    const service = new LibraryService(dataDir, quiet, { watch: false });
    expect(service.store.playlists.tracks('old').map((t) => t.title)).toEqual(['one']);
    expect(service.listPlaylists()).toMatchObject([{ name: 'old', trackCount: 2, missingCount: 1 }]);
    expect(service.store.settings.get('volume')).toBe(0.25);
    service.close();
    // The backup written since is version 2.
    expect(JSON.parse(readFileSync(join(dataDir, BACKUP_FILE), 'utf8'))).toMatchObject({ version: 2 });
  });
});
