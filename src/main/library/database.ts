/**
 * The library database: SQLite through better-sqlite3 in WAL mode with foreign keys, and
 * schema migrations recorded in a version table. Each migration runs in one transaction, so a
 * crash leaves the database at the old version or the new one, never between. Write transactions
 * begin IMMEDIATE: a deferred one that must upgrade to a write while another connection writes
 * fails at once, without waiting out the busy timeout.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export class LibraryDatabaseError extends Error {
  /** The file is damaged (not locked, not from a newer version): recoverLibrary can rebuild it. */
  readonly damaged: boolean;

  constructor(message: string, options?: { cause?: unknown; damaged?: boolean }) {
    super(message, options);
    this.name = 'LibraryDatabaseError';
    this.damaged = options?.damaged ?? false;
  }
}

/** Append only: a released migration is never edited. */
export const MIGRATIONS: readonly string[] = [
  // 1: folders, tracks, moods, plays, playlists, settings, full-text search.
  `
  CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    added_at INTEGER NOT NULL
  );
  CREATE TABLE tracks (
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    title TEXT NOT NULL,
    artist TEXT NOT NULL DEFAULT '',
    album TEXT NOT NULL DEFAULT '',
    duration_sec REAL,
    codec TEXT,
    has_cover INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    added_at INTEGER NOT NULL,
    scanned_at INTEGER NOT NULL
  );
  CREATE INDEX tracks_folder ON tracks(folder_id);
  CREATE TABLE track_moods (
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('user', 'file', 'audio')),
    mood TEXT,
    valence REAL,
    arousal REAL,
    confidence REAL NOT NULL,
    raw TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (track_id, source)
  );
  CREATE TABLE plays (
    id INTEGER PRIMARY KEY,
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    played_at INTEGER NOT NULL,
    expression TEXT,
    mode TEXT,
    reason TEXT
  );
  CREATE INDEX plays_time ON plays(played_at);
  CREATE TABLE playlists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE playlist_tracks (
    playlist_id INTEGER NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    PRIMARY KEY (playlist_id, position)
  );
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE VIRTUAL TABLE tracks_fts USING fts5(title, artist, album, content='tracks', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
  CREATE TRIGGER tracks_fts_insert AFTER INSERT ON tracks BEGIN
    INSERT INTO tracks_fts(rowid, title, artist, album) VALUES (new.id, new.title, new.artist, new.album);
  END;
  CREATE TRIGGER tracks_fts_delete AFTER DELETE ON tracks BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, artist, album) VALUES ('delete', old.id, old.title, old.artist, old.album);
  END;
  CREATE TRIGGER tracks_fts_update AFTER UPDATE OF title, artist, album ON tracks BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, artist, album) VALUES ('delete', old.id, old.title, old.artist, old.album);
    INSERT INTO tracks_fts(rowid, title, artist, album) VALUES (new.id, new.title, new.artist, new.album);
  END;
  `,
  // 2: moods learned from the listener (a source between the user's tags and the files'), the feedback
  // they come from, and for each play the mood it was chosen for and the mood the track had.
  `
  CREATE TABLE track_moods_2 (
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('user', 'listener', 'file', 'audio')),
    mood TEXT,
    valence REAL,
    arousal REAL,
    confidence REAL NOT NULL,
    raw TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (track_id, source)
  );
  INSERT INTO track_moods_2 (track_id, source, mood, valence, arousal, confidence, raw, updated_at)
    SELECT track_id, source, mood, valence, arousal, confidence, raw, updated_at FROM track_moods;
  DROP TABLE track_moods;
  ALTER TABLE track_moods_2 RENAME TO track_moods;
  CREATE TABLE listener_feedback (
    id INTEGER PRIMARY KEY,
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    mood TEXT NOT NULL,
    kind TEXT NOT NULL,
    weight REAL NOT NULL,
    expression TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX listener_feedback_track ON listener_feedback(track_id);
  ALTER TABLE plays ADD COLUMN target_mood TEXT;
  ALTER TABLE plays ADD COLUMN music_mood TEXT;
  `,
  // 3: track and disc numbers, genre, year and album artist; natural-sort keys (computed by the scanner:
  // SQLite has no natural collation) with an index per sort; the cover image beside a track; search over
  // genre and album artist too; the demo folder marked, and the formats a scan could not play, by folder.
  // Every file is read again on the next scan (mtime -1) for the new tags; until then the keys are the
  // lower-cased tags, so sorting works at once.
  `
  ALTER TABLE tracks ADD COLUMN track_no INTEGER;
  ALTER TABLE tracks ADD COLUMN disc_no INTEGER;
  ALTER TABLE tracks ADD COLUMN genre TEXT NOT NULL DEFAULT '';
  ALTER TABLE tracks ADD COLUMN year INTEGER;
  ALTER TABLE tracks ADD COLUMN album_artist TEXT NOT NULL DEFAULT '';
  ALTER TABLE tracks ADD COLUMN cover_path TEXT;
  ALTER TABLE tracks ADD COLUMN title_key TEXT NOT NULL DEFAULT '';
  ALTER TABLE tracks ADD COLUMN artist_key TEXT NOT NULL DEFAULT '';
  ALTER TABLE tracks ADD COLUMN album_key TEXT NOT NULL DEFAULT '';
  ALTER TABLE tracks ADD COLUMN album_artist_key TEXT NOT NULL DEFAULT '';
  ALTER TABLE tracks ADD COLUMN genre_key TEXT NOT NULL DEFAULT '';
  UPDATE tracks SET title_key = lower(title), artist_key = lower(artist), album_key = lower(album), album_artist_key = lower(artist),
    mtime_ms = -1;
  CREATE INDEX tracks_by_title ON tracks(title_key, id);
  CREATE INDEX tracks_by_artist ON tracks(artist_key, album_key, disc_no, track_no, title_key, id);
  CREATE INDEX tracks_by_album ON tracks(album_key, album_artist_key, disc_no, track_no, title_key, id);
  CREATE INDEX tracks_by_genre ON tracks(genre_key, artist_key, album_key, disc_no, track_no, title_key, id);
  CREATE INDEX tracks_by_year ON tracks(year, artist_key, album_key, disc_no, track_no, title_key, id);
  CREATE INDEX tracks_by_number ON tracks(disc_no, track_no, album_key, title_key, id);
  CREATE INDEX tracks_by_duration ON tracks(duration_sec, id);
  DROP TRIGGER tracks_fts_insert;
  DROP TRIGGER tracks_fts_delete;
  DROP TRIGGER tracks_fts_update;
  DROP TABLE tracks_fts;
  CREATE VIRTUAL TABLE tracks_fts USING fts5(title, artist, album, album_artist, genre, content='tracks', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
  INSERT INTO tracks_fts(tracks_fts) VALUES ('rebuild');
  CREATE TRIGGER tracks_fts_insert AFTER INSERT ON tracks BEGIN
    INSERT INTO tracks_fts(rowid, title, artist, album, album_artist, genre) VALUES (new.id, new.title, new.artist, new.album, new.album_artist, new.genre);
  END;
  CREATE TRIGGER tracks_fts_delete AFTER DELETE ON tracks BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, artist, album, album_artist, genre)
      VALUES ('delete', old.id, old.title, old.artist, old.album, old.album_artist, old.genre);
  END;
  CREATE TRIGGER tracks_fts_update AFTER UPDATE OF title, artist, album, album_artist, genre ON tracks BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, artist, album, album_artist, genre)
      VALUES ('delete', old.id, old.title, old.artist, old.album, old.album_artist, old.genre);
    INSERT INTO tracks_fts(rowid, title, artist, album, album_artist, genre) VALUES (new.id, new.title, new.artist, new.album, new.album_artist, new.genre);
  END;
  ALTER TABLE folders ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE folders ADD COLUMN unsupported TEXT;
  `,
  // 4: playlists as entries with ids of their own (a track can be in a list twice), each naming its file
  // by path, so that an entry whose file is not in the library (an imported M3U's line that matched
  // nothing, a track of a removed folder) stays as a missing entry and becomes a track again when a scan
  // finds a file at that path. What the user and the listener made for a track (the user's mood, the
  // learned mood and the feedback behind it) is kept by path when the track goes, and goes back on a track
  // found at that path: removing a folder and adding it again loses none of it. ReplayGain from the tags;
  // every file is read again on the next scan (mtime -1) for them.
  `
  ALTER TABLE tracks ADD COLUMN replaygain_track_gain REAL;
  ALTER TABLE tracks ADD COLUMN replaygain_track_peak REAL;
  ALTER TABLE tracks ADD COLUMN replaygain_album_gain REAL;
  ALTER TABLE tracks ADD COLUMN replaygain_album_peak REAL;
  UPDATE tracks SET mtime_ms = -1;
  CREATE TABLE playlist_entries (
    id INTEGER PRIMARY KEY,
    playlist_id INTEGER NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    track_id INTEGER REFERENCES tracks(id) ON DELETE SET NULL,
    path TEXT NOT NULL,
    label TEXT,
    duration_sec REAL
  );
  INSERT INTO playlist_entries (playlist_id, position, track_id, path)
    SELECT p.playlist_id, row_number() OVER (PARTITION BY p.playlist_id ORDER BY p.position) - 1, p.track_id, t.path
    FROM playlist_tracks p JOIN tracks t ON t.id = p.track_id ORDER BY p.playlist_id, p.position;
  DROP TABLE playlist_tracks;
  CREATE INDEX playlist_entries_order ON playlist_entries(playlist_id, position);
  CREATE INDEX playlist_entries_track ON playlist_entries(track_id);
  CREATE INDEX playlist_entries_missing ON playlist_entries(path) WHERE track_id IS NULL;
  CREATE TABLE kept_moods (
    path TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('user', 'listener')),
    mood TEXT,
    valence REAL,
    arousal REAL,
    confidence REAL NOT NULL,
    raw TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (path, source)
  );
  CREATE TABLE kept_feedback (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    mood TEXT NOT NULL,
    kind TEXT NOT NULL,
    weight REAL NOT NULL,
    expression TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX kept_feedback_path ON kept_feedback(path);
  CREATE TRIGGER tracks_keep_user_work BEFORE DELETE ON tracks BEGIN
    INSERT OR REPLACE INTO kept_moods (path, source, mood, valence, arousal, confidence, raw, updated_at)
      SELECT old.path, source, mood, valence, arousal, confidence, raw, updated_at FROM track_moods
      WHERE track_id = old.id AND source IN ('user', 'listener');
    INSERT INTO kept_feedback (path, mood, kind, weight, expression, at)
      SELECT old.path, mood, kind, weight, expression, at FROM listener_feedback WHERE track_id = old.id ORDER BY id;
    UPDATE playlist_entries
      SET track_id = NULL, label = CASE WHEN old.artist <> '' THEN old.artist || ' - ' || old.title ELSE old.title END,
        duration_sec = old.duration_sec
      WHERE track_id = old.id;
  END;
  CREATE TRIGGER tracks_take_back_user_work AFTER INSERT ON tracks BEGIN
    INSERT OR REPLACE INTO track_moods (track_id, source, mood, valence, arousal, confidence, raw, updated_at)
      SELECT new.id, source, mood, valence, arousal, confidence, raw, updated_at FROM kept_moods WHERE path = new.path;
    DELETE FROM kept_moods WHERE path = new.path;
    INSERT INTO listener_feedback (track_id, mood, kind, weight, expression, at)
      SELECT new.id, mood, kind, weight, expression, at FROM kept_feedback WHERE path = new.path ORDER BY id;
    DELETE FROM kept_feedback WHERE path = new.path;
    UPDATE playlist_entries SET track_id = new.id, label = NULL, duration_sec = NULL WHERE track_id IS NULL AND path = new.path;
  END;
  `,
  // The folders list is read at every start, and its counts walked every track of the folder: 47 ms
  // at 50,000 tracks, while the first page of the Songs list waited behind it. Few tracks are
  // unreadable and few moods are the user's own, so both counts now read only those.
  `
  CREATE INDEX tracks_unreadable ON tracks(folder_id) WHERE error IS NOT NULL;
  CREATE INDEX track_moods_by_source ON track_moods(source, track_id) WHERE mood IS NOT NULL;
  `,
];

export function openLibraryDatabase(path: string, migrations: readonly string[] = MIGRATIONS, busyTimeoutMs = 5000): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
  } catch (error) {
    throw describeOpenError(path, error);
  }
  try {
    // A file with damaged pages opens fine and fails later, mid-query; find out now.
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      const problems = String(check)
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('***'));
      throw Object.assign(new Error(`${problems.length} problem(s) found, e.g. ${problems[0]}`), { code: 'SQLITE_CORRUPT' });
    }
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw describeOpenError(path, error);
  }
  return db;
}

function describeOpenError(path: string, error: unknown): LibraryDatabaseError {
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new LibraryDatabaseError(`the library database ${path} is locked by another program (is Emotune already running?)`, {
      cause: error,
    });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new LibraryDatabaseError(
      `the library database ${path} is damaged (${message}); move it aside and Emotune will build a new one from your folders`,
      { cause: error, damaged: true },
    );
  }
  return new LibraryDatabaseError(`cannot open the library database ${path}: ${message}`, { cause: error });
}

export function schemaVersion(db: Db): number {
  return (db.prepare('SELECT version FROM schema_version').pluck().get() as number | undefined) ?? 0;
}

function migrate(db: Db, migrations: readonly string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  if (db.prepare('SELECT count(*) FROM schema_version').pluck().get() === 0) db.exec('INSERT INTO schema_version VALUES (0)');
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new LibraryDatabaseError(
      `the library database is from a newer Emotune (schema ${current}; this version knows ${migrations.length})`,
    );
  }
  for (let version = current + 1; version <= migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version - 1]!);
      db.prepare('UPDATE schema_version SET version = ?').run(version);
    }).immediate();
  }
}
