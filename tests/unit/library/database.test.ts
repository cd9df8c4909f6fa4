import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openLibraryDatabase, schemaVersion } from '../../../src/main/library/database.js';
import { LibraryStore } from '../../../src/main/library/libraryStore.js';

const dir = mkdtempSync(join(tmpdir(), 'emotune-db-'));

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
