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
  LibraryFolder,
  ScanProgress,
  Track,
  TrackFilter,
  TrackQuery,
} from '../../shared/library.js';
import type { Mood } from '../../shared/mood.js';
import { openLibraryDatabase } from './database.js';
import { createDemoLibrary, removeDemoFiles } from './demoLibrary.js';
import { FolderWatcher } from './folderWatcher.js';
import { LibraryStore } from './libraryStore.js';
import { formatM3u, parseM3u } from './m3u.js';
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
    void this.rescan(folder.id);
    this.events.changed();
    return folder;
  }

  /**
   * Removes a folder from the library. The demo library's pieces, which Emotune wrote itself, are
   * deleted with it (and it is not written again).
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

  /**
   * Saves the playlist whose M3U text the user uploaded: absolute entries match library tracks by
   * path, relative ones by the end of the path (the playlist's own folder is not known).
   */
  importPlaylist(content: string, name: string): { name: string; matched: number; missing: string[] } {
    const tracks = this.store.tracks.list({});
    const ids: number[] = [];
    const missing: string[] = [];
    for (const entry of parseM3u(content)) {
      const suffix = `/${entry.replace(/^(\.\.?\/)+/, '')}`;
      const track = isAbsolute(entry) ? this.store.tracks.getByPath(resolve(entry)) : tracks.find((t) => t.path.endsWith(suffix));
      if (track) ids.push(track.id);
      else missing.push(entry);
    }
    this.store.playlists.save(name, ids);
    this.events.changed();
    return { name, matched: ids.length, missing };
  }

  /** The tracks as M3U text, for the renderer to offer as a download. */
  exportPlaylist(trackIds: readonly number[]): { content: string; written: number } {
    const tracks = trackIds.map((id) => this.store.tracks.get(id)).filter((t): t is Track => t !== undefined);
    return { content: formatM3u(tracks), written: tracks.length };
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
