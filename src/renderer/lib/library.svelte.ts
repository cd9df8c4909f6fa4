/** The library as the UI holds it: folders, tracks, scan progress, selection; actions call the API. */
import type { EmotuneApi } from '../../shared/api.js';
import type { LibraryFolder, ScanProgress, Track, TrackSort } from '../../shared/library.js';
import { TRACK_PAGE_SIZE } from '../../shared/schemas.js';
import type { Mood } from '../../shared/mood.js';
import { SvelteSet } from 'svelte/reactivity';

export class LibraryState {
  folders = $state<LibraryFolder[]>([]);
  tracks = $state<Track[]>([]);
  /** Readable tracks in list order, kept once so that the queue, its continuation and the counts agree. */
  readonly playable = $derived(this.tracks.filter((t) => t.error === null));
  progress = $state<ScanProgress | undefined>();
  query = $state('');
  sort = $state<TrackSort>('artist');
  readonly selected = new SvelteSet<number>();
  message = $state('');
  error = $state('');
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly api: EmotuneApi) {}

  /** Subscribes to library events; returns the unsubscribe function. */
  connect(): () => void {
    const offProgress = this.api.on('library.scanProgress', (p) => {
      this.progress = p;
      if (p.phase === 'failed') this.error = p.message ?? `scanning ${p.folder} failed`;
      else if (p.phase === 'done') {
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
    };
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(), 150);
  }

  private reloads = 0;

  /** Every matching track, a page per call. */
  private async allTracks(): Promise<Track[]> {
    const query = { query: this.query || undefined, sort: this.sort };
    const tracks: Track[] = [];
    for (;;) {
      const page = await this.api.library.tracks({ ...query, offset: tracks.length, limit: TRACK_PAGE_SIZE });
      tracks.push(...page);
      if (page.length < TRACK_PAGE_SIZE) return tracks;
    }
  }

  async reload(): Promise<void> {
    const ticket = ++this.reloads;
    await this.run(async () => {
      const [folders, tracks] = await Promise.all([this.api.library.folders(), this.allTracks()]);
      // Answers can arrive out of order (typing fast); only the newest request counts.
      if (ticket !== this.reloads) return;
      this.folders = folders;
      this.tracks = tracks;
      // A plain lookup table, not state.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      const ids = new Set(tracks.map((t) => t.id));
      for (const id of [...this.selected]) if (!ids.has(id)) this.selected.delete(id);
    });
  }

  get scanning(): boolean {
    return this.progress !== undefined && this.progress.phase !== 'done' && this.progress.phase !== 'failed';
  }

  get failedTracks(): Track[] {
    return this.tracks.filter((t) => t.error !== null);
  }

  /** Readable tracks with no mood from any source: hands-free cannot pick them for a mood. */
  get moodlessCount(): number {
    return this.playable.filter((t) => !t.mood?.mood).length;
  }

  /** When the queue runs out the music goes on: a track of the same mood first, else the first other one. */
  nextAfter(last: Track | undefined): Track | undefined {
    const others = this.playable.filter((t) => t.id !== last?.id);
    const mood = last?.mood?.mood;
    return (mood ? others.find((t) => t.mood?.mood === mood) : undefined) ?? others[0];
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

  removeFolder(id: number): Promise<void> {
    return this.run(() => this.api.library.removeFolder({ id }));
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
      if (failed.length > 0) this.error = `Could not write ${failed.length} file(s): ${failed[0]!.message}`;
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

  toggle(id: number): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
  }

  selectAll(on: boolean): void {
    this.selected.clear();
    if (on) for (const t of this.tracks) this.selected.add(t.id);
  }

  private async run(action: () => Promise<unknown>): Promise<void> {
    this.error = '';
    try {
      await action();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }
}
