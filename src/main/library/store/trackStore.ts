/** Tracks and their moods: the rows a scan writes and the lists the renderer pages through. */
import type { Track, TrackMood, TrackSort, TrackTags } from '../../../shared/library.js';
import { isMood, MOOD_SOURCES, type Mood, type MoodSource } from '../../../shared/mood.js';
import type { Db } from '../database.js';

export interface StoredFile {
  id: number;
  size: number;
  mtimeMs: number;
}

export interface TrackRecord extends TrackTags {
  path: string;
  size: number;
  mtimeMs: number;
  error: string | null;
}

export interface MoodRecord {
  mood: Mood | null;
  valence?: number | null;
  arousal?: number | null;
  confidence: number;
  raw?: string | null;
}

export interface TrackRow {
  id: number;
  path: string;
  title: string;
  artist: string;
  album: string;
  duration_sec: number | null;
  codec: string | null;
  has_cover: number;
  error: string | null;
  moods: string | null;
}

const SORT_SQL: Record<TrackSort, string> = {
  title: 't.title COLLATE NOCASE, t.artist COLLATE NOCASE',
  artist: 't.artist COLLATE NOCASE, t.album COLLATE NOCASE, t.title COLLATE NOCASE',
  album: 't.album COLLATE NOCASE, t.title COLLATE NOCASE',
  duration: 't.duration_sec, t.title COLLATE NOCASE',
  added: 't.added_at DESC, t.id DESC',
};

/** One track row with its moods as JSON: playlists select through it too, so a track reads the same everywhere. */
export const TRACK_SELECT = `
  SELECT t.id, t.path, t.title, t.artist, t.album, t.duration_sec, t.codec, t.has_cover, t.error,
    (SELECT json_group_array(json_object('source', m.source, 'mood', m.mood, 'valence', m.valence, 'arousal', m.arousal,
       'confidence', m.confidence, 'raw', m.raw)) FROM track_moods m WHERE m.track_id = t.id) AS moods
  FROM tracks t`;

export class TrackStore {
  constructor(
    private readonly db: Db,
    private readonly onUserDataChanged: () => void,
  ) {}

  filesInFolder(folderId: number): Map<string, StoredFile> {
    const rows = this.db
      .prepare('SELECT id, path, size, mtime_ms AS mtimeMs FROM tracks WHERE folder_id = ?')
      .all(folderId) as (StoredFile & {
      path: string;
    })[];
    return new Map(rows.map((r) => [r.path, { id: r.id, size: r.size, mtimeMs: r.mtimeMs }]));
  }

  /** Inserts or updates a track by path and replaces its file mood. Returns the track id. */
  upsert(folderId: number, track: TrackRecord, fileMood: MoodRecord | null): number {
    const now = Date.now();
    const id = this.db
      .prepare(
        `INSERT INTO tracks (folder_id, path, size, mtime_ms, title, artist, album, duration_sec, codec, has_cover, error, added_at, scanned_at)
         VALUES (@folderId, @path, @size, @mtimeMs, @title, @artist, @album, @durationSec, @codec, @hasCover, @error, @now, @now)
         ON CONFLICT(path) DO UPDATE SET folder_id = excluded.folder_id, size = excluded.size, mtime_ms = excluded.mtime_ms,
           title = excluded.title, artist = excluded.artist, album = excluded.album, duration_sec = excluded.duration_sec,
           codec = excluded.codec, has_cover = excluded.has_cover, error = excluded.error, scanned_at = excluded.scanned_at
         RETURNING id`,
      )
      .pluck()
      .get({ ...track, hasCover: track.hasCover ? 1 : 0, folderId, now }) as number;
    if (fileMood) this.setMood(id, 'file', fileMood);
    else this.clearMood(id, 'file');
    return id;
  }

  markError(trackId: number, error: string): boolean {
    return this.db.prepare('UPDATE tracks SET error = ? WHERE id = ?').run(error, trackId).changes > 0;
  }

  delete(ids: readonly number[]): void {
    const del = this.db.prepare('DELETE FROM tracks WHERE id = ?');
    for (const id of ids) del.run(id);
  }

  setMood(trackId: number, source: MoodSource, mood: MoodRecord): void {
    this.db
      .prepare(
        `INSERT INTO track_moods (track_id, source, mood, valence, arousal, confidence, raw, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(track_id, source) DO UPDATE SET mood = excluded.mood, valence = excluded.valence, arousal = excluded.arousal,
           confidence = excluded.confidence, raw = excluded.raw, updated_at = excluded.updated_at`,
      )
      .run(trackId, source, mood.mood, mood.valence ?? null, mood.arousal ?? null, mood.confidence, mood.raw ?? null, Date.now());
  }

  clearMood(trackId: number, source: MoodSource): void {
    this.db.prepare('DELETE FROM track_moods WHERE track_id = ? AND source = ?').run(trackId, source);
  }

  /** Sets (or, with null, clears) the user's own mood on several tracks at once. */
  setUserMood(trackIds: readonly number[], mood: Mood | null): number {
    return this.db
      .transaction(() => {
        let changed = 0;
        for (const id of trackIds) {
          if (!this.db.prepare('SELECT 1 FROM tracks WHERE id = ?').get(id)) continue;
          if (mood === null) this.clearMood(id, 'user');
          else this.setMood(id, 'user', { mood, confidence: 1 });
          changed++;
        }
        this.onUserDataChanged();
        return changed;
      })
      .immediate();
  }

  /** The user's own moods, by file path: what a backup keeps. */
  userMoodsByPath(): { path: string; mood: string }[] {
    return this.db
      .prepare(
        "SELECT t.path AS path, m.mood AS mood FROM track_moods m JOIN tracks t ON t.id = m.track_id WHERE m.source = 'user' AND m.mood IS NOT NULL",
      )
      .all() as { path: string; mood: string }[];
  }

  get(id: number): Track | undefined {
    const row = this.db.prepare(`${TRACK_SELECT} WHERE t.id = ?`).get(id) as TrackRow | undefined;
    return row && toTrack(row);
  }

  getByPath(path: string): Track | undefined {
    const row = this.db.prepare(`${TRACK_SELECT} WHERE t.path = ?`).get(path) as TrackRow | undefined;
    return row && toTrack(row);
  }

  /** Tracks, optionally filtered by a full-text query over title, artist and album. */
  list(options: { sort?: TrackSort; query?: string; limit?: number; offset?: number } = {}): Track[] {
    const sort = SORT_SQL[options.sort ?? 'artist'];
    const match = ftsQuery(options.query ?? '');
    const where = match ? 'WHERE t.id IN (SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH @match)' : '';
    const rows = this.db
      .prepare(`${TRACK_SELECT} ${where} ORDER BY ${sort} LIMIT @limit OFFSET @offset`)
      .all({ match, limit: options.limit ?? -1, offset: options.offset ?? 0 }) as TrackRow[];
    return rows.map(toTrack);
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM tracks').pluck().get() as number;
  }
}

/** Turns what a person types into an FTS5 prefix query; quotes keep FTS syntax out of it. */
export function ftsQuery(text: string): string {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.map((w) => `"${w}"*`).join(' ');
}

const SOURCE_RANK: Record<MoodSource, number> = Object.fromEntries(MOOD_SOURCES.map((s, i) => [s, i])) as Record<MoodSource, number>;

export function toTrack(row: TrackRow): Track {
  const moods = (
    JSON.parse(row.moods ?? '[]') as (Omit<TrackMood, 'mood'> & {
      mood: string | null;
      valence: number | null;
      arousal: number | null;
      raw: string | null;
    })[]
  )
    .map((m): TrackMood => ({
      source: m.source,
      mood: isMood(m.mood) ? m.mood : null,
      confidence: m.confidence,
      ...(m.valence !== null ? { valence: m.valence } : {}),
      ...(m.arousal !== null ? { arousal: m.arousal } : {}),
      ...(m.raw !== null ? { raw: m.raw } : {}),
    }))
    .sort((a, b) => SOURCE_RANK[a.source] - SOURCE_RANK[b.source]);
  return {
    id: row.id,
    path: row.path,
    title: row.title,
    artist: row.artist,
    album: row.album,
    durationSec: row.duration_sec,
    codec: row.codec,
    hasCover: row.has_cover === 1,
    error: row.error,
    moods,
    // The user's tag wins, then the file's, then the estimate from the audio.
    mood: moods.find((m) => m.mood !== null) ?? null,
  };
}
