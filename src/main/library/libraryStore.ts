/**
 * The library database as one store per entity; SQL lives in store/ and database.ts only. The
 * stores share one connection, so `transaction` spans any of them.
 */
import type { Db } from './database.js';
import { FolderStore } from './store/folderStore.js';
import { PlaylistStore } from './store/playlistStore.js';
import { PlayStore } from './store/playStore.js';
import { SettingsStore } from './store/settingsStore.js';
import { TrackStore } from './store/trackStore.js';

export class LibraryStore {
  readonly folders: FolderStore;
  readonly tracks: TrackStore;
  readonly plays: PlayStore;
  readonly playlists: PlaylistStore;
  readonly settings: SettingsStore;

  /** `onUserDataChanged` hears of every change to what only the user made (folders, own moods, settings, playlists). */
  constructor(
    private readonly db: Db,
    onUserDataChanged: () => void = () => undefined,
  ) {
    this.folders = new FolderStore(db, onUserDataChanged);
    this.tracks = new TrackStore(db, onUserDataChanged);
    this.plays = new PlayStore(db);
    this.playlists = new PlaylistStore(db, onUserDataChanged);
    this.settings = new SettingsStore(db, onUserDataChanged);
  }

  /** Runs `fn` as one write transaction (BEGIN IMMEDIATE): all of it is stored, or none of it. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    this.db.close();
  }
}
