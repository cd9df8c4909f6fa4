/** Named, ordered lists of tracks. */
import type { Track } from '../../../shared/library.js';
import type { Db } from '../database.js';
import { TRACK_SELECT, toTrack, type TrackRow } from './trackStore.js';

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
        const id = this.db.prepare('SELECT id FROM playlists WHERE name = ?').pluck().get(name) as number;
        this.db.prepare('DELETE FROM playlist_tracks WHERE playlist_id = ?').run(id);
        const insert = this.db.prepare('INSERT INTO playlist_tracks (playlist_id, position, track_id) VALUES (?, ?, ?)');
        trackIds.forEach((trackId, position) => insert.run(id, position, trackId));
        this.onUserDataChanged();
        return id;
      })
      .immediate();
  }

  tracks(name: string): Track[] {
    const rows = this.db
      .prepare(
        `${TRACK_SELECT} JOIN playlist_tracks p ON p.track_id = t.id JOIN playlists l ON l.id = p.playlist_id
         WHERE l.name = ? ORDER BY p.position`,
      )
      .all(name) as TrackRow[];
    return rows.map(toTrack);
  }

  list(): { id: number; name: string; trackCount: number }[] {
    return this.db
      .prepare(
        'SELECT l.id, l.name, (SELECT count(*) FROM playlist_tracks p WHERE p.playlist_id = l.id) AS trackCount FROM playlists l ORDER BY l.name',
      )
      .all() as { id: number; name: string; trackCount: number }[];
  }
}
