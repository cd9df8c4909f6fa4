/**
 * The music library behind the API: folders, scans (one at a time, watched folders rescanned
 * on change), moods from the user, the files and the audio, playlists, and the mood policy.
 */
import { access, constants, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type {
  AlbumQuery,
  AlbumSummary,
  ArtistQuery,
  ArtistSummary,
  GenreQuery,
  GenreSummary,
  ImportedPlaylist,
  LibraryFolder,
  PlaylistEntriesQuery,
  PlaylistEntry,
  PlaylistSummary,
  RestoredFolder,
  ScanProgress,
  Track,
  TrackFilter,
  TrackQuery,
} from '../../shared/library.js';
import { MAX_PLAYLIST_ENTRIES, MAX_PLAYLIST_NAME } from '../../shared/schemas.js';
import type { Mood } from '../../shared/mood.js';
import { openLibraryDatabase } from './database.js';
import { createDemoLibrary, removeDemoFiles } from './demoLibrary.js';
import { FolderWatcher } from './folderWatcher.js';
import { LibraryStore } from './libraryStore.js';
import type { NewEntry } from './store/playlistStore.js';
import { formatM3u, formatM3uItems, parseM3uEntries } from './m3u.js';
import { scanFolder, startProgress } from './scanner.js';
import { realPathInLibrary } from './libraryPaths.js';
import { writeTagsOffThread } from './tagWriteClient.js';
import { writeUserBackup } from './userDataBackup.js';

export interface LibraryEvents {
  scanProgress(progress: ScanProgress): void;
  changed(): void;
}

export const DEMO_FOLDER_NAME = 'Demo library';
const DEMO_CREATED_KEY = 'demoLibraryCreated';

export class LibraryService {
  readonly store: LibraryStore;
  private readonly watcher: FolderWatcher;
  private scanQueue: Promise<unknown> = Promise.resolve();
  private readonly watching: boolean;
  private demoLibraryRun: Promise<LibraryFolder | undefined> | undefined;
  private readonly afterScanTasks: (() => Promise<unknown>)[] = [];

  constructor(
    readonly dataDir: string,
    private readonly events: LibraryEvents,
    options: { watch?: boolean } = {},
  ) {
    this.store = new LibraryStore(openLibraryDatabase(join(dataDir, 'library.sqlite')), () => this.backUpSoon());
    this.watcher = new FolderWatcher(
      (id) => void this.rescan(id).catch((error: unknown) => console.error('Emotune: the rescan of a changed folder failed:', error)),
    );
    this.watching = options.watch !== false;
    // Libraries from before the demo folder was marked: it is the one Emotune writes in its data folder.
    this.store.folders.markDemo(this.demoFolder);
    if (this.watching) for (const f of this.store.folders.list()) this.watcher.watch(f.id, f.path);
  }

  /** On the very first run, writes the demo pieces and adds them, so there is music at once. */
  ensureDemoLibrary(): Promise<LibraryFolder | undefined> {
    // The backend starts this on its own; a second caller waits for that run instead of writing the same files under it.
    this.demoLibraryRun ??= this.createDemoLibraryOnce().finally(() => (this.demoLibraryRun = undefined));
    return this.demoLibraryRun;
  }

  /** Where the demo library is written. */
  get demoFolder(): string {
    return resolve(this.dataDir, DEMO_FOLDER_NAME);
  }

  private async createDemoLibraryOnce(): Promise<LibraryFolder | undefined> {
    if (this.store.settings.get<boolean>(DEMO_CREATED_KEY) || this.store.folders.list().length > 0) return undefined;
    const folder = this.demoFolder;
    await createDemoLibrary(folder);
    this.store.settings.set(DEMO_CREATED_KEY, true);
    return this.addFolder(folder);
  }

  async addFolder(path: string): Promise<LibraryFolder> {
    return (await this.addAndScan(path)).folder;
  }

  /**
   * Adds a folder back after library.removeFolder (or adds it for the first time) and waits for its
   * scan: what the user made for its files, kept by path when it was removed (their moods, the
   * listener's feedback, playlist entries), is back on its tracks by then. Says how much came back.
   */
  async restoreFolder(path: string): Promise<RestoredFolder> {
    const absolute = resolve(path);
    const keptMoods = () => this.store.tracks.keptUserMoodCount(absolute);
    const missingEntries = () => this.store.playlists.missingEntryCount(absolute);
    const [moodsBefore, entriesBefore] = [keptMoods(), missingEntries()];
    const { folder, scanned } = await this.addAndScan(path);
    await scanned;
    return {
      folder: this.store.folders.list().find((f) => f.id === folder.id) ?? folder,
      userMoods: Math.max(0, moodsBefore - keptMoods()),
      playlistEntries: Math.max(0, entriesBefore - missingEntries()),
    };
  }

  private async addAndScan(path: string): Promise<{ folder: LibraryFolder; scanned: Promise<ScanProgress[]> }> {
    // A relative path would mean the server's own folder, which the user never sees.
    if (!isAbsolute(path)) throw new Error(`cannot add ${path}: give the folder's full path, e.g. /home/you/Music`);
    const absolute = resolve(path);
    const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
      throw new Error(
        `cannot add ${absolute}: ${error.code === 'ENOENT' ? 'no such folder' : error.code === 'EACCES' ? 'permission denied' : error.message}`,
        {
          cause: error,
        },
      );
    });
    if (!info.isDirectory()) throw new Error(`cannot add ${absolute}: it is not a folder`);
    await access(absolute, constants.R_OK | constants.X_OK).catch((error: unknown) => {
      throw new Error(`cannot add ${absolute}: permission denied (Emotune cannot list the folder)`, { cause: error });
    });
    const nested = this.store.folders.list().find((f) => absolute.startsWith(`${f.path}/`) || f.path.startsWith(`${absolute}/`));
    if (nested) throw new Error(`cannot add ${absolute}: it overlaps the library folder ${nested.path}`);
    let folder = this.store.folders.add(absolute);
    if (absolute === this.demoFolder) {
      this.store.folders.markDemo(absolute);
      folder = { ...folder, demo: true };
    }
    if (this.watching) this.watcher.watch(folder.id, folder.path);
    // The scan goes on in the background and reports its progress as events.
    const scanned = this.rescan(folder.id);
    this.events.changed();
    return { folder, scanned };
  }

  /**
   * Removes a folder from the library. What the user made for its tracks stays, by path: their own
   * moods, the listener's feedback and learned moods, and their places in playlists (as missing
   * entries); adding the folder again (restoreFolder, or addFolder) puts it all back. The demo
   * library's pieces, which Emotune wrote itself, are deleted with it (and it is not written again).
   */
  removeFolder(id: number): boolean {
    const folder = this.store.folders.list().find((f) => f.id === id);
    this.watcher.unwatch(id);
    const removed = this.store.folders.remove(id);
    if (removed) this.events.changed();
    if (removed && folder?.demo) {
      void removeDemoFiles(folder.path).catch((error: unknown) =>
        console.error('Emotune: could not delete the demo library files:', error),
      );
    }
    return removed;
  }

  /**
   * Scans one folder, or all; scans run one after another. Mood estimates for untagged tracks
   * follow in the background, after the scan has reported.
   */
  rescan(folderId?: number): Promise<ScanProgress[]> {
    const run = async () => {
      const folders = this.store.folders.list().filter((f) => folderId === undefined || f.id === folderId);
      const results: ScanProgress[] = [];
      for (const folder of folders) {
        try {
          results.push(await scanFolder(this.store, folder.id, folder.path, { onProgress: (p) => this.events.scanProgress(p) }));
        } catch (error) {
          results.push({ ...startProgress(folder.path), phase: 'failed', message: (error as Error).message });
        }
      }
      this.events.changed();
      return results;
    };
    const next = this.scanQueue.then(run, run);
    this.scanQueue = next.then(() => this.runAfterScanTasks());
    return next;
  }

  /**
   * Work that follows every scan in the same queue (the mood estimates), so that `idle()` waits for
   * it too and it never races a scan.
   */
  afterEachScan(task: () => Promise<unknown>): void {
    this.afterScanTasks.push(task);
  }

  private async runAfterScanTasks(): Promise<void> {
    // One task's failure must not stop the next scan or task; it is logged, not swallowed.
    for (const task of this.afterScanTasks) {
      await task().catch((error: unknown) => console.error('Emotune: work after a scan failed:', error));
    }
  }

  /** Tells the renderers that tracks changed (a mood estimate or feedback). */
  notifyChanged(): void {
    this.events.changed();
  }

  /**
   * At start: an incremental rescan of every folder, which finishes a scan that a crash or kill cut
   * short, picks up what changed while the app was closed, and then resumes the mood estimates.
   */
  resumeInterruptedWork(): Promise<ScanProgress[]> {
    return this.store.folders.list().length > 0 ? this.rescan() : Promise.resolve([]);
  }

  /** Resolves when every queued scan and estimate has finished. */
  async idle(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.scanQueue;
      await seen;
    } while (seen !== this.scanQueue);
  }

  listFolders(): LibraryFolder[] {
    return this.store.folders.list();
  }

  listTracks(options: TrackQuery): Track[] {
    return this.store.tracks.list(options);
  }

  countTracks(filter: TrackFilter): number {
    return this.store.tracks.count(filter);
  }

  listArtists(query: ArtistQuery): ArtistSummary[] {
    return this.store.tracks.artists(query);
  }

  listAlbums(query: AlbumQuery): AlbumSummary[] {
    return this.store.tracks.albums(query);
  }

  listGenres(query: GenreQuery): GenreSummary[] {
    return this.store.tracks.genres(query);
  }

  setUserMood(trackIds: readonly number[], mood: Mood | null): number {
    const changed = this.store.tracks.setUserMood(trackIds, mood);
    this.events.changed();
    return changed;
  }

  /**
   * Writes each track's own (user) mood into its file's tags, atomically and off the event loop;
   * returns the failures, by path.
   */
  async writeMoodTags(trackIds: readonly number[]): Promise<{ written: number; failed: { path: string; message: string }[] }> {
    const failed: { path: string; message: string }[] = [];
    const folders = this.store.folders.list().map((f) => f.path);
    const jobs = [];
    for (const id of trackIds) {
      const track = this.store.tracks.get(id);
      const user = track?.moods.find((m) => m.source === 'user');
      if (!track || !user?.mood) continue;
      // The library's one rule: never write through a link to a file outside the music folders.
      const real = await realPathInLibrary(track.path, folders);
      if (real === null)
        failed.push({ path: track.path, message: 'the file is missing or leads outside the library folders; not written' });
      else jobs.push({ path: real, tags: { mood: user.mood } });
    }
    const outcomes = await writeTagsOffThread(jobs);
    for (const o of outcomes) if (!o.ok) failed.push({ path: o.path, message: o.message });
    const written = outcomes.filter((o) => o.ok).length;
    // The files changed: rescan so sizes, mtimes and file moods match them.
    if (written > 0) void this.rescan();
    return { written, failed };
  }

  listPlaylists(): PlaylistSummary[] {
    return this.store.playlists.list();
  }

  /** One page of a playlist's entries in order, the missing ones among them (with a null track). */
  playlistEntries({ playlistId, offset, limit }: PlaylistEntriesQuery): PlaylistEntry[] {
    this.playlist(playlistId);
    return this.store.playlists.entries(playlistId, { offset, limit });
  }

  /** A new playlist, empty or with these tracks in this order (saving the queue); tracks no longer in the library are passed over. */
  createPlaylist(name: string, trackIds: readonly number[] = []): PlaylistSummary {
    const clean = this.freeName(name);
    const id = this.store.playlists.create(
      clean,
      trackIds.map((trackId) => ({ trackId })),
    );
    this.events.changed();
    return this.playlist(id);
  }

  renamePlaylist(playlistId: number, name: string): PlaylistSummary {
    this.playlist(playlistId);
    this.store.playlists.rename(playlistId, this.freeName(name, playlistId));
    this.events.changed();
    return this.playlist(playlistId);
  }

  deletePlaylist(playlistId: number): boolean {
    this.playlist(playlistId);
    const deleted = this.store.playlists.delete(playlistId);
    this.events.changed();
    return deleted;
  }

  /**
   * Puts tracks into a playlist at `position` (0 is the top), or at its end. Tracks no longer in the
   * library are passed over; when none of them is left, nothing is added and it says so.
   */
  addToPlaylist(playlistId: number, trackIds: readonly number[], position?: number): { added: number; playlist: PlaylistSummary } {
    const playlist = this.playlist(playlistId);
    if (position !== undefined && position > playlist.trackCount) {
      throw new Error(
        `cannot add at position ${position}: the playlist "${playlist.name}" has ${countEntries(playlist.trackCount)}, so tracks go in at positions 0 to ${playlist.trackCount}`,
      );
    }
    if (playlist.trackCount + trackIds.length > MAX_PLAYLIST_ENTRIES) {
      throw new Error(`the playlist "${playlist.name}" cannot hold more than ${MAX_PLAYLIST_ENTRIES} entries`);
    }
    const added = this.store.playlists.insert(
      playlistId,
      trackIds.map((trackId) => ({ trackId })),
      position,
    );
    if (added === 0) {
      throw new Error(
        `nothing was added to "${playlist.name}": ${trackIds.length === 1 ? 'that track is' : 'those tracks are'} no longer in the library`,
      );
    }
    this.events.changed();
    return { added, playlist: this.playlist(playlistId) };
  }

  /** Takes entries out of a playlist by their ids (a track can be in it twice); ids not in it are passed over. */
  removeFromPlaylist(playlistId: number, entryIds: readonly number[]): { removed: number; playlist: PlaylistSummary } {
    this.playlist(playlistId);
    const removed = this.store.playlists.remove(playlistId, entryIds);
    if (removed > 0) this.events.changed();
    return { removed, playlist: this.playlist(playlistId) };
  }

  /** Moves an entry so that it is at `position` (0 is the top) once moved; the others keep their order. */
  movePlaylistEntry(playlistId: number, entryId: number, position: number): PlaylistSummary {
    const playlist = this.playlist(playlistId);
    if (this.store.playlists.positionOf(playlistId, entryId) === undefined) {
      throw new Error(`that entry is not in the playlist "${playlist.name}" (it may have been removed): show the playlist again`);
    }
    if (position >= playlist.trackCount) {
      throw new Error(
        `cannot move to position ${position}: the playlist "${playlist.name}" has ${countEntries(playlist.trackCount)}, at positions 0 to ${playlist.trackCount - 1}`,
      );
    }
    this.store.playlists.move(playlistId, entryId, position);
    this.events.changed();
    return this.playlist(playlistId);
  }

  /**
   * A new playlist from the M3U text the user uploaded (named `name`, or "name (2)" where that is
   * taken): absolute entries match library tracks by path, relative ones by the end of the path (the
   * playlist's own folder is not known). The entries that match nothing stay in it as missing entries,
   * with their path and #EXTINF title, and become tracks when a scan finds those files.
   */
  importM3u(content: string, name: string): ImportedPlaylist {
    const tracks = this.store.tracks.list({});
    const entries: NewEntry[] = [];
    const missing: string[] = [];
    let matched = 0;
    for (const entry of parseM3uEntries(content)) {
      const absolute = isAbsolute(entry.path);
      const suffix = `/${entry.path.replace(/^(\.\.?\/)+/, '')}`;
      const track = absolute ? this.store.tracks.getByPath(resolve(entry.path)) : tracks.find((t) => t.path.endsWith(suffix));
      if (track) {
        entries.push({ trackId: track.id });
        matched++;
      } else {
        entries.push({ path: absolute ? resolve(entry.path) : entry.path, label: entry.title, durationSec: entry.durationSec });
        missing.push(entry.path);
      }
    }
    if (entries.length > MAX_PLAYLIST_ENTRIES) {
      throw new Error(`the playlist has ${entries.length} entries; Emotune takes at most ${MAX_PLAYLIST_ENTRIES}`);
    }
    const unique = this.uniqueName(name);
    const playlistId = this.store.playlists.create(unique, entries);
    this.events.changed();
    return { playlistId, name: unique, matched, missing };
  }

  /** importM3u, as the first version of the API answered it (without the new playlist's id). */
  importPlaylist(content: string, name: string): { name: string; matched: number; missing: string[] } {
    const { name: saved, matched, missing } = this.importM3u(content, name);
    return { name: saved, matched, missing };
  }

  /** The tracks (the queue, a selection) as M3U text, for the renderer to offer as a download. */
  exportPlaylist(trackIds: readonly number[]): { content: string; written: number } {
    const tracks = trackIds.map((id) => this.store.tracks.get(id)).filter((t): t is Track => t !== undefined);
    return { content: formatM3u(tracks), written: tracks.length };
  }

  /** A saved playlist as M3U8 text with #EXTINF lines, its missing entries kept as their paths. */
  exportSavedPlaylist(playlistId: number): { content: string; written: number } {
    this.playlist(playlistId);
    const items = this.store.playlists.entries(playlistId).map((e) =>
      e.track
        ? {
            path: e.track.path,
            label: `${e.track.artist ? `${e.track.artist} - ` : ''}${e.track.title}`,
            durationSec: e.track.durationSec,
          }
        : { path: e.path, label: e.label, durationSec: e.durationSec },
    );
    return { content: formatM3uItems(items), written: items.length };
  }

  /** The playlist, or an error in words when there is none with that id. */
  private playlist(id: number): PlaylistSummary {
    const playlist = this.store.playlists.summary(id);
    if (!playlist) throw new Error(`there is no playlist ${id} (it may have been deleted): show the playlists again`);
    return playlist;
  }

  /** The name, trimmed, when no other playlist has it (case aside); else an error that says which has it. */
  private freeName(name: string, except?: number): string {
    const clean = name.trim();
    if (clean === '') throw new Error('give the playlist a name');
    if (clean.length > MAX_PLAYLIST_NAME) throw new Error(`a playlist name can be at most ${MAX_PLAYLIST_NAME} characters long`);
    const taken = this.store.playlists.nameTaken(clean, except);
    if (taken !== undefined) throw new Error(`there is already a playlist named "${taken}": choose another name`);
    return clean;
  }

  /** The name, or "name (2)", "name (3)"... where it is taken. */
  private uniqueName(name: string): string {
    const clean = name.trim().slice(0, MAX_PLAYLIST_NAME) || 'Imported playlist';
    if (this.store.playlists.nameTaken(clean) === undefined) return clean;
    for (let n = 2; ; n++) {
      const suffix = ` (${n})`;
      const candidate = `${clean.slice(0, MAX_PLAYLIST_NAME - suffix.length)}${suffix}`;
      if (this.store.playlists.nameTaken(candidate) === undefined) return candidate;
    }
  }

  /** A track the player could not play is marked with the reason, so it is skipped from now on. */
  markUnplayable(trackId: number, message: string): boolean {
    const changed = this.store.tracks.markError(trackId, `cannot be played: ${message}`);
    if (changed) this.events.changed();
    return changed;
  }

  private backupTimer: ReturnType<typeof setTimeout> | undefined;

  /** The user-data backup follows a burst of changes once, shortly after it. */
  private backUpSoon(): void {
    clearTimeout(this.backupTimer);
    this.backupTimer = setTimeout(() => this.backUpNow(), 250);
    this.backupTimer.unref?.();
  }

  private backUpNow(): void {
    clearTimeout(this.backupTimer);
    this.backupTimer = undefined;
    try {
      writeUserBackup(this.dataDir, this.store);
    } catch (error) {
      console.error('could not write the backup of your moods and settings:', error);
    }
  }

  close(): void {
    if (this.backupTimer !== undefined) this.backUpNow();
    this.watcher.close();
    this.store.close();
  }
}

function countEntries(n: number): string {
  return `${n} ${n === 1 ? 'entry' : 'entries'}`;
}
