/** The music folders the user added; removing one removes its tracks, moods and plays by foreign key. */
import type { LibraryFolder } from '../../../shared/library.js';
import type { Db } from '../database.js';

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

  list(): LibraryFolder[] {
    return this.db
      .prepare(
        `SELECT f.id, f.path,
           (SELECT count(*) FROM tracks t WHERE t.folder_id = f.id) AS trackCount,
           (SELECT count(*) FROM tracks t WHERE t.folder_id = f.id AND t.error IS NOT NULL) AS errorCount
         FROM folders f ORDER BY f.path`,
      )
      .all() as LibraryFolder[];
  }
}
