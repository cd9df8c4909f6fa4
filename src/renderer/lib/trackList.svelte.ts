/**
 * One list of tracks as the UI shows it (the Songs view, a mood, an artist): searched, sorted and
 * filtered by the backend, and read in pages as the listener scrolls (see RowList), never all at once.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { SortDirection, Track, TrackFilter, TrackSort } from '../../shared/library.js';
import { RowList } from './rowList.svelte.js';

export { LIST_PAGE_SIZE } from './rowList.svelte.js';

export class TrackList extends RowList<Track> {
  query = $state('');
  sort = $state<TrackSort>('artist');
  /** The sort's way; undefined: the sort's natural way (ascending, newest first for `added`). */
  direction = $state<SortDirection | undefined>(undefined);
  filter = $state.raw<Omit<TrackFilter, 'query'>>({});

  constructor(
    private readonly api: EmotuneApi,
    filter: Omit<TrackFilter, 'query'> = {},
  ) {
    super();
    this.filter = filter;
  }

  /** Readable tracks among those read, in list order: what a play from this list queues. */
  readonly playable: Track[] = $derived(this.loaded.filter((t) => t.error === null));

  protected fetchPage(offset: number, limit: number): Promise<Track[]> {
    return this.api.library.tracks({
      ...this.filter,
      query: this.query || undefined,
      sort: this.sort,
      direction: this.direction,
      offset,
      limit,
    });
  }

  protected async fetchCount(): Promise<number> {
    const { count } = await this.api.library.trackCount({ ...this.filter, query: this.query || undefined });
    return count;
  }

  /** The way the list is sorted now, the natural way spelled out. */
  get effectiveDirection(): SortDirection {
    return this.direction ?? (this.sort === 'added' ? 'desc' : 'asc');
  }

  /** A click on a column header: sorts by it, and a second click on the same one reverses the order. */
  sortBy(sort: TrackSort): Promise<void> {
    if (this.sort === sort) this.direction = this.effectiveDirection === 'asc' ? 'desc' : 'asc';
    else {
      this.sort = sort;
      this.direction = undefined;
    }
    return this.reload();
  }

  /** The selected tracks that are read, in list order. */
  get selectedTracks(): Track[] {
    return this.selectedRows;
  }

  /** The track after `last` when the queue runs out: one of the same mood first, else the next readable one. */
  nextAfter(last: Track | undefined): Track | undefined {
    const others = this.playable.filter((t) => t.id !== last?.id);
    const mood = last?.mood?.mood;
    const at = last ? this.playable.findIndex((t) => t.id === last.id) : -1;
    const after = at >= 0 ? [...others.slice(at), ...others.slice(0, at)] : others;
    return (mood ? after.find((t) => t.mood?.mood === mood) : undefined) ?? after[0];
  }
}
