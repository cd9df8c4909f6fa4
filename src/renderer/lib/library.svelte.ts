/**
 * The library as the UI holds it: folders, scan progress, the Songs list and one list per mood
 * (each a paged TrackList), and the actions on them, which call the API and say what happened.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { LibraryFolder, ScanProgress, Track, TrackSort } from '../../shared/library.js';
import { MOODS, type Mood } from '../../shared/mood.js';
import { explainError, type FieldNames } from './errorWording.js';
import { plural } from './format.js';
import { TrackList } from './trackList.svelte.js';

/** A removed folder, kept for a few seconds so that Undo can add it back. */
export interface RemovedFolder {
  folder: LibraryFolder;
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

  /** Subscribes to library events and reads the library; `onRead` hears when that first read has settled. Returns the unsubscribe function. */
  connect(onRead?: () => void): () => void {
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
    void this.reload().finally(onRead);
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

  /** The demo folder, once the user's own music is in and it is time to offer its removal. */
  get demoToOffer(): LibraryFolder | undefined {
    return this.folders.find((f) => f.demo && f.suggestRemoval);
  }

  /** A folder's files that could not be read, with the reasons (the first `limit`), and how many there are. */
  async unreadableIn(folder: LibraryFolder, limit = 200): Promise<{ tracks: Track[]; total: number }> {
    const filter = { folderId: folder.id, unreadable: true } as const;
    const [tracks, { count }] = await Promise.all([
      this.api.library.tracks({ ...filter, sort: 'title', limit }),
      this.api.library.trackCount(filter),
    ]);
    return { tracks, total: count };
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

  /** Removes a folder (the caller has asked first) and offers Undo for a few seconds. */
  removeFolder(folder: LibraryFolder): Promise<void> {
    return this.run(async () => {
      const { removed } = await this.api.library.removeFolder({ id: folder.id });
      if (!removed) return;
      if (folder.demo) {
        // Emotune deletes the demo files it wrote, so there is nothing for Undo to bring back.
        this.message = 'Removed the demo songs. Your own music is untouched.';
        return;
      }
      clearTimeout(this.undoTimer);
      this.removed = { folder, until: Date.now() + UNDO_SECONDS * 1000 };
      this.undoTimer = setTimeout(() => (this.removed = undefined), UNDO_SECONDS * 1000);
    });
  }

  /** Adds the removed folder back: the backend kept the user's moods and playlist entries by path and puts them back. */
  undoRemove(): Promise<void> {
    const removed = this.removed;
    if (!removed) return Promise.resolve();
    clearTimeout(this.undoTimer);
    this.removed = undefined;
    return this.run(async () => {
      this.message = `Adding ${removed.folder.path} back; scanning…`;
      const restored = await this.api.library.restoreFolder({ path: removed.folder.path });
      const kept = [
        restored.userMoods > 0 ? `your moods on ${plural(restored.userMoods, 'song')}` : '',
        restored.playlistEntries > 0 ? `${plural(restored.playlistEntries, 'playlist entry', 'playlist entries')}` : '',
      ].filter(Boolean);
      this.message = `Added ${removed.folder.path} back${kept.length > 0 ? `, with ${kept.join(' and ')}` : ''}.`;
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
