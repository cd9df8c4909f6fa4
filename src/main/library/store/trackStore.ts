/** Tracks and their moods: the rows a scan writes and the lists the renderer pages through. */
import type {
  AlbumQuery,
  AlbumSummary,
  ArtistQuery,
  ArtistSummary,
  GenreQuery,
  GenreSummary,
  ReplayGain,
  SortDirection,
  Track,
  TrackDetails,
  TrackFilter,
  TrackMood,
  TrackQuery,
  TrackSort,
  TrackTags,
} from '../../../shared/library.js';
import { isMood, MOOD_SOURCES, type Mood, type MoodSource } from '../../../shared/mood.js';
import type { Db } from '../database.js';
import { sortKey } from '../sortKey.js';

export interface StoredFile {
  id: number;
  size: number;
  mtimeMs: number;
  /** The cover image found beside the file when it was last scanned. */
  coverPath: string | null;
}

/** A track as a scan writes it: `hasCover` is an embedded picture; `coverPath` an image in its folder. */
export interface TrackRecord extends TrackTags, Omit<TrackDetails, 'coverSource'> {
  path: string;
  size: number;
  mtimeMs: number;
  error: string | null;
  coverPath?: string | null;
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
  album_artist: string;
  track_no: number | null;
  disc_no: number | null;
  genre: string;
  year: number | null;
  duration_sec: number | null;
  codec: string | null;
  has_cover: number;
  cover_path: string | null;
  error: string | null;
  replaygain_track_gain: number | null;
  replaygain_track_peak: number | null;
  replaygain_album_gain: number | null;
  replaygain_album_peak: number | null;
  moods: string | null;
}

/**
 * Each sort's columns, all of them in one index (migration 3), so that any page of 50,000 tracks is
 * read off the index, with no sorting and nothing read for the rows before the page; `added` is the
 * order the rows were made in, the rowid's (a new row's is above every other's). The other
 * direction is the same columns, each reversed.
 */
const SORT_COLUMNS: Record<TrackSort, readonly string[]> = {
  title: ['t.title_key', 't.id'],
  artist: ['t.artist_key', 't.album_key', 't.disc_no', 't.track_no', 't.title_key', 't.id'],
  album: ['t.album_key', 't.album_artist_key', 't.disc_no', 't.track_no', 't.title_key', 't.id'],
  duration: ['t.duration_sec', 't.id'],
  added: ['t.id'],
  trackNo: ['t.disc_no', 't.track_no', 't.album_key', 't.title_key', 't.id'],
  genre: ['t.genre_key', 't.artist_key', 't.album_key', 't.disc_no', 't.track_no', 't.title_key', 't.id'],
  year: ['t.year', 't.artist_key', 't.album_key', 't.disc_no', 't.track_no', 't.title_key', 't.id'],
};

/** The way each sort goes when none is asked: newest first for `added`, else ascending. */
const DEFAULT_DIRECTION: Record<TrackSort, SortDirection> = {
  title: 'asc',
  artist: 'asc',
  album: 'asc',
  duration: 'asc',
  added: 'desc',
  trackNo: 'asc',
  genre: 'asc',
  year: 'asc',
};

function orderBy(columns: readonly string[], direction: SortDirection): string {
  return columns.map((c) => (direction === 'desc' ? `${c} DESC` : c)).join(', ');
}

/** The mood that counts for a track (the first source, by trust, that gave one), as SQL. */
const MOOD_THAT_COUNTS = `(SELECT m.mood FROM track_moods m WHERE m.track_id = t.id AND m.mood IS NOT NULL
  ORDER BY CASE m.source ${MOOD_SOURCES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END LIMIT 1)`;

/** Whether a track has art the cover endpoint can serve. */
const HAS_COVER = '(t.has_cover = 1 OR t.cover_path IS NOT NULL)';

/** One track row with its moods as JSON: playlists select through it too, so a track reads the same everywhere. */
export const TRACK_SELECT = `
  SELECT t.id, t.path, t.title, t.artist, t.album, t.album_artist, t.track_no, t.disc_no, t.genre, t.year,
    t.duration_sec, t.codec, t.has_cover, t.cover_path, t.error,
    t.replaygain_track_gain, t.replaygain_track_peak, t.replaygain_album_gain, t.replaygain_album_peak,
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
      .prepare('SELECT id, path, size, mtime_ms AS mtimeMs, cover_path AS coverPath FROM tracks WHERE folder_id = ?')
      .all(folderId) as (StoredFile & {
      path: string;
    })[];
    return new Map(rows.map((r) => [r.path, { id: r.id, size: r.size, mtimeMs: r.mtimeMs, coverPath: r.coverPath }]));
  }

  /** Inserts or updates a track by path and replaces its file mood. Returns the track id. */
  upsert(folderId: number, track: TrackRecord, fileMood: MoodRecord | null): number {
    const now = Date.now();
    const albumArtist = track.albumArtist ?? '';
    const genre = track.genre ?? '';
    const id = this.db
      .prepare(
        `INSERT INTO tracks (folder_id, path, size, mtime_ms, title, artist, album, album_artist, track_no, disc_no, genre, year,
           duration_sec, codec, has_cover, cover_path, error, title_key, artist_key, album_key, album_artist_key, genre_key,
           replaygain_track_gain, replaygain_track_peak, replaygain_album_gain, replaygain_album_peak, added_at, scanned_at)
         VALUES (@folderId, @path, @size, @mtimeMs, @title, @artist, @album, @albumArtist, @trackNo, @discNo, @genre, @year,
           @durationSec, @codec, @hasCover, @coverPath, @error, @titleKey, @artistKey, @albumKey, @albumArtistKey, @genreKey,
           @trackGain, @trackPeak, @albumGain, @albumPeak, @now, @now)
         ON CONFLICT(path) DO UPDATE SET folder_id = excluded.folder_id, size = excluded.size, mtime_ms = excluded.mtime_ms,
           title = excluded.title, artist = excluded.artist, album = excluded.album, album_artist = excluded.album_artist,
           track_no = excluded.track_no, disc_no = excluded.disc_no, genre = excluded.genre, year = excluded.year,
           duration_sec = excluded.duration_sec, codec = excluded.codec, has_cover = excluded.has_cover,
           cover_path = excluded.cover_path, error = excluded.error, title_key = excluded.title_key,
           artist_key = excluded.artist_key, album_key = excluded.album_key, album_artist_key = excluded.album_artist_key,
           genre_key = excluded.genre_key, replaygain_track_gain = excluded.replaygain_track_gain,
           replaygain_track_peak = excluded.replaygain_track_peak, replaygain_album_gain = excluded.replaygain_album_gain,
           replaygain_album_peak = excluded.replaygain_album_peak, scanned_at = excluded.scanned_at
         RETURNING id`,
      )
      .pluck()
      .get({
        folderId,
        path: track.path,
        size: track.size,
        mtimeMs: track.mtimeMs,
        title: track.title,
        artist: track.artist,
        album: track.album,
        albumArtist,
        trackNo: track.trackNo ?? null,
        discNo: track.discNo ?? null,
        genre,
        year: track.year ?? null,
        durationSec: track.durationSec,
        codec: track.codec,
        hasCover: track.hasCover ? 1 : 0,
        coverPath: track.coverPath ?? null,
        error: track.error,
        titleKey: sortKey(track.title),
        artistKey: sortKey(track.artist),
        albumKey: sortKey(track.album),
        // An album is grouped under its album artist, or under the tracks' artist where the tag is missing.
        albumArtistKey: sortKey(albumArtist || track.artist),
        genreKey: sortKey(genre),
        trackGain: track.replayGain?.trackGainDb ?? null,
        trackPeak: track.replayGain?.trackPeak ?? null,
        albumGain: track.replayGain?.albumGainDb ?? null,
        albumPeak: track.replayGain?.albumPeak ?? null,
        now,
      }) as number;
    if (fileMood) this.setMood(id, 'file', fileMood);
    else this.clearMood(id, 'file');
    return id;
  }

  /** Points an unchanged track at the cover image now beside it (or at none). */
  setCoverPath(trackId: number, coverPath: string | null): void {
    this.db.prepare('UPDATE tracks SET cover_path = ? WHERE id = ?').run(coverPath, trackId);
  }

  /** Where a track's cover is, as the last scan found it: in the file, in its folder, or nowhere. */
  coverOf(trackId: number): { embedded: boolean; folderImage: string | null } | undefined {
    const row = this.db.prepare('SELECT has_cover AS embedded, cover_path AS folderImage FROM tracks WHERE id = ?').get(trackId) as
      { embedded: number; folderImage: string | null } | undefined;
    return row && { embedded: row.embedded === 1, folderImage: row.folderImage };
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

  /**
   * The user's own moods, by file path: what a backup keeps. Those kept for files no longer in the
   * library (a removed folder's, a vanished file's) are among them.
   */
  userMoodsByPath(): { path: string; mood: string }[] {
    return this.db
      .prepare(
        `SELECT t.path AS path, m.mood AS mood FROM track_moods m JOIN tracks t ON t.id = m.track_id WHERE m.source = 'user' AND m.mood IS NOT NULL
         UNION ALL SELECT path, mood FROM kept_moods WHERE source = 'user' AND mood IS NOT NULL
         ORDER BY path`,
      )
      .all() as { path: string; mood: string }[];
  }

  /**
   * Puts the user's moods back by path (from a backup): on the track at that path, or, where the
   * library has none, kept for the file until a scan finds it. Returns how many went on tracks.
   */
  restoreUserMoods(moods: readonly { path: string; mood: Mood }[]): number {
    return this.db
      .transaction(() => {
        let onTracks = 0;
        const keep = this.db.prepare(
          `INSERT INTO kept_moods (path, source, mood, confidence, updated_at) VALUES (?, 'user', ?, 1, ?)
           ON CONFLICT(path, source) DO UPDATE SET mood = excluded.mood, confidence = 1, updated_at = excluded.updated_at`,
        );
        for (const { path, mood } of moods) {
          const id = this.db.prepare('SELECT id FROM tracks WHERE path = ?').pluck().get(path) as number | undefined;
          if (id === undefined) keep.run(path, mood, Date.now());
          else {
            this.setMood(id, 'user', { mood, confidence: 1 });
            onTracks++;
          }
        }
        this.onUserDataChanged();
        return onTracks;
      })
      .immediate();
  }

  /** How many of the user's moods are kept for files under `folder` that the library does not have. */
  keptUserMoodCount(folder: string): number {
    const prefix = `${folder.replace(/\/+$/, '')}/`;
    return this.db
      .prepare("SELECT count(*) FROM kept_moods WHERE source = 'user' AND substr(path, 1, length(@prefix)) = @prefix")
      .pluck()
      .get({ prefix }) as number;
  }

  get(id: number): Track | undefined {
    const row = this.db.prepare(`${TRACK_SELECT} WHERE t.id = ?`).get(id) as TrackRow | undefined;
    return row && toTrack(row);
  }

  getByPath(path: string): Track | undefined {
    const row = this.db.prepare(`${TRACK_SELECT} WHERE t.path = ?`).get(path) as TrackRow | undefined;
    return row && toTrack(row);
  }

  /**
   * One page of tracks: searched (title, artist, album, album artist, genre), filtered and sorted,
   * all in SQL. Without a limit, every track.
   */
  list(options: TrackQuery = {}): Track[] {
    const { sql, params } = trackListQuery(options);
    return (this.db.prepare(sql).all(params) as TrackRow[]).map(toTrack);
  }

  /**
   * Readable tracks with no mood yet, and those whose only mood is a failed estimate from the audio
   * (with what that attempt recorded): the work of the mood estimates, chosen in SQL, since reading
   * every track of a large library to find a few blocked the backend for most of a second.
   */
  awaitingMoodEstimate(): { id: number; path: string; failedRaw: string | null }[] {
    return this.db
      .prepare(
        `SELECT t.id AS id, t.path AS path, CASE WHEN count(m.track_id) = 1 THEN max(m.raw) END AS failedRaw
         FROM tracks t LEFT JOIN track_moods m ON m.track_id = t.id
         WHERE t.error IS NULL
         GROUP BY t.id
         HAVING count(m.track_id) = 0 OR (count(m.track_id) = 1 AND max(m.source) = 'audio' AND max(m.mood) IS NULL)
         ORDER BY t.id`,
      )
      .all() as { id: number; path: string; failedRaw: string | null }[];
  }

  /** How many tracks there are, or how many pass the filters. */
  count(filter: TrackFilter = {}): number {
    const { where, params } = trackWhere(filter);
    return this.db.prepare(`SELECT count(*) FROM tracks t ${where}`).pluck().get(params) as number;
  }

  /** The artists view: one row per artist (case and accents aside), with their albums and a cover. */
  artists(query: ArtistQuery = {}): ArtistSummary[] {
    const sort = query.sort ?? 'name';
    const order =
      sort === 'name'
        ? orderBy(['t.artist_key'], query.direction ?? 'asc')
        : orderBy(['count(*)', 't.artist_key'], query.direction ?? 'desc');
    return this.db
      .prepare(
        `SELECT min(t.artist) AS name, count(*) AS trackCount, count(DISTINCT t.album_key) AS albumCount,
           min(CASE WHEN ${HAS_COVER} THEN t.id END) AS coverTrackId
         FROM tracks t GROUP BY t.artist_key ORDER BY ${order} LIMIT @limit OFFSET @offset`,
      )
      .all(page(query)) as ArtistSummary[];
  }

  /**
   * The albums view: one row per album name and album artist (the tracks' artist where the tag is
   * missing). With `artist`, the albums where that artist has a track or is the album artist.
   */
  albums(query: AlbumQuery = {}): AlbumSummary[] {
    const sort = query.sort ?? 'album';
    const direction = query.direction ?? (sort === 'trackCount' ? 'desc' : 'asc');
    const columns = {
      album: ['t.album_key', 't.album_artist_key'],
      artist: ['t.album_artist_key', 't.album_key'],
      year: ['max(t.year)', 't.album_key', 't.album_artist_key'],
      trackCount: ['count(*)', 't.album_key', 't.album_artist_key'],
    }[sort];
    const where =
      query.artist === undefined
        ? ''
        : `WHERE (t.album_key, t.album_artist_key) IN
             (SELECT album_key, album_artist_key FROM tracks WHERE artist_key = @artistKey OR album_artist_key = @artistKey)`;
    return this.db
      .prepare(
        `SELECT min(t.album) AS album, min(CASE WHEN t.album_artist <> '' THEN t.album_artist ELSE t.artist END) AS artist,
           max(t.year) AS year, count(*) AS trackCount, min(CASE WHEN ${HAS_COVER} THEN t.id END) AS coverTrackId
         FROM tracks t ${where} GROUP BY t.album_key, t.album_artist_key ORDER BY ${orderBy(columns, direction)}
         LIMIT @limit OFFSET @offset`,
      )
      .all({ ...page(query), ...(query.artist === undefined ? {} : { artistKey: sortKey(query.artist) }) }) as AlbumSummary[];
  }

  /** The genres view: one row per genre, '' for the tracks that name none. */
  genres(query: GenreQuery = {}): GenreSummary[] {
    const sort = query.sort ?? 'name';
    const order =
      sort === 'name'
        ? orderBy(['t.genre_key'], query.direction ?? 'asc')
        : orderBy(['count(*)', 't.genre_key'], query.direction ?? 'desc');
    return this.db
      .prepare(
        `SELECT min(t.genre) AS name, count(*) AS trackCount FROM tracks t GROUP BY t.genre_key ORDER BY ${order}
         LIMIT @limit OFFSET @offset`,
      )
      .all(page(query)) as GenreSummary[];
  }

  /** Ids of the tracks in the demo folder. */
  demoTrackIds(): Set<number> {
    return new Set(
      this.db.prepare('SELECT t.id FROM tracks t JOIN folders f ON f.id = t.folder_id WHERE f.demo = 1').pluck().all() as number[],
    );
  }
}

/** The SELECT behind TrackStore.list, with its parameters (exported so a test can ask SQLite how it runs). */
export function trackListQuery(options: TrackQuery): { sql: string; params: Record<string, string | number> } {
  const sort = options.sort ?? 'artist';
  const { where, params } = trackWhere(options);
  const order = orderBy(SORT_COLUMNS[sort], options.direction ?? DEFAULT_DIRECTION[sort]);
  return { sql: `${TRACK_SELECT} ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`, params: { ...params, ...page(options) } };
}

function page(query: { offset?: number; limit?: number }): { limit: number; offset: number } {
  return { limit: query.limit ?? -1, offset: query.offset ?? 0 };
}

/** The WHERE clause of a track filter and its parameters; tag filters compare sort keys, so case and accents do not matter. */
function trackWhere(filter: TrackFilter): { where: string; params: Record<string, string | number> } {
  const clauses: string[] = [];
  const params: Record<string, string | number> = {};
  const match = ftsQuery(filter.query ?? '');
  if (match) {
    clauses.push('t.id IN (SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH @match)');
    params.match = match;
  }
  const keyed = [
    ['artist', 't.artist_key'],
    ['album', 't.album_key'],
    ['albumArtist', 't.album_artist_key'],
    ['genre', 't.genre_key'],
  ] as const;
  for (const [name, column] of keyed) {
    const value = filter[name];
    if (value === undefined) continue;
    clauses.push(`${column} = @${name}`);
    params[name] = sortKey(value);
  }
  if (filter.mood !== undefined) {
    clauses.push(`${MOOD_THAT_COUNTS} = @mood`);
    params.mood = filter.mood;
  }
  if (filter.folderId !== undefined) {
    clauses.push('t.folder_id = @folderId');
    params.folderId = filter.folderId;
  }
  if (filter.unreadable !== undefined) clauses.push(filter.unreadable ? 't.error IS NOT NULL' : 't.error IS NULL');
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
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
    hasCover: row.has_cover === 1 || row.cover_path !== null,
    albumArtist: row.album_artist,
    trackNo: row.track_no,
    discNo: row.disc_no,
    genre: row.genre,
    year: row.year,
    coverSource: row.has_cover === 1 ? 'embedded' : row.cover_path !== null ? 'folder' : null,
    replayGain: replayGainOf(row),
    error: row.error,
    moods,
    // The user's tag wins, then the file's, then the estimate from the audio.
    mood: moods.find((m) => m.mood !== null) ?? null,
  };
}

function replayGainOf(row: TrackRow): ReplayGain | null {
  if (row.replaygain_track_gain === null && row.replaygain_album_gain === null) return null;
  return {
    trackGainDb: row.replaygain_track_gain,
    trackPeak: row.replaygain_track_peak,
    albumGainDb: row.replaygain_album_gain,
    albumPeak: row.replaygain_album_peak,
  };
}
