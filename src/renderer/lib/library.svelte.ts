/**
 * The library as the UI holds it: folders, scan progress, the Songs list and one list per mood
 * (each a paged TrackList), and the actions on them, which call the API and say what happened.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { LibraryFolder, ScanProgress, Track, TrackSort } from '../../shared/library.js';
import { TRACK_PAGE_SIZE } from '../../shared/schemas.js';
import { MOODS, type Mood } from '../../shared/mood.js';
import { explainError, type FieldNames } from './errorWording.js';
import { TrackList } from './trackList.svelte.js';

/** A removed folder, kept for a few seconds so that Undo can add it back with the moods the user gave its tracks. */
export interface RemovedFolder {
  folder: LibraryFolder;
  userMoods: { path: string; mood: Mood }[];
  until: number;
}

export const UNDO_SECONDS = 8;

export class LibraryState {
  folders = $state<LibraryFolder[]>([]);
  readonly songs: TrackList;
  /** One list per mood, made when the Moods view first shows it. */
  // Each list is reactive itself; which lists exist is not state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly moodLists = new Map<Mood, TrackList>();
  moodCounts = $state<Partial<Record<Mood, number>>>({});
  progress = $state<ScanProgress | undefined>();
  message = $state('');
  /** What went wrong with the last action, in plain words; its raw text is `errorDetail`. */
  error = $state('');
  errorDetail = $state('');
  removed = $state<RemovedFolder | undefined>();
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private undoTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly api: EmotuneApi) {
    this.songs = new TrackList(api);
  }

  // The Songs list stands for "the library" where one list is meant (tests, the queue's continuation).
  get tracks(): Track[] {
    return this.songs.loaded;
  }

  get playable(): Track[] {
    return this.songs.playable;
  }

  get query(): string {
    return this.songs.query;
  }

  set query(value: string) {
    this.songs.query = value;
  }

  get sort(): TrackSort {
    return this.songs.sort;
  }

  set sort(value: TrackSort) {
    this.songs.sort = value;
  }

  get selected(): ReadonlySet<number> {
    return this.songs.selected;
  }

  toggle(id: number): void {
    this.songs.toggle(id);
  }

  selectAll(on: boolean): void {
    this.songs.selectAll(on);
  }

  moodList(mood: Mood): TrackList {
    let list = this.moodLists.get(mood);
    if (!list) {
      list = new TrackList(this.api, { mood });
      this.moodLists.set(mood, list);
      void list.reload();
    }
    return list;
  }

  /** Subscribes to library events; returns the unsubscribe function. */
  connect(): () => void {
    const offProgress = this.api.on('library.scanProgress', (p) => {
      this.progress = p;
      if (p.phase === 'failed') {
        this.fail(p.message ?? 'the scan stopped');
        this.error = `Scanning ${p.folder.split(/[\\/]/).pop()} failed: ${this.error.charAt(0).toLowerCase()}${this.error.slice(1)}`;
      } else if (p.phase === 'done') {
        const name = p.folder.split(/[\\/]/).pop();
        this.message = `Scanned ${name}: ${p.added} added, ${p.updated} updated, ${p.removed} removed, ${p.failed} unreadable.${p.message ? ` ${p.message}` : ''}`;
      }
    });
    const offChanged = this.api.on('library.changed', () => this.scheduleReload());
    void this.reload();
    return () => {
      offProgress();
      offChanged();
      clearTimeout(this.reloadTimer);
      clearTimeout(this.undoTimer);
    };
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(), 150);
  }

  /** Folders and every list shown so far, read again. */
  async reload(): Promise<void> {
    await this.run(async () => {
      const [folders] = await Promise.all([
        this.api.library.folders(),
        this.songs.reload(),
        ...[...this.moodLists.values()].map((l) => l.reload()),
      ]);
      this.folders = folders;
    });
    if (this.moodLists.size > 0) void this.countMoods();
  }

  async countMoods(): Promise<void> {
    const counts = await Promise.all(
      MOODS.map((mood) =>
        this.api.library.trackCount({ mood }).then(
          (r) => r.count,
          () => undefined,
        ),
      ),
    );
    this.moodCounts = Object.fromEntries(MOODS.flatMap((m, i) => (counts[i] === undefined ? [] : [[m, counts[i]]])));
  }

  get scanning(): boolean {
    return this.progress !== undefined && this.progress.phase !== 'done' && this.progress.phase !== 'failed';
  }

  get failedTracks(): Track[] {
    return this.songs.loaded.filter((t) => t.error !== null);
  }

  /** Readable tracks with no mood from any source (among those read): hands-free cannot pick them for a mood. */
  get moodlessCount(): number {
    return this.playable.filter((t) => !t.mood?.mood).length;
  }

  /** When the queue runs out the music goes on: a track of the same mood first, else the next other one. */
  nextAfter(last: Track | undefined): Track | undefined {
    return this.songs.nextAfter(last);
  }

  addFolder(path: string): Promise<void> {
    return this.run(async () => {
      const folder = await this.api.library.addFolder({ path });
      this.message = `Added ${folder.path}; scanning…`;
    });
  }

  /** The desktop app's folder dialog (opened by the main process, which adds what was chosen). */
  pickFolder(): Promise<void> {
    return this.run(async () => {
      const folder = await this.api.library.pickFolder({});
      if (folder) this.message = `Added ${folder.path}; scanning…`;
    });
  }

  /**
   * The moods the user gave the tracks of a folder, by path. The backend forgets them with the
   * folder's tracks, so Undo puts them back itself.
   */
  async userMoodsIn(folder: LibraryFolder): Promise<{ path: string; mood: Mood }[]> {
    const prefix = folder.path.endsWith('/') ? folder.path : `${folder.path}/`;
    const found: { path: string; mood: Mood }[] = [];
    for (let offset = 0; ; offset += TRACK_PAGE_SIZE) {
      const page = await this.api.library.tracks({ offset, limit: TRACK_PAGE_SIZE });
      for (const t of page) {
        const mood = t.moods.find((m) => m.source === 'user')?.mood;
        if (mood && t.path.startsWith(prefix)) found.push({ path: t.path, mood });
      }
      if (page.length < TRACK_PAGE_SIZE) return found;
    }
  }

  /** Removes a folder (the caller has asked first) and offers Undo for a few seconds. */
  removeFolder(folder: LibraryFolder, userMoods: { path: string; mood: Mood }[] = []): Promise<void> {
    return this.run(async () => {
      const { removed } = await this.api.library.removeFolder({ id: folder.id });
      if (!removed) return;
      clearTimeout(this.undoTimer);
      this.removed = { folder, userMoods, until: Date.now() + UNDO_SECONDS * 1000 };
      this.undoTimer = setTimeout(() => (this.removed = undefined), UNDO_SECONDS * 1000);
    });
  }

  /** Adds the removed folder back; once its scan is done, the user's moods go back on its tracks. */
  undoRemove(): Promise<void> {
    const removed = this.removed;
    if (!removed) return Promise.resolve();
    clearTimeout(this.undoTimer);
    this.removed = undefined;
    return this.run(async () => {
      const scanned = this.scanDone(removed.folder.path);
      await this.api.library.addFolder({ path: removed.folder.path });
      this.message = `Added ${removed.folder.path} back; scanning…`;
      if (removed.userMoods.length === 0) return;
      await scanned;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plain lookup tables, not state
      const byPath = new Map(removed.userMoods.map((m) => [m.path, m.mood]));
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plain lookup tables, not state
      const byMood = new Map<Mood, number[]>();
      for (let offset = 0; ; offset += TRACK_PAGE_SIZE) {
        const page = await this.api.library.tracks({ offset, limit: TRACK_PAGE_SIZE });
        for (const t of page) {
          const mood = byPath.get(t.path);
          if (mood) byMood.set(mood, [...(byMood.get(mood) ?? []), t.id]);
        }
        if (page.length < TRACK_PAGE_SIZE) break;
      }
      for (const [mood, trackIds] of byMood) await this.api.library.setMood({ trackIds, mood });
      this.message = `Added ${removed.folder.path} back, with your moods on ${removed.userMoods.length} song${removed.userMoods.length === 1 ? '' : 's'}.`;
    });
  }

  /** Resolves when a scan of `path` reports done or failed. */
  private scanDone(path: string): Promise<void> {
    return new Promise((resolve) => {
      const off = this.api.on('library.scanProgress', (p) => {
        if (p.folder === path && (p.phase === 'done' || p.phase === 'failed')) {
          off();
          resolve();
        }
      });
    });
  }

  rescan(): Promise<void> {
    return this.run(() => this.api.library.rescan({}));
  }

  setMood(trackIds: number[], mood: Mood | null): Promise<void> {
    return this.run(async () => {
      const { changed } = await this.api.library.setMood({ trackIds, mood });
      this.message = mood ? `Tagged ${changed} track${changed === 1 ? '' : 's'} ${mood}.` : `Cleared your mood on ${changed} track(s).`;
    });
  }

  writeMoodTags(trackIds: number[]): Promise<void> {
    return this.run(async () => {
      const { written, failed } = await this.api.library.writeMoodTags({ trackIds });
      this.message = `Wrote the mood into ${written} file(s).`;
      if (failed.length > 0) {
        this.fail(failed[0]!.message);
        this.error = `${failed.length} file(s) could not be written. ${this.error}`;
      }
    });
  }

  /** A playlist file the user picked: its text goes to the backend, its path never does. */
  importPlaylist(file: File): Promise<void> {
    return this.run(async () => {
      const name = file.name.replace(/\.m3u8?$/i, '') || 'Imported playlist';
      const r = await this.api.library.importPlaylist({ name, content: await file.text() });
      this.message = `Imported "${r.name}": ${r.matched} track(s) found${r.missing.length ? `, ${r.missing.length} not in the library` : ''}.`;
    });
  }

  /** The tracks as an M3U8 file, offered as a download (the browser or the desktop app asks where). */
  exportPlaylist(trackIds: number[]): Promise<void> {
    return this.run(async () => {
      const { content, written } = await this.api.library.exportPlaylist({ trackIds });
      const url = URL.createObjectURL(new Blob([content], { type: 'audio/x-mpegurl' }));
      const link = Object.assign(document.createElement('a'), { href: url, download: 'Emotune playlist.m3u8' });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.message = `Exported ${written} track(s) as a playlist.`;
    });
  }

  private fail(error: unknown, fields?: FieldNames): void {
    const { text, detail } = explainError(error, fields);
    this.error = text;
    this.errorDetail = detail;
  }

  private async run(action: () => Promise<unknown>): Promise<void> {
    this.error = '';
    this.errorDetail = '';
    try {
      await action();
    } catch (error) {
      this.fail(error);
    }
  }
}
