/**
 * One saved playlist's entries as the playlist view shows them: in the playlist's order, read in
 * pages like any long list (RowList), rows selected by entry id (a track can be in it twice), and
 * missing entries (files not in the library) among them. Moves and removals show at once and go to
 * the backend one after another, in the order they were made.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { PlaylistEntry, Track } from '../../shared/library.js';
import { RowList } from './rowList.svelte.js';

/** What an entry shows where its file is not in the library: the M3U's title, else the file's name. */
export function missingLabel(entry: PlaylistEntry): string {
  return entry.label || entry.path.split(/[\\/]/).pop() || entry.path;
}

/** The library track of an entry that can be played, or null. */
export function playableTrack(entry: PlaylistEntry): Track | null {
  return entry.track && entry.track.error === null ? entry.track : null;
}

export class PlaylistEntryList extends RowList<PlaylistEntry> {
  /** Changes sent and not answered yet; while there are any, a re-read waits (it would show an older order). */
  private pending = 0;
  private stale = false;
  private sending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly api: EmotuneApi,
    readonly playlistId: number,
  ) {
    super();
  }

  /** Entries among those read that can be played, in order: what a play of the playlist queues. */
  readonly playable: PlaylistEntry[] = $derived(this.loaded.filter((e) => playableTrack(e) !== null));

  protected fetchPage(offset: number, limit: number): Promise<PlaylistEntry[]> {
    return this.api.library.playlistEntries({ playlistId: this.playlistId, offset, limit });
  }

  protected async fetchCount(): Promise<number | undefined> {
    const all = await this.api.library.playlists();
    return all.find((p) => p.id === this.playlistId)?.trackCount;
  }

  /** Reads the entries again when the backend says something changed, once the changes sent here are in. */
  refresh(): Promise<void> {
    if (this.pending > 0) {
      this.stale = true;
      return Promise.resolve();
    }
    return this.reload();
  }

  /** Whether the row at `index` is read and can be moved to `to` (a place in the list). */
  canMove(index: number, to: number): boolean {
    return this.rows[index] !== undefined && to >= 0 && to < this.total && to !== index;
  }

  /**
   * Moves the entry at `from` so that it is at `to` once moved: on screen now, then in the backend.
   * The keyboard's row goes with it. Rejects (with the list read again) when the backend refuses.
   */
  move(from: number, to: number): Promise<void> {
    const entry = this.rows[from];
    if (!entry || !this.canMove(from, to)) return Promise.resolve();
    const rows = this.rows.slice();
    rows.splice(from, 1);
    rows.splice(to, 0, entry);
    this.rows = rows;
    if (this.active === from) this.active = to;
    else if (from < this.active && to >= this.active) this.active--;
    else if (from > this.active && to <= this.active) this.active++;
    return this.send(() => this.api.library.movePlaylistEntry({ playlistId: this.playlistId, entryId: entry.id, position: to }));
  }

  /** Takes entries out, on screen now, then in the backend. */
  remove(entryIds: readonly number[]): Promise<void> {
    if (entryIds.length === 0) return Promise.resolve();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup table for this call, not state
    const gone = new Set(entryIds);
    const rows = this.rows.filter((r) => r === undefined || !gone.has(r.id));
    this.rows = rows;
    this.total = rows.length;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, as RowList keeps it
    this.selected = new Set([...this.selected].filter((id) => !gone.has(id)));
    this.allSelected = false;
    this.active = Math.min(this.active, Math.max(0, rows.length - 1));
    return this.send(() => this.api.library.removeFromPlaylist({ playlistId: this.playlistId, entryIds: [...entryIds] }));
  }

  /** Sends one change after those before it; a refused one reads the list again, to show what the backend has. */
  private send(change: () => Promise<unknown>): Promise<void> {
    this.pending++;
    const sent = this.sending.then(change);
    this.sending = sent.catch(() => undefined);
    return sent.then(
      () => this.settled(false),
      (error: unknown) => {
        this.settled(true);
        throw error;
      },
    );
  }

  private settled(failed: boolean): void {
    this.pending--;
    if (failed) this.stale = true;
    if (this.pending === 0 && this.stale) {
      this.stale = false;
      void this.reload();
    }
  }
}
