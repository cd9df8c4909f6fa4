import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openLibraryDatabase, schemaVersion } from '../../../src/main/library/database.js';
import { LibraryStore } from '../../../src/main/library/libraryStore.js';
import { scanFolder } from '../../../src/main/library/scanner.js';

const dir = mkdtempSync(join(tmpdir(), 'emotune-db-'));
const run = promisify(execFile);

describe('openLibraryDatabase', () => {
  it('creates the schema at the latest version, in WAL mode with foreign keys', () => {
    const db = openLibraryDatabase(join(dir, 'new.sqlite'));
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('applies only the migrations a database lacks', () => {
    const path = join(dir, 'old.sqlite');
    openLibraryDatabase(path, MIGRATIONS).close();
    const next = [...MIGRATIONS, 'CREATE TABLE extra (x INTEGER)'];
    const db = openLibraryDatabase(path, next);
    expect(schemaVersion(db)).toBe(next.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").pluck().get()).toBe(1);
    db.close();
  });

  it('keeps every mood when it adds the listener source (migration 2)', () => {
    const path = join(dir, 'v1.sqlite');
    const v1 = openLibraryDatabase(path, MIGRATIONS.slice(0, 1));
    v1.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/music', 0)").run();
    v1.prepare(
      "INSERT INTO tracks (id, folder_id, path, title, artist, album, size, mtime_ms, added_at, scanned_at) VALUES (1, 1, '/music/a.flac', 'A', '', '', 1, 1, 0, 0)",
    ).run();
    v1.prepare("INSERT INTO track_moods VALUES (1, 'user', 'calm', NULL, NULL, 1, NULL, 5)").run();
    v1.close();
    const db = openLibraryDatabase(path);
    expect(db.prepare('SELECT source, mood, updated_at FROM track_moods').all()).toEqual([{ source: 'user', mood: 'calm', updated_at: 5 }]);
    db.prepare("INSERT INTO track_moods VALUES (1, 'listener', 'sad', NULL, NULL, 0.7, 'why', 6)").run();
    expect(() => db.prepare("INSERT INTO track_moods VALUES (1, 'nonsense', 'sad', NULL, NULL, 0.7, NULL, 6)").run()).toThrow(/CHECK/);
    // The moods still go when their track goes.
    db.prepare('DELETE FROM tracks WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM track_moods').pluck().get()).toBe(0);
    db.close();
  });

  it('keeps every track, mood, play and playlist when it adds the browsing tags (migration 3), and the next scan reads them', async () => {
    const path = join(dir, 'v2.sqlite');
    const music = join(dir, 'v2-music', 'Some Artist', 'Some Album');
    mkdirSync(music, { recursive: true });
    const file = join(music, 'song.flac');
    await run('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=duration=1',
      ...['-metadata', 'title=Old Song', '-metadata', 'artist=Old Band', '-metadata', 'album=Old Album'],
      ...['-metadata', 'genre=Chiptune', '-metadata', 'track=3', '-metadata', 'date=1999'],
      file,
    ]);
    const info = statSync(file);
    const root = join(dir, 'v2-music');
    const v2 = openLibraryDatabase(path, MIGRATIONS.slice(0, 2));
    v2.prepare('INSERT INTO folders (id, path, added_at) VALUES (1, ?, 0)').run(root);
    const insert = v2.prepare(
      'INSERT INTO tracks (id, folder_id, path, title, artist, album, size, mtime_ms, duration_sec, codec, added_at, scanned_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, 1, ?, 0, 0)',
    );
    // As a version-2 scan left them: the real file, unchanged since, and one that is gone.
    insert.run(1, file, 'Old Song', 'Old Band', 'Old Album', info.size, Math.trunc(info.mtimeMs), 'FLAC');
    insert.run(2, join(root, 'gone.mp3'), 'Gone Song', 'Gone Band', 'Gone Album', 5, 5, 'MPEG');
    v2.prepare("INSERT INTO track_moods VALUES (1, 'user', 'calm', NULL, NULL, 1, NULL, 5)").run();
    v2.prepare("INSERT INTO track_moods VALUES (1, 'audio', 'sad', 0.1, 0.2, 0.4, NULL, 5)").run();
    v2.prepare("INSERT INTO track_moods VALUES (2, 'listener', 'happy', NULL, NULL, 0.7, 'skips', 5)").run();
    v2.prepare(
      "INSERT INTO plays (track_id, played_at, expression, mode, reason, target_mood, music_mood) VALUES (1, 10, 'happiness', 'match', 'why', 'calm', 'calm')",
    ).run();
    v2.prepare('INSERT INTO plays (track_id, played_at) VALUES (2, 11)').run();
    v2.prepare("INSERT INTO listener_feedback (track_id, mood, kind, weight, at) VALUES (2, 'happy', 'skipped', -1, 12)").run();
    v2.prepare("INSERT INTO playlists (id, name, created_at) VALUES (1, 'mix', 0)").run();
    v2.prepare('INSERT INTO playlist_tracks VALUES (1, 0, 2), (1, 1, 1)').run();
    v2.close();

    const store = new LibraryStore(openLibraryDatabase(path));
    expect(store.tracks.count()).toBe(2);
    expect(store.tracks.get(1)).toMatchObject({ title: 'Old Song', genre: '', trackNo: null, albumArtist: '', coverSource: null });
    expect(store.tracks.get(1)?.moods.map((m) => `${m.source}:${m.mood}`)).toEqual(['user:calm', 'audio:sad']);
    expect(store.tracks.get(2)?.mood).toMatchObject({ source: 'listener', mood: 'happy', raw: 'skips' });
    expect(store.plays.recent(10)).toEqual([2, 1]);
    expect(store.plays.last(1)).toEqual({ playedAt: 10, expression: 'happiness', targetMood: 'calm' });
    expect(store.plays.feedbackFor(2)).toEqual([{ mood: 'happy', kind: 'skipped', weight: -1, expression: null }]);
    expect(store.playlists.tracks('mix').map((t) => t.id)).toEqual([2, 1]);
    // The rows of before are searchable and sortable at once, before any scan.
    expect(store.tracks.list({ query: 'gone' }).map((t) => t.id)).toEqual([2]);
    expect(store.tracks.list({ sort: 'title' }).map((t) => t.title)).toEqual(['Gone Song', 'Old Song']);
    expect(store.tracks.artists().map((a) => a.name)).toEqual(['Gone Band', 'Old Band']);

    // The next scan reads every file again for the new tags, keeping the track's id and all that hangs on it.
    const result = await scanFolder(store, 1, root);
    expect(result).toMatchObject({ updated: 1, added: 0, removed: 1, failed: 0 });
    expect(store.tracks.get(1)).toMatchObject({
      title: 'Old Song',
      album: 'Old Album',
      genre: 'Chiptune',
      trackNo: 3,
      year: 1999,
      error: null,
    });
    expect(store.tracks.get(1)?.mood).toMatchObject({ source: 'user', mood: 'calm' });
    expect(store.plays.recent(10)).toEqual([1]);
    expect(store.playlists.tracks('mix').map((t) => t.id)).toEqual([1]);
    expect(store.tracks.list({ query: 'chiptune' }).map((t) => t.id)).toEqual([1]);
    store.close();
  });

  it('rolls back a migration that fails, leaving the old version', () => {
    const path = join(dir, 'failing.sqlite');
    openLibraryDatabase(path).close();
    expect(() => openLibraryDatabase(path, [...MIGRATIONS, 'CREATE TABLE half (x INTEGER); THIS IS NOT SQL'])).toThrow(
      /cannot open the library database/,
    );
    const db = openLibraryDatabase(path);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    db.close();
  });

  it('says a damaged file is damaged, and what to do', () => {
    const path = join(dir, 'damaged.sqlite');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    expect(() => openLibraryDatabase(path)).toThrow(/is damaged .*move it aside/);
  });

  it('finds damaged pages at start, before any query trips on them', () => {
    const path = join(dir, 'pages.sqlite');
    const db = openLibraryDatabase(path);
    const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    for (let i = 0; i < 2000; i++) insert.run(`key-${i}`, 'x'.repeat(200));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    for (let at = 3 * pageSize; at < bytes.length - pageSize; at += 5 * pageSize) bytes.fill(0xa5, at, at + 64);
    writeFileSync(path, bytes); // the header is intact: it opens, and only the pages are bad
    expect(() => openLibraryDatabase(path)).toThrow(/is damaged .*move it aside/);
  });

  it('lets a write wait out the busy timeout while another connection holds the write lock', () => {
    const path = join(dir, 'busy.sqlite');
    const store = new LibraryStore(openLibraryDatabase(path, MIGRATIONS, 300));
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    expect(() => store.tracks.setUserMood([1], 'happy')).toThrow(/locked|busy/i);
    // it waited for the lock (the timeout), instead of failing at once on the read-to-write upgrade
    expect(performance.now() - started).toBeGreaterThan(250);
    other.exec('ROLLBACK');
    expect(store.tracks.setUserMood([1], 'happy')).toBe(0); // no such track, but the write went through
    other.close();
    store.close();
  });

  it('refuses a database from a newer Emotune', () => {
    const path = join(dir, 'newer.sqlite');
    const db = openLibraryDatabase(path);
    db.prepare('UPDATE schema_version SET version = 99').run();
    db.close();
    expect(() => openLibraryDatabase(path)).toThrow(/from a newer Emotune/);
  });
});
