/**
 * One list of tracks as the UI shows it (the Songs view, a mood): searched, sorted and filtered by
 * the backend, and read in pages as the listener scrolls, never all at once. Rows not read yet are
 * holes the list shows as placeholders. The selection is a set of track ids, kept here and not in
 * the DOM, so it survives scrolling rows out of view; "select all" also covers rows not read yet.
 */
/* eslint-disable svelte/prefer-svelte-reactivity -- the selection is replaced, never changed in place: one new Set is one
   signal, where a SvelteSet of 50,000 ids would be 50,000 of them. */
import type { EmotuneApi } from '../../shared/api.js';
import type { SortDirection, Track, TrackFilter, TrackSort } from '../../shared/library.js';
import { TRACK_PAGE_SIZE } from '../../shared/schemas.js';

/**
 * Rows per page: a 4K screen shows about fifty, so the first page fills any window and answers fast;
 * scrolling reads the next ones a screen or two ahead.
 */
export const LIST_PAGE_SIZE = 100;

export class TrackList {
  /** Rows in list order; undefined where the page is not read yet. */
  rows = $state.raw<(Track | undefined)[]>([]);
  /** The list's length when the backend can count it; else the rows read so far (more follow on scrolling). */
  total = $state(0);
  /** Every row is read. */
  complete = $state(false);
  /** The first page of the current search has arrived. */
  ready = $state(false);
  loading = $state(false);
  query = $state('');
  sort = $state<TrackSort>('artist');
  /** The sort's way; undefined: the sort's natural way (ascending, newest first for `added`). */
  direction = $state<SortDirection | undefined>(undefined);
  filter = $state.raw<Omit<TrackFilter, 'query'>>({});
  /** Track ids; with `allSelected`, every row of the list, read or not. */
  selected = $state.raw<ReadonlySet<number>>(new Set());
  allSelected = $state(false);
  /** The row the keyboard is on. */
  active = $state(0);
  error = $state('');
  /** Bumped each time a new first page replaces the list (for the render measurement). */
  generation = $state(0);
  /** When the newest list request started, and when its first page arrived (performance.now()). */
  requestedAt = 0;
  answeredAt = 0;
  private anchor = 0;
  private readonly inFlight = new Set<number>();
  /** Whether library.trackCount answered: without it the list grows page by page. */
  private counted = true;

  constructor(
    private readonly api: EmotuneApi,
    filter: Omit<TrackFilter, 'query'> = {},
  ) {
    this.filter = filter;
  }

  /** Read tracks, in order (the holes left out); worked out once per change of the rows, not per use. */
  readonly loaded: Track[] = $derived(this.rows.filter((t): t is Track => t !== undefined));

  /** Readable tracks among those read, in list order: what a play from this list queues. */
  readonly playable: Track[] = $derived(this.loaded.filter((t) => t.error === null));

  get selectionCount(): number {
    return this.allSelected ? this.total : this.selected.size;
  }

  isSelected(id: number): boolean {
    return this.selected.has(id);
  }

  private params(offset: number, limit: number) {
    return { ...this.filter, query: this.query || undefined, sort: this.sort, direction: this.direction, offset, limit };
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

  /** Reads the list again from its first page (a new search, sort or library change). */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.requestedAt = performance.now();
    this.loading = true;
    this.inFlight.clear();
    try {
      const [first, count] = await Promise.all([this.api.library.tracks(this.params(0, LIST_PAGE_SIZE)), this.count()]);
      // Answers can arrive out of order (typing fast); only the newest request counts.
      if (generation !== this.generation) return;
      this.answeredAt = performance.now();
      const complete = first.length < LIST_PAGE_SIZE || count === first.length;
      const total = count ?? first.length;
      const rows: (Track | undefined)[] = new Array<Track | undefined>(Math.max(total, first.length));
      first.forEach((t, i) => (rows[i] = t));
      this.rows = rows;
      this.total = rows.length;
      this.complete = complete;
      this.error = '';
      this.ready = true;
      this.keepSelection(first);
      this.active = Math.min(this.active, Math.max(0, rows.length - 1));
    } catch (e) {
      if (generation === this.generation) this.error = (e as Error).message;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  private async count(): Promise<number | undefined> {
    if (!this.counted) return undefined;
    try {
      const { count } = await this.api.library.trackCount({ ...this.filter, query: this.query || undefined });
      return count;
    } catch {
      // A backend without the count call: the list grows as pages come instead.
      this.counted = false;
      return undefined;
    }
  }

  /** Selected ids that left the list are dropped; with "select all", new rows join the selection. */
  private keepSelection(first: Track[]): void {
    if (this.allSelected) {
      this.selected = new Set(first.map((t) => t.id));
      return;
    }
    if (this.selected.size === 0) return;
    // Rows not read yet may still hold selected ids; those read and absent have left the list.
    if (this.complete) {
      const ids = new Set(first.map((t) => t.id));
      this.selected = new Set([...this.selected].filter((id) => ids.has(id)));
    }
  }

  /** Reads the pages that hold rows `from`..`to` (the rows on screen and a little around). */
  ensureRange(from: number, to: number): void {
    if (!this.ready) return;
    const last = this.counted ? Math.min(to, this.total - 1) : to;
    for (let page = Math.floor(Math.max(0, from) / LIST_PAGE_SIZE); page * LIST_PAGE_SIZE <= last; page++) {
      const offset = page * LIST_PAGE_SIZE;
      if (!this.counted && offset > this.rows.length) break;
      if (this.rows[offset] !== undefined || this.inFlight.has(page)) continue;
      if (this.complete && offset >= this.rows.length) break;
      void this.readPage(page);
    }
  }

  private async readPage(page: number, size = LIST_PAGE_SIZE): Promise<void> {
    const generation = this.generation;
    this.inFlight.add(page);
    try {
      const tracks = await this.api.library.tracks(this.params(page * size, size));
      if (generation !== this.generation) return;
      this.place(page * size, tracks, tracks.length < size);
    } catch (e) {
      if (generation === this.generation) this.error = (e as Error).message;
    } finally {
      this.inFlight.delete(page);
    }
  }

  private place(offset: number, tracks: Track[], ended: boolean): void {
    const rows = this.rows.slice();
    if (!this.counted && ended) rows.length = offset + tracks.length;
    tracks.forEach((t, i) => (rows[offset + i] = t));
    this.rows = rows;
    this.total = rows.length;
    if (!this.counted && ended) this.complete = true;
    else if (this.counted && !rows.includes(undefined)) this.complete = true;
    if (this.allSelected) this.selected = new Set([...this.selected, ...tracks.map((t) => t.id)]);
  }

  /** Reads every row not read yet (for actions on "all"): in the backend's largest pages. */
  async loadAll(): Promise<Track[]> {
    const generation = this.generation;
    let offset = 0;
    while (!this.complete && generation === this.generation) {
      while (offset < this.rows.length && this.rows[offset] !== undefined) offset++;
      if (this.counted && offset >= this.total) break;
      const tracks = await this.api.library.tracks(this.params(offset, TRACK_PAGE_SIZE));
      if (generation !== this.generation) break;
      this.place(offset, tracks, tracks.length < TRACK_PAGE_SIZE);
      if (tracks.length === 0) break;
      offset += tracks.length;
    }
    return this.loaded;
  }

  /** The selected ids, every one of them (with "select all", after reading the rest of the list). */
  async selectedIds(): Promise<number[]> {
    if (this.allSelected && !this.complete) await this.loadAll();
    return this.allSelected ? this.loaded.map((t) => t.id) : [...this.selected];
  }

  /** The selected tracks that are read, in list order. */
  get selectedTracks(): Track[] {
    return this.loaded.filter((t) => this.selected.has(t.id));
  }

  /** A click on a row: alone, with shift (a range from the last click) or ctrl/cmd (one more or one less). */
  click(index: number, { shift = false, toggle = false }: { shift?: boolean; toggle?: boolean } = {}): void {
    const track = this.rows[index];
    this.active = index;
    if (!track) return;
    if (shift) {
      const [from, to] = this.anchor <= index ? [this.anchor, index] : [index, this.anchor];
      const ids = this.rows.slice(from, to + 1).flatMap((t) => (t ? [t.id] : []));
      this.allSelected = false;
      this.selected = toggle ? new Set([...this.selected, ...ids]) : new Set(ids);
      return;
    }
    this.anchor = index;
    if (toggle) this.toggle(track.id);
    else {
      this.allSelected = false;
      this.selected = new Set([track.id]);
    }
  }

  toggle(id: number): void {
    const next = new Set(this.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.allSelected = false;
    this.selected = next;
  }

  selectAll(on = true): void {
    this.allSelected = on && this.total > 0;
    this.selected = on ? new Set(this.loaded.map((t) => t.id)) : new Set();
  }

  /**
   * Keyboard moves: the active row goes to `to`. Alone it only moves (Space selects), and a later
   * Shift+move takes the range from here; with Shift the selection follows from that anchor.
   */
  moveActive(to: number, extend = false): void {
    const index = Math.max(0, Math.min(this.total - 1, to));
    if (extend) {
      const keep = this.anchor;
      this.click(index, { shift: true });
      this.anchor = keep;
    } else {
      this.active = index;
      this.anchor = index;
    }
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
