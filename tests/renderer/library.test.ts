import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiParams } from '../../src/shared/api.js';
import type { LibraryFolder, ScanProgress, Track } from '../../src/shared/library.js';
import { TRACK_PAGE_SIZE } from '../../src/shared/schemas.js';
import { LibraryState, UNDO_SECONDS } from '../../src/renderer/lib/library.svelte.js';
import { LIST_PAGE_SIZE } from '../../src/renderer/lib/trackList.svelte.js';
import { fakeBackend, settle, track, type Handlers } from './fakes.js';

type TrackQuery = ApiParams<'library.tracks'>;

const folder: LibraryFolder = { id: 1, path: '/music', trackCount: 3, errorCount: 1 };

/** A backend whose track list answers queries the way the library store does: filtered, sorted, paged. */
function libraryBackend(all: Track[], more: Handlers = {}) {
  const tracks = vi.fn(({ query, sort, offset = 0, limit = TRACK_PAGE_SIZE }: TrackQuery) => {
    const found = all.filter((t) => !query || `${t.title} ${t.artist} ${t.album}`.toLowerCase().includes(query.toLowerCase()));
    if (sort === 'title') found.sort((a, b) => a.title.localeCompare(b.title));
    return found.slice(offset, offset + limit);
  });
  const backend = fakeBackend({ 'library.folders': () => [folder], 'library.tracks': tracks, ...more });
  return { backend, tracks, library: new LibraryState(backend.api) };
}

function progress(phase: ScanProgress['phase'], fields: Partial<ScanProgress> = {}): ScanProgress {
  return { folder: '/home/me/Music', phase, done: 0, total: 10, current: null, added: 0, updated: 0, removed: 0, failed: 0, ...fields };
}

const titles = (list: Track[]) => list.map((t) => t.title);

afterEach(() => {
  vi.useRealTimers();
});

describe('LibraryState', () => {
  it('loads the folders and the tracks matching the search, in the chosen order', async () => {
    const { library, tracks } = libraryBackend([
      track(1, { title: 'Blue Monday' }),
      track(2, { title: 'Another Blue' }),
      track(3, { title: 'Red' }),
    ]);
    library.query = 'blue';
    library.sort = 'title';
    await library.reload();
    expect(library.folders).toEqual([folder]);
    expect(titles(library.tracks)).toEqual(['Another Blue', 'Blue Monday']);
    expect(tracks.mock.calls[0]![0]).toEqual({ query: 'blue', sort: 'title', offset: 0, limit: LIST_PAGE_SIZE });
  });

  it('sends no query for an empty search', async () => {
    const { library, tracks } = libraryBackend([track(1)]);
    await library.reload();
    expect(tracks.mock.calls[0]![0].query).toBeUndefined();
    expect(tracks.mock.calls[0]![0].sort).toBe('artist');
  });

  it('reads a large library a page at a time, as the list scrolls, never all at once', async () => {
    const all = Array.from({ length: TRACK_PAGE_SIZE + 5 }, (_, i) => track(i + 1));
    const { library, tracks } = libraryBackend(all);
    await library.reload();
    expect(library.tracks).toHaveLength(LIST_PAGE_SIZE);
    expect(tracks.mock.calls.map(([q]) => q.offset)).toEqual([0]);
    // Without a count from the backend the list grows by the next page when the end comes into view.
    library.songs.ensureRange(LIST_PAGE_SIZE - 20, LIST_PAGE_SIZE + 20);
    await settle();
    expect(tracks.mock.calls.map(([q]) => q.offset)).toEqual([0, LIST_PAGE_SIZE]);
    expect(library.tracks).toHaveLength(2 * LIST_PAGE_SIZE);
    // "Everything" (an action on all songs) reads the rest in the backend's largest pages.
    await library.songs.loadAll();
    expect(library.tracks).toHaveLength(TRACK_PAGE_SIZE + 5);
    expect(tracks.mock.calls.at(-1)![0].limit).toBe(TRACK_PAGE_SIZE);
  });

  it('keeps only the newest answer when searches overlap', async () => {
    const pending: { query: string | undefined; answer: (t: Track[]) => void }[] = [];
    const backend = fakeBackend({
      'library.folders': () => [folder],
      'library.tracks': ({ query }) => new Promise((answer) => pending.push({ query, answer })),
    });
    const library = new LibraryState(backend.api);
    library.query = 'a';
    const first = library.reload();
    library.query = 'ab';
    const second = library.reload();
    await settle();
    pending[1]!.answer([track(2, { title: 'ab' })]);
    await second;
    pending[0]!.answer([track(1, { title: 'a' }), track(2, { title: 'ab' })]);
    await first;
    expect(titles(library.tracks)).toEqual(['ab']);
  });

  it('counts readable tracks once: the ones to play and those without a mood', async () => {
    const { library } = libraryBackend([
      track(1, { mood: 'happy' }),
      track(2, { error: 'not an audio file' }),
      track(3),
      track(4, { mood: 'calm', error: 'truncated' }),
    ]);
    await library.reload();
    expect(library.playable.map((t) => t.id)).toEqual([1, 3]);
    expect(library.moodlessCount).toBe(1);
  });

  it('keeps the playable list in step with the tracks', async () => {
    const all = [track(1), track(2)];
    const { library } = libraryBackend(all);
    await library.reload();
    expect(library.playable).toHaveLength(2);
    all[0] = track(1, { error: 'gone' });
    await library.reload();
    expect(library.playable.map((t) => t.id)).toEqual([2]);
  });

  it('goes on after the queue with a track of the same mood, else the first other readable one', async () => {
    const { library } = libraryBackend([
      track(1, { mood: 'happy', error: 'broken' }),
      track(2, { mood: 'calm' }),
      track(3, { mood: 'happy' }),
      track(4, { mood: 'happy' }),
      track(5),
    ]);
    await library.reload();
    const [, calm, happy, happy2, moodless] = library.tracks;
    expect(library.nextAfter(happy)?.id).toBe(4);
    expect(library.nextAfter(happy2)?.id).toBe(3);
    expect(library.nextAfter(calm)?.id).toBe(3); // no other calm track
    expect(library.nextAfter(moodless)?.id).toBe(2); // a track without a mood matches none
    expect(library.nextAfter(undefined)?.id).toBe(2);
  });

  it('has nothing to go on with when the only readable track is the last one', async () => {
    const { library } = libraryBackend([track(1), track(2, { error: 'broken' })]);
    await library.reload();
    expect(library.nextAfter(library.tracks[0])).toBeUndefined();
  });

  it('drops tracks that left the list from the selection', async () => {
    const all = [track(1), track(2), track(3)];
    const { library } = libraryBackend(all);
    await library.reload();
    library.selectAll(true);
    library.toggle(3);
    expect([...library.selected]).toEqual([1, 2]);
    all.splice(0, 1);
    await library.reload();
    expect([...library.selected]).toEqual([2]);
  });

  it('reloads once, shortly after a burst of change events, until disconnected', async () => {
    vi.useFakeTimers();
    const { backend, library, tracks } = libraryBackend([track(1)]);
    const disconnect = library.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(tracks).toHaveBeenCalledTimes(1); // the first load
    backend.emit('library.changed', null);
    backend.emit('library.changed', null);
    await vi.advanceTimersByTimeAsync(100);
    backend.emit('library.changed', null);
    await vi.advanceTimersByTimeAsync(149);
    expect(tracks).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(tracks).toHaveBeenCalledTimes(2);

    backend.emit('library.changed', null);
    disconnect();
    await vi.advanceTimersByTimeAsync(1000);
    expect(tracks).toHaveBeenCalledTimes(2);
    expect(backend.listenerCount('library.changed')).toBe(0);
    expect(backend.listenerCount('library.scanProgress')).toBe(0);
  });

  it('shows scan progress, then the result or the failure', async () => {
    const { backend, library } = libraryBackend([]);
    library.connect();
    await settle();
    backend.emit('library.scanProgress', progress('reading', { done: 3 }));
    expect(library.scanning).toBe(true);
    expect(library.progress?.done).toBe(3);
    backend.emit('library.scanProgress', progress('done', { added: 4, updated: 1, removed: 2, failed: 1 }));
    expect(library.scanning).toBe(false);
    expect(library.message).toBe('Scanned Music: 4 added, 1 updated, 2 removed, 1 unreadable.');
    backend.emit('library.scanProgress', progress('failed', { message: 'the folder is gone' }));
    expect(library.scanning).toBe(false);
    expect(library.error).toBe('Scanning Music failed: the folder is gone.');
  });

  it('removes a folder with Undo for a while; Undo asks the backend to restore it and says what came back', async () => {
    vi.useFakeTimers();
    const { library, backend } = libraryBackend([track(1)], {
      'library.removeFolder': () => ({ removed: true }),
      'library.restoreFolder': ({ path }) => ({ folder: { ...folder, path }, userMoods: 2, playlistEntries: 1 }),
    });
    await library.removeFolder(folder);
    expect(library.removed?.folder).toEqual(folder);
    await library.undoRemove();
    expect(backend.callsTo('library.restoreFolder')).toEqual([{ path: '/music' }]);
    expect(library.message).toBe('Added /music back, with your moods on 2 songs and 1 playlist entry.');
    expect(library.removed).toBeUndefined();
    await library.removeFolder(folder);
    vi.advanceTimersByTime(UNDO_SECONDS * 1000);
    expect(library.removed).toBeUndefined();
  });

  it('offers no Undo for the demo songs, whose files Emotune deletes with them', async () => {
    const demo: LibraryFolder = { ...folder, id: 2, demo: true, suggestRemoval: true };
    const { library } = libraryBackend([], { 'library.folders': () => [folder, demo], 'library.removeFolder': () => ({ removed: true }) });
    await library.reload();
    expect(library.demoToOffer).toEqual(demo);
    await library.removeFolder(demo);
    expect(library.removed).toBeUndefined();
    expect(library.message).toBe('Removed the demo songs. Your own music is untouched.');
  });

  it('reads a folder’s unreadable files with their reasons, and how many there are', async () => {
    const { library, backend } = libraryBackend([], {
      'library.tracks': () => [track(7, { error: 'not an audio file' })],
      'library.trackCount': () => ({ count: 3 }),
    });
    const { tracks, total } = await library.unreadableIn(folder, 1);
    expect(tracks.map((t) => t.error)).toEqual(['not an audio file']);
    expect(total).toBe(3);
    expect(backend.callsTo('library.tracks')).toEqual([{ folderId: 1, unreadable: true, sort: 'title', limit: 1 }]);
    expect(backend.callsTo('library.trackCount')).toEqual([{ folderId: 1, unreadable: true }]);
  });

  it('shows a refused action as an error and clears it on the next one', async () => {
    const { library } = libraryBackend([track(1)], {
      'library.setMood': ({ trackIds }) => ({ changed: trackIds.length }),
    });
    await library.addFolder('/nowhere'); // the fake backend refuses addFolder
    expect(library.error).toBe('The fake backend has no library.addFolder.');
    await library.setMood([1, 2], 'calm');
    expect(library.error).toBe('');
    expect(library.message).toBe('Tagged 2 tracks calm.');
  });
});
