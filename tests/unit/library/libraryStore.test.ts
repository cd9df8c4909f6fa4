/** The entity stores share one connection: a transaction spans them, and only user data raises the backup hook. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLibraryDatabase } from '../../../src/main/library/database.js';
import { LibraryStore } from '../../../src/main/library/libraryStore.js';

let store: LibraryStore;
let changes = 0;

function openStore(): LibraryStore {
  changes = 0;
  store = new LibraryStore(openLibraryDatabase(join(mkdtempSync(join(tmpdir(), 'emotune-store-')), 'library.sqlite')), () => changes++);
  return store;
}

/** A track as a scan writes it, with the fields these tests do not look at filled in. */
function putTrack(s: LibraryStore, folderId: number, path: string, error: string | null = null, title = path): number {
  return s.tracks.upsert(
    folderId,
    { path, size: 1, mtimeMs: 1, title, artist: '', album: '', durationSec: 60, codec: 'mp3', hasCover: false, error },
    null,
  );
}

function addTrack(s: LibraryStore): number {
  return putTrack(s, s.folders.add('/music').id, '/music/a.mp3', null, 'A');
}

afterEach(() => store.close());

describe('LibraryStore', () => {
  it("counts each folder's tracks, unreadable files and the user's own moods", () => {
    const s = openStore();
    const add = (folderId: number, name: string, error: string | null = null) => putTrack(s, folderId, `${name}.mp3`, error);
    const a = s.folders.add('/a');
    const b = s.folders.add('/b');
    add(a.id, '/a/1');
    add(a.id, '/a/2', 'not audio');
    s.tracks.setMood(add(a.id, '/a/3'), 'user', { mood: 'calm', confidence: 1 });
    s.tracks.setMood(add(a.id, '/a/4'), 'audio', { mood: 'happy', confidence: 0.6 }); // an estimate, not the user's
    s.tracks.setMood(add(b.id, '/b/1'), 'user', { mood: 'sad', confidence: 1 });
    add(b.id, '/b/2', 'truncated');
    add(b.id, '/b/3', 'truncated');
    const counts = s.folders.list().map(({ path, trackCount, errorCount, userMoods }) => ({ path, trackCount, errorCount, userMoods }));
    expect(counts).toEqual([
      { path: '/a', trackCount: 4, errorCount: 1, userMoods: 1 },
      { path: '/b', trackCount: 3, errorCount: 2, userMoods: 1 },
    ]);
  });

  it('finds the tracks awaiting a mood estimate in SQL: no mood yet, or only a failed estimate', () => {
    const s = openStore();
    const folder = s.folders.add('/music');
    const add = (name: string, error: string | null = null) => putTrack(s, folder.id, `/music/${name}.mp3`, error);
    const fresh = add('fresh');
    add('unreadable', 'not audio');
    s.tracks.setMood(add('tagged'), 'file', { mood: 'calm', confidence: 1 });
    s.tracks.setMood(add('estimated'), 'audio', { mood: 'happy', confidence: 0.7 });
    const failed = add('failed');
    s.tracks.setMood(failed, 'audio', { mood: null, confidence: 0, raw: 'no estimate [e1]: no decoder' });
    const failedButMine = add('failed-but-mine');
    s.tracks.setMood(failedButMine, 'audio', { mood: null, confidence: 0, raw: 'no estimate [e1]: no decoder' });
    s.tracks.setMood(failedButMine, 'user', { mood: 'sad', confidence: 1 });
    expect(s.tracks.awaitingMoodEstimate()).toEqual([
      { id: fresh, path: '/music/fresh.mp3', failedRaw: null },
      { id: failed, path: '/music/failed.mp3', failedRaw: 'no estimate [e1]: no decoder' },
    ]);
  });

  it('rolls back writes to several entity stores when the transaction throws', () => {
    const s = openStore();
    const id = addTrack(s);
    expect(() =>
      s.transaction(() => {
        s.plays.record(id, { mode: 'match' });
        s.settings.set('volume', 0.5);
        s.playlists.save('evening', [id]);
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(s.plays.recent(10)).toEqual([]);
    expect(s.settings.get('volume')).toBeUndefined();
    expect(s.playlists.list()).toEqual([]);
  });

  it('keeps all writes of a transaction that returns', () => {
    const s = openStore();
    const id = addTrack(s);
    const result = s.transaction(() => {
      s.plays.record(id, { mode: 'lift' });
      s.tracks.setMood(id, 'audio', { mood: 'calm', confidence: 0.7 });
      return 'done';
    });
    expect(result).toBe('done');
    expect(s.plays.recent(1)).toEqual([id]);
    expect(s.tracks.get(id)?.mood).toMatchObject({ source: 'audio', mood: 'calm' });
  });

  it('tells the backup hook of user data only, not of plays or estimates', () => {
    const s = openStore();
    const id = addTrack(s);
    const afterFolder = changes;
    expect(afterFolder).toBe(1);
    s.plays.record(id);
    s.tracks.setMood(id, 'audio', { mood: 'calm', confidence: 0.7 });
    expect(changes).toBe(afterFolder);
    s.tracks.setUserMood([id], 'happy');
    s.settings.set('volume', 0.5);
    s.playlists.save('evening', [id]);
    expect(changes).toBe(afterFolder + 3);
  });
});
