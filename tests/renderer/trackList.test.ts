import { describe, expect, it, vi } from 'vitest';
import type { ApiParams } from '../../src/shared/api.js';
import type { Track } from '../../src/shared/library.js';
import { TRACK_PAGE_SIZE } from '../../src/shared/schemas.js';
import { LIST_PAGE_SIZE, TrackList } from '../../src/renderer/lib/trackList.svelte.js';
import { fakeBackend, settle, track } from './fakes.js';

/** A backend that pages and counts like the library store. */
function listOf(count: number) {
  const all: Track[] = Array.from({ length: count }, (_, i) => track(i + 1));
  const tracks = vi.fn(({ offset = 0, limit = TRACK_PAGE_SIZE }: ApiParams<'library.tracks'>) => all.slice(offset, offset + limit));
  const backend = fakeBackend({ 'library.tracks': tracks, 'library.trackCount': () => ({ count: all.length }) });
  return { list: new TrackList(backend.api), tracks, all };
}

const offsets = (tracks: ReturnType<typeof listOf>['tracks']) => tracks.mock.calls.map(([q]) => q.offset);

describe('TrackList paging', () => {
  it('knows the whole length from the count but reads only the first page', async () => {
    const { list, tracks } = listOf(50_000);
    await list.reload();
    expect(list.total).toBe(50_000);
    expect(list.rows).toHaveLength(50_000);
    expect(list.loaded).toHaveLength(LIST_PAGE_SIZE);
    expect(list.rows[LIST_PAGE_SIZE]).toBeUndefined();
    expect(offsets(tracks)).toEqual([0]);
    expect(list.complete).toBe(false);
  });

  it('reads the pages of the rows that come into view, each once, wherever the listener scrolls', async () => {
    const { list, tracks } = listOf(50_000);
    await list.reload();
    list.ensureRange(20_010, 20_040);
    list.ensureRange(20_010, 20_040); // asked again while in flight: not read twice
    await settle();
    expect(offsets(tracks)).toEqual([0, 20_000]);
    expect(list.rows[20_010]?.id).toBe(20_011);
    list.ensureRange(20_000 + LIST_PAGE_SIZE - 5, 20_000 + LIST_PAGE_SIZE + 5); // spans into the next page
    await settle();
    expect(offsets(tracks)).toEqual([0, 20_000, 20_000 + LIST_PAGE_SIZE]);
  });

  it('drops pages of an older search that answer late', async () => {
    const { list, tracks } = listOf(5_000);
    await list.reload();
    list.ensureRange(3_000, 3_010);
    list.query = 'x';
    await list.reload();
    await settle();
    expect(list.rows.filter(Boolean)).toHaveLength(LIST_PAGE_SIZE);
    expect(tracks.mock.calls.at(-1)![0].query).toBe('x');
  });
});

describe('TrackList selection', () => {
  it('selects with a click, adds with ctrl/cmd, takes a range with shift', async () => {
    const { list } = listOf(20);
    await list.reload();
    list.click(2);
    expect([...list.selected]).toEqual([3]);
    list.click(5, { toggle: true });
    expect([...list.selected].sort((a, b) => a - b)).toEqual([3, 6]);
    list.click(5, { toggle: true });
    expect([...list.selected]).toEqual([3]);
    list.click(2);
    list.click(6, { shift: true });
    expect([...list.selected].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7]);
    list.click(0, { shift: true }); // the range goes from the last plain click
    expect([...list.selected].sort((a, b) => a - b)).toEqual([1, 2, 3]);
  });

  it('moves the keyboard row and extends the selection with shift', async () => {
    const { list } = listOf(20);
    await list.reload();
    list.click(4);
    list.moveActive(7, true);
    expect(list.active).toBe(7);
    expect([...list.selected].sort((a, b) => a - b)).toEqual([5, 6, 7, 8]);
    list.moveActive(100);
    expect(list.active).toBe(19);
    // A plain move sets where the next Shift+move starts from.
    list.moveActive(10);
    list.moveActive(11, true);
    expect([...list.selected].sort((a, b) => a - b)).toEqual([11, 12]);
  });

  it('selects all, the rows not read yet too, and reads them only when an action needs their ids', async () => {
    const { list, tracks } = listOf(3_000);
    await list.reload();
    const started = performance.now();
    list.selectAll(true);
    expect(performance.now() - started).toBeLessThan(50);
    expect(list.selectionCount).toBe(3_000);
    expect(offsets(tracks)).toEqual([0]);
    const ids = await list.selectedIds();
    expect(ids).toHaveLength(3_000);
    expect(new Set(ids).size).toBe(3_000);
    expect(list.complete).toBe(true);
  });

  it('keeps the selection when the same list is read again, and drops ids that left it', async () => {
    const { list, all } = listOf(5);
    await list.reload();
    list.click(0);
    list.click(4, { toggle: true });
    all.pop();
    await list.reload();
    expect([...list.selected]).toEqual([1]);
  });

  it('goes on after a track with the next one of the same mood, in list order', async () => {
    const backend = fakeBackend({
      'library.tracks': () => [
        track(1, { mood: 'calm' }),
        track(2, { mood: 'sad' }),
        track(3, { mood: 'calm' }),
        track(4, { mood: 'calm' }),
      ],
    });
    const list = new TrackList(backend.api);
    await list.reload();
    expect(list.nextAfter(list.loaded[2])?.id).toBe(4);
    expect(list.nextAfter(list.loaded[3])?.id).toBe(1);
  });
});
