/**
 * A long list as the UI shows it, read in pages as the listener scrolls, never all at once: the
 * paging and the selection that the Songs list (TrackList) and a playlist's entries
 * (PlaylistEntryList) share, so that one virtual grid shows either. Rows not read yet are holes the
 * grid shows as placeholders. The selection is a set of row ids, kept here and not in the DOM, so it
 * survives scrolling rows out of view; "select all" also covers rows not read yet.
 */
/* eslint-disable svelte/prefer-svelte-reactivity -- the selection is replaced, never changed in place: one new Set is one
   signal, where a SvelteSet of 50,000 ids would be 50,000 of them. */
import { TRACK_PAGE_SIZE } from '../../shared/schemas.js';

/**
 * Rows per page: a 4K screen shows about fifty, so the first page fills any window and answers fast;
 * scrolling reads the next ones a screen or two ahead.
 */
export const LIST_PAGE_SIZE = 100;

export abstract class RowList<R extends { id: number }> {
  /** Rows in list order; undefined where the page is not read yet. */
  rows = $state.raw<(R | undefined)[]>([]);
  /** The list's length when the backend can count it; else the rows read so far (more follow on scrolling). */
  total = $state(0);
  /** Every row is read. */
  complete = $state(false);
  /** The first page of the current list has arrived. */
  ready = $state(false);
  loading = $state(false);
  /** Row ids; with `allSelected`, every row of the list, read or not. */
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
  /** Whether the count answered: without it the list grows page by page. */
  private counted = true;

  /** One page of rows, in list order. */
  protected abstract fetchPage(offset: number, limit: number): Promise<R[]>;
  /** The list's length, or undefined where the backend cannot say. */
  protected abstract fetchCount(): Promise<number | undefined>;

  /** Read rows, in order (the holes left out); worked out once per change of the rows, not per use. */
  readonly loaded: R[] = $derived(this.rows.filter((r): r is R => r !== undefined));

  get selectionCount(): number {
    return this.allSelected ? this.total : this.selected.size;
  }

  isSelected(id: number): boolean {
    return this.selected.has(id);
  }

  /** Reads the list again from its first page (a new search, sort or library change). */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.requestedAt = performance.now();
    this.loading = true;
    this.inFlight.clear();
    try {
      const [first, count] = await Promise.all([this.fetchPage(0, LIST_PAGE_SIZE), this.count()]);
      // Answers can arrive out of order (typing fast); only the newest request counts.
      if (generation !== this.generation) return;
      this.answeredAt = performance.now();
      const complete = first.length < LIST_PAGE_SIZE || count === first.length;
      const total = count ?? first.length;
      const rows: (R | undefined)[] = new Array<R | undefined>(Math.max(total, first.length));
      first.forEach((r, i) => (rows[i] = r));
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
      return await this.fetchCount();
    } catch {
      // A backend without the count call: the list grows as pages come instead.
      this.counted = false;
      return undefined;
    }
  }

  /** Selected ids that left the list are dropped; with "select all", new rows join the selection. */
  private keepSelection(first: R[]): void {
    if (this.allSelected) {
      this.selected = new Set(first.map((r) => r.id));
      return;
    }
    if (this.selected.size === 0) return;
    // Rows not read yet may still hold selected ids; those read and absent have left the list.
    if (this.complete) {
      const ids = new Set(first.map((r) => r.id));
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
      const rows = await this.fetchPage(page * size, size);
      if (generation !== this.generation) return;
      this.place(page * size, rows, rows.length < size);
    } catch (e) {
      if (generation === this.generation) this.error = (e as Error).message;
    } finally {
      this.inFlight.delete(page);
    }
  }

  private place(offset: number, read: R[], ended: boolean): void {
    const rows = this.rows.slice();
    if (!this.counted && ended) rows.length = offset + read.length;
    read.forEach((r, i) => (rows[offset + i] = r));
    this.rows = rows;
    this.total = rows.length;
    if (!this.counted && ended) this.complete = true;
    else if (this.counted && !rows.includes(undefined)) this.complete = true;
    if (this.allSelected) this.selected = new Set([...this.selected, ...read.map((r) => r.id)]);
  }

  /** Reads every row not read yet (for actions on "all"): in the backend's largest pages. */
  async loadAll(): Promise<R[]> {
    const generation = this.generation;
    let offset = 0;
    while (!this.complete && generation === this.generation) {
      while (offset < this.rows.length && this.rows[offset] !== undefined) offset++;
      if (this.counted && offset >= this.total) break;
      const rows = await this.fetchPage(offset, TRACK_PAGE_SIZE);
      if (generation !== this.generation) break;
      this.place(offset, rows, rows.length < TRACK_PAGE_SIZE);
      if (rows.length === 0) break;
      offset += rows.length;
    }
    return this.loaded;
  }

  /** The selected ids, every one of them (with "select all", after reading the rest of the list). */
  async selectedIds(): Promise<number[]> {
    if (this.allSelected && !this.complete) await this.loadAll();
    return this.allSelected ? this.loaded.map((r) => r.id) : [...this.selected];
  }

  /** The selected rows that are read, in list order. */
  get selectedRows(): R[] {
    return this.loaded.filter((r) => this.selected.has(r.id));
  }

  /** A click on a row: alone, with shift (a range from the last click) or ctrl/cmd (one more or one less). */
  click(index: number, { shift = false, toggle = false }: { shift?: boolean; toggle?: boolean } = {}): void {
    const row = this.rows[index];
    this.active = index;
    if (!row) return;
    if (shift) {
      const [from, to] = this.anchor <= index ? [this.anchor, index] : [index, this.anchor];
      const ids = this.rows.slice(from, to + 1).flatMap((r) => (r ? [r.id] : []));
      this.allSelected = false;
      this.selected = toggle ? new Set([...this.selected, ...ids]) : new Set(ids);
      return;
    }
    this.anchor = index;
    if (toggle) this.toggle(row.id);
    else {
      this.allSelected = false;
      this.selected = new Set([row.id]);
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
    this.selected = on ? new Set(this.loaded.map((r) => r.id)) : new Set();
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
}
