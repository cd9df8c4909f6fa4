/**
 * Named, ordered lists of entries. Each entry names its file by path and points at the library's
 * track for it, or at none (a missing entry): the triggers of migration 4 turn an entry into a
 * missing one when its track goes and back into a track when a scan finds a file at its path.
 * Positions run 0, 1, 2... in each playlist, with no gaps.
 */
import type { PlaylistEntry, PlaylistSummary, Track } from '../../../shared/library.js';
import type { Db } from '../database.js';
import { TRACK_SELECT, toTrack, type TrackRow } from './trackStore.js';

/** What goes into a playlist: a library track, or a file by path (missing unless the library has it). */
export type NewEntry = { trackId: number } | { path: string; label?: string | null; durationSec?: number | null };

/** An entry with its file as an export writes it. */
export interface StoredEntry {
  id: number;
  path: string;
  trackId: number | null;
  label: string | null;
  durationSec: number | null;
}

interface EntryRow {
  id: number;
  position: number;
  path: string;
  trackId: number | null;
  label: string | null;
  durationSec: number | null;
}

const SUMMARY_SELECT = `
  SELECT l.id, l.name, l.created_at AS createdAt,
    (SELECT count(*) FROM playlist_entries e WHERE e.playlist_id = l.id) AS trackCount,
    (SELECT count(*) FROM playlist_entries e WHERE e.playlist_id = l.id AND e.track_id IS NULL) AS missingCount,
    (SELECT coalesce(sum(t.duration_sec), 0) FROM playlist_entries e JOIN tracks t ON t.id = e.track_id WHERE e.playlist_id = l.id)
      AS durationSec
  FROM playlists l`;

export class PlaylistStore {
  constructor(
    private readonly db: Db,
    private readonly onUserDataChanged: () => void,
  ) {}

  /** Creates the playlist or replaces its tracks, in one transaction. */
  save(name: string, trackIds: readonly number[]): number {
    return this.db
      .transaction(() => {
        this.db.prepare('INSERT INTO playlists (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING').run(name, Date.now());
        const id = this.idOf(name)!;
        this.db.prepare('DELETE FROM playlist_entries WHERE playlist_id = ?').run(id);
        this.insertRows(
          id,
          trackIds.map((trackId) => ({ trackId })),
        );
        this.onUserDataChanged();
        return id;
      })
      .immediate();
  }

  /** A new playlist with these entries; the name must be free (see nameTaken). */
  create(name: string, entries: readonly NewEntry[] = [], createdAt = Date.now()): number {
    return this.db
      .transaction(() => {
        const id = this.db
          .prepare('INSERT INTO playlists (name, created_at) VALUES (?, ?) RETURNING id')
          .pluck()
          .get(name, createdAt) as number;
        this.insertRows(id, entries);
        this.onUserDataChanged();
        return id;
      })
      .immediate();
  }

  /** The playlist's id by its exact name. */
  idOf(name: string): number | undefined {
    return this.db.prepare('SELECT id FROM playlists WHERE name = ?').pluck().get(name) as number | undefined;
  }

  /** Whether another playlist has this name, case aside (`except` is the one being renamed). */
  nameTaken(name: string, except?: number): string | undefined {
    const folded = name.toLocaleLowerCase();
    return this.list().find((p) => p.id !== except && p.name.toLocaleLowerCase() === folded)?.name;
  }

  rename(id: number, name: string): boolean {
    const changed = this.db.prepare('UPDATE playlists SET name = ? WHERE id = ?').run(name, id).changes > 0;
    if (changed) this.onUserDataChanged();
    return changed;
  }

  delete(id: number): boolean {
    const deleted = this.db.prepare('DELETE FROM playlists WHERE id = ?').run(id).changes > 0;
    if (deleted) this.onUserDataChanged();
    return deleted;
  }

  /** The playlist's tracks in order, by its name; missing entries are left out. */
  tracks(name: string): Track[] {
    const rows = this.db
      .prepare(
        `${TRACK_SELECT} JOIN playlist_entries e ON e.track_id = t.id JOIN playlists l ON l.id = e.playlist_id
         WHERE l.name = ? ORDER BY e.position`,
      )
      .all(name) as TrackRow[];
    return rows.map(toTrack);
  }

  list(): PlaylistSummary[] {
    return this.db.prepare(`${SUMMARY_SELECT} ORDER BY l.name, l.id`).all() as PlaylistSummary[];
  }

  summary(id: number): PlaylistSummary | undefined {
    return this.db.prepare(`${SUMMARY_SELECT} WHERE l.id = ?`).get(id) as PlaylistSummary | undefined;
  }

  /** How many entries the playlist has. */
  entryCount(id: number): number {
    return this.db.prepare('SELECT count(*) FROM playlist_entries WHERE playlist_id = ?').pluck().get(id) as number;
  }

  /** One page of the playlist's entries, in order, each with its track (or null where it is missing). */
  entries(id: number, page: { offset?: number; limit?: number } = {}): PlaylistEntry[] {
    const rows = this.db
      .prepare(
        `SELECT id, position, path, track_id AS trackId, label, duration_sec AS durationSec FROM playlist_entries
         WHERE playlist_id = ? ORDER BY position LIMIT ? OFFSET ?`,
      )
      .all(id, page.limit ?? -1, page.offset ?? 0) as EntryRow[];
    const ids = [...new Set(rows.flatMap((r) => (r.trackId === null ? [] : [r.trackId])))];
    const tracks = new Map(
      (this.db.prepare(`${TRACK_SELECT} WHERE t.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as TrackRow[]).map(
        (row) => [row.id, toTrack(row)],
      ),
    );
    return rows.map((r) => {
      const track = r.trackId === null ? null : (tracks.get(r.trackId) ?? null);
      return {
        id: r.id,
        position: r.position,
        path: r.path,
        track,
        label: track ? null : r.label,
        durationSec: track ? null : r.durationSec,
      };
    });
  }

  /** Every entry of the playlist in order, as an export or a backup writes it. */
  storedEntries(id: number): StoredEntry[] {
    return this.db
      .prepare(
        `SELECT e.id, e.path, e.track_id AS trackId, e.label, e.duration_sec AS durationSec FROM playlist_entries e
         WHERE e.playlist_id = ? ORDER BY e.position`,
      )
      .all(id) as StoredEntry[];
  }

  /**
   * Puts entries in at `position` (0 is the top; the end when left out), moving those from there on
   * down. A track id the library does not have is passed over. Returns how many went in.
   */
  insert(id: number, entries: readonly NewEntry[], position?: number): number {
    return this.db
      .transaction(() => {
        const added = this.insertRows(id, entries, position);
        if (added > 0) this.onUserDataChanged();
        return added;
      })
      .immediate();
  }

  private insertRows(id: number, entries: readonly NewEntry[], position?: number): number {
    const trackPath = this.db.prepare('SELECT path FROM tracks WHERE id = ?').pluck();
    const trackAt = this.db.prepare('SELECT id FROM tracks WHERE path = ?').pluck();
    const rows: { trackId: number | null; path: string; label: string | null; durationSec: number | null }[] = [];
    for (const entry of entries) {
      if ('trackId' in entry) {
        const path = trackPath.get(entry.trackId) as string | undefined;
        if (path !== undefined) rows.push({ trackId: entry.trackId, path, label: null, durationSec: null });
      } else {
        const trackId = (trackAt.get(entry.path) as number | undefined) ?? null;
        rows.push({
          trackId,
          path: entry.path,
          label: trackId === null ? (entry.label ?? null) : null,
          durationSec: trackId === null ? (entry.durationSec ?? null) : null,
        });
      }
    }
    if (rows.length === 0) return 0;
    const at = Math.min(position ?? Number.MAX_SAFE_INTEGER, this.entryCount(id));
    this.db.prepare('UPDATE playlist_entries SET position = position + ? WHERE playlist_id = ? AND position >= ?').run(rows.length, id, at);
    const add = this.db.prepare(
      'INSERT INTO playlist_entries (playlist_id, position, track_id, path, label, duration_sec) VALUES (?, ?, ?, ?, ?, ?)',
    );
    rows.forEach((r, i) => add.run(id, at + i, r.trackId, r.path, r.label, r.durationSec));
    return rows.length;
  }

  /** Takes the entries out (those of this playlist; other ids are passed over); returns how many. */
  remove(id: number, entryIds: readonly number[]): number {
    return this.db
      .transaction(() => {
        const removed = this.db
          .prepare('DELETE FROM playlist_entries WHERE playlist_id = ? AND id IN (SELECT value FROM json_each(?))')
          .run(id, JSON.stringify(entryIds)).changes;
        if (removed === 0) return 0;
        this.db
          .prepare(
            `UPDATE playlist_entries SET position = n.position
             FROM (SELECT id, row_number() OVER (ORDER BY position, id) - 1 AS position FROM playlist_entries WHERE playlist_id = ?) n
             WHERE playlist_entries.id = n.id AND playlist_entries.position <> n.position`,
          )
          .run(id);
        this.onUserDataChanged();
        return removed;
      })
      .immediate();
  }

  /** The entry's place, or undefined when the playlist has no such entry. */
  positionOf(id: number, entryId: number): number | undefined {
    return this.db.prepare('SELECT position FROM playlist_entries WHERE playlist_id = ? AND id = ?').pluck().get(id, entryId) as
      number | undefined;
  }

  /** Moves the entry to `position` (0 to the last place), shifting the ones between by one. */
  move(id: number, entryId: number, position: number): boolean {
    return this.db
      .transaction(() => {
        const from = this.positionOf(id, entryId);
        if (from === undefined) return false;
        if (from === position) return true;
        if (position > from) {
          this.db
            .prepare('UPDATE playlist_entries SET position = position - 1 WHERE playlist_id = ? AND position > ? AND position <= ?')
            .run(id, from, position);
        } else {
          this.db
            .prepare('UPDATE playlist_entries SET position = position + 1 WHERE playlist_id = ? AND position >= ? AND position < ?')
            .run(id, position, from);
        }
        this.db.prepare('UPDATE playlist_entries SET position = ? WHERE id = ?').run(position, entryId);
        this.onUserDataChanged();
        return true;
      })
      .immediate();
  }

  /** How many missing entries, in any playlist, name a file under `folder`. */
  missingEntryCount(folder: string): number {
    const prefix = `${folder.replace(/\/+$/, '')}/`;
    return this.db
      .prepare('SELECT count(*) FROM playlist_entries WHERE track_id IS NULL AND substr(path, 1, length(@prefix)) = @prefix')
      .pluck()
      .get({ prefix }) as number;
  }
}
