/**
 * The music folders the user added. Removing one removes its tracks and their plays by foreign key;
 * what the user made for them (moods, the listener's feedback, playlist entries) is kept by path by the
 * triggers of migration 4, and goes back on the tracks when the folder is added again.
 */
import type { LibraryFolder } from '../../../shared/library.js';
import type { Db } from '../database.js';

interface FolderRow {
  id: number;
  path: string;
  trackCount: number;
  errorCount: number;
  demo: number;
  ownMusic: number;
  userMoods: number;
  unsupported: string | null;
}

export class FolderStore {
  constructor(
    private readonly db: Db,
    private readonly onUserDataChanged: () => void,
  ) {}

  add(path: string): LibraryFolder {
    this.db.prepare('INSERT INTO folders (path, added_at) VALUES (?, ?) ON CONFLICT(path) DO NOTHING').run(path, Date.now());
    this.onUserDataChanged();
    return this.list().find((f) => f.path === path)!;
  }

  remove(id: number): boolean {
    const removed = this.db.prepare('DELETE FROM folders WHERE id = ?').run(id).changes > 0;
    this.onUserDataChanged();
    return removed;
  }

  /** Marks the folder at `path`, if the library has it, as the demo library Emotune wrote. */
  markDemo(path: string): void {
    this.db.prepare('UPDATE folders SET demo = 1 WHERE path = ? AND demo = 0').run(path);
  }

  /** What the folder's last scan passed over, by extension, because Emotune cannot play those formats. */
  setUnsupported(id: number, counts: Record<string, number>): void {
    this.db.prepare('UPDATE folders SET unsupported = ? WHERE id = ?').run(JSON.stringify(counts), id);
  }

  list(): LibraryFolder[] {
    const rows = this.db
      .prepare(
        `SELECT f.id, f.path, f.demo, f.unsupported,
           (SELECT count(*) FROM tracks t WHERE t.folder_id = f.id) AS trackCount,
           (SELECT count(*) FROM tracks t WHERE t.folder_id = f.id AND t.error IS NOT NULL) AS errorCount,
           (SELECT count(*) FROM track_moods m CROSS JOIN tracks t ON t.id = m.track_id
              WHERE m.source = 'user' AND m.mood IS NOT NULL AND t.folder_id = f.id) AS userMoods,
           EXISTS (SELECT 1 FROM tracks t JOIN folders o ON o.id = t.folder_id WHERE o.demo = 0 AND t.error IS NULL) AS ownMusic
         FROM folders f ORDER BY f.path`,
      )
      .all() as FolderRow[];
    return rows.map((r) => ({
      id: r.id,
      path: r.path,
      trackCount: r.trackCount,
      errorCount: r.errorCount,
      demo: r.demo === 1,
      suggestRemoval: r.demo === 1 && r.ownMusic === 1,
      userMoods: r.userMoods,
      unsupported: r.unsupported === null ? {} : (JSON.parse(r.unsupported) as Record<string, number>),
    }));
  }
}
