import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiParams } from '../../src/shared/api.js';
import type { PlaylistEntry, PlaylistSummary, Track } from '../../src/shared/library.js';
import { fileNameFor } from '../../src/renderer/lib/download.js';
import { Navigation, playlistFromHash } from '../../src/renderer/lib/navigation.svelte.js';
import { missingLabel, PlaylistEntryList } from '../../src/renderer/lib/playlistEntries.svelte.js';
import { PlaylistsState } from '../../src/renderer/lib/playlists.svelte.js';
import { dropGap, placeForGap } from '../../src/renderer/lib/reorder.js';
import { LIST_PAGE_SIZE } from '../../src/renderer/lib/rowList.svelte.js';
import { fakeBackend, settle, track } from './fakes.js';

interface StoredPlaylist {
  id: number;
  name: string;
  entries: { id: number; path: string; track: Track | null; label: string | null }[];
}

/** A backend that keeps playlists as the playlist store does: entries with ids of their own, in order. */
function playlistBackend(library: Track[] = [track(1), track(2), track(3)]) {
  const lists: StoredPlaylist[] = [];
  let nextId = 1;
  let nextEntry = 100;
  const summary = (p: StoredPlaylist): PlaylistSummary => ({
    id: p.id,
    name: p.name,
    trackCount: p.entries.length,
    durationSec: p.entries.reduce((sum, e) => sum + (e.track?.durationSec ?? 0), 0),
    missingCount: p.entries.filter((e) => !e.track).length,
    createdAt: 0,
  });
  const find = (id: number) => {
    const p = lists.find((l) => l.id === id);
    if (!p) throw new Error(`there is no playlist ${id} (it may have been deleted): show the playlists again`);
    return p;
  };
  const entryOf = (t: Track) => ({ id: nextEntry++, path: t.path, track: t, label: null });
  const make = (name: string, entries: StoredPlaylist['entries'] = []) => {
    if (lists.some((l) => l.name.toLowerCase() === name.toLowerCase())) {
      throw new Error(`there is already a playlist named "${name}": choose another name`);
    }
    const p = { id: nextId++, name, entries };
    lists.push(p);
    return p;
  };
  const byId = (id: number) => library.find((t) => t.id === id)!;
  const move = vi.fn(({ playlistId, entryId, position }: ApiParams<'library.movePlaylistEntry'>) => {
    const p = find(playlistId);
    const from = p.entries.findIndex((e) => e.id === entryId);
    const [entry] = p.entries.splice(from, 1);
    p.entries.splice(position, 0, entry!);
    return summary(p);
  });
  const backend = fakeBackend({
    'library.playlists': () => [...lists].sort((a, b) => (a.name < b.name ? -1 : 1)).map(summary),
    'library.playlistEntries': ({ playlistId, offset = 0, limit = 2000 }) =>
      find(playlistId)
        .entries.slice(offset, offset + limit)
        .map((e, i): PlaylistEntry => ({ ...e, position: offset + i, durationSec: null })),
    'library.createPlaylist': ({ name, trackIds = [] }) =>
      summary(
        make(
          name.trim(),
          trackIds.map((id) => entryOf(byId(id))),
        ),
      ),
    'library.renamePlaylist': ({ playlistId, name }) => {
      const p = find(playlistId);
      p.name = name;
      return summary(p);
    },
    'library.deletePlaylist': ({ playlistId }) => {
      lists.splice(lists.indexOf(find(playlistId)), 1);
      return { deleted: true };
    },
    'library.addToPlaylist': ({ playlistId, trackIds }) => {
      const p = find(playlistId);
      p.entries.push(...trackIds.map((id) => entryOf(byId(id))));
      return { added: trackIds.length, playlist: summary(p) };
    },
    'library.removeFromPlaylist': ({ playlistId, entryIds }) => {
      const p = find(playlistId);
      const before = p.entries.length;
      p.entries = p.entries.filter((e) => !entryIds.includes(e.id));
      return { removed: before - p.entries.length, playlist: summary(p) };
    },
    'library.movePlaylistEntry': move,
    'library.importPlaylist': ({ name, content }) => {
      const lines = content.split('\n').filter((l) => l && !l.startsWith('#'));
      const entries = lines.map((path) => {
        const t = library.find((l) => l.path === path);
        return t ? entryOf(t) : { id: nextEntry++, path, track: null, label: null };
      });
      const p = make(name, entries);
      return {
        playlistId: p.id,
        name: p.name,
        matched: entries.filter((e) => e.track).length,
        missing: lines.filter((_, i) => !entries[i]!.track),
      };
    },
    'library.exportPlaylist': (params) => ({
      content: '#EXTM3U\n',
      written: 'trackIds' in params ? params.trackIds.length : find(params.playlistId).entries.length,
    }),
  });
  const play = vi.fn((_tracks: Track[], _start: number) => {});
  const state = new PlaylistsState(backend.api, { play });
  return { backend, state, lists, play, move, make, entryOf, library };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('PlaylistsState', () => {
  it('reads the playlists on connect and again shortly after the backend reports a change', async () => {
    vi.useFakeTimers();
    const { backend, state, make } = playlistBackend();
    const off = state.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.ready).toBe(true);
    expect(state.all).toEqual([]);
    const revision = state.revision;
    make('Evening');
    backend.emit('library.changed', null);
    backend.emit('library.changed', null);
    await vi.advanceTimersByTimeAsync(200);
    expect(state.all.map((p) => p.name)).toEqual(['Evening']);
    // Two events close together: one read.
    expect(backend.callsTo('library.playlists')).toHaveLength(2);
    expect(state.revision).toBe(revision + 1);
    off();
    expect(backend.listenerCount('library.changed')).toBe(0);
  });

  it('makes a playlist, with songs or without, and lists it at once in name order', async () => {
    const { state } = playlistBackend();
    await state.create('Road trip', 'sidebar');
    const saved = await state.create('Queue', 'queue', [1, 2]);
    expect(saved?.trackCount).toBe(2);
    expect(state.all.map((p) => p.name)).toEqual(['Queue', 'Road trip']);
    expect(state.noticeAt('queue')?.text).toBe('Saved 2 songs as the playlist “Queue”.');
    expect(state.noticeAt('sidebar')).toBeUndefined();
  });

  it('says what is wrong with a name in the shared rule’s words, before asking the backend', async () => {
    const { backend, state } = playlistBackend();
    expect(await state.create('   ', 'sidebar')).toBeUndefined();
    expect(state.noticeAt('sidebar')).toMatchObject({ tone: 'warn', text: 'Give the playlist a name.' });
    expect(await state.create('two\nlines', 'sidebar')).toBeUndefined();
    expect(state.noticeAt('sidebar')?.text).toMatch(/cannot hold line breaks/);
    expect(backend.callsTo('library.createPlaylist')).toEqual([]);
  });

  it('shows the backend’s refusal of a taken name in plain words next to the control', async () => {
    const { state } = playlistBackend();
    await state.create('Mix', 'sidebar');
    expect(await state.create('mix', 'selection', [1])).toBeUndefined();
    expect(state.noticeAt('selection')).toEqual({
      place: 'selection',
      tone: 'warn',
      text: 'There is already a playlist named "mix": choose another name.',
      detail: '',
    });
  });

  it('renames and deletes, the outcome of a delete said where the listener goes next', async () => {
    const { state } = playlistBackend();
    const p = (await state.create('Old', 'overview'))!;
    expect(await state.rename(p.id, 'New')).toBe(true);
    expect(state.byId(p.id)?.name).toBe('New');
    expect(await state.rename(p.id, '')).toBe(false);
    expect(state.noticeAt('playlist')?.tone).toBe('warn');
    expect(await state.delete(p.id, 'playlist', 'overview')).toBe(true);
    expect(state.all).toEqual([]);
    expect(state.noticeAt('overview')?.text).toBe('Deleted the playlist “New”. Its songs are still in your library.');
    expect(await state.delete(p.id, 'playlist', 'overview')).toBe(false);
    expect(state.noticeAt('playlist')?.text).toMatch(/^There is no playlist/);
  });

  it('adds songs to the end of a playlist and says how many', async () => {
    const { state, backend } = playlistBackend();
    const p = (await state.create('A', 'sidebar', [1]))!;
    expect(await state.addTracks(p.id, [2, 3], 'selection')).toBe(true);
    expect(backend.callsTo('library.addToPlaylist')).toEqual([{ playlistId: p.id, trackIds: [2, 3] }]);
    expect(state.byId(p.id)?.trackCount).toBe(3);
    expect(state.noticeAt('selection')?.text).toBe('Added 2 songs to “A”.');
  });

  it('imports an M3U file by its text, named after the file, and counts what is missing', async () => {
    const { state, backend } = playlistBackend();
    const file = new File(['#EXTM3U\n/music/1.mp3\n/elsewhere/gone.mp3\n'], 'Party.m3u8');
    const imported = await state.importFile(file, 'overview', 'playlist');
    expect(backend.callsTo('library.importPlaylist')).toEqual([{ name: 'Party', content: '#EXTM3U\n/music/1.mp3\n/elsewhere/gone.mp3\n' }]);
    expect(imported).toMatchObject({ name: 'Party', matched: 1, missing: ['/elsewhere/gone.mp3'] });
    expect(state.byId(imported!.playlistId)?.missingCount).toBe(1);
    expect(state.noticeAt('playlist')?.text).toBe('Imported “Party”: 1 song found, 1 entry not in your library (shown as missing).');
  });

  it('exports a playlist as a file named after it, and tracks as a file of the given name', async () => {
    const { state } = playlistBackend();
    const p = (await state.create('Jazz: late/night', 'sidebar', [1]))!;
    const createUrl = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:x');
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    await state.exportPlaylist(p.id);
    await state.exportTracks([1, 2], 'Queue', 'overview');
    expect(names).toEqual(['Jazz late night.m3u8', 'Queue.m3u8']);
    expect(createUrl).toHaveBeenCalledTimes(2);
    expect(state.noticeAt('overview')?.text).toBe('Exported 2 songs as an M3U playlist.');
  });

  it('offers a name no playlist has yet', async () => {
    const { state } = playlistBackend();
    expect(state.suggestName('New playlist')).toBe('New playlist');
    await state.create('new playlist', 'sidebar');
    await state.create('New playlist 2', 'sidebar');
    expect(state.suggestName('New playlist')).toBe('New playlist 3');
  });
});

describe('PlaylistEntryList', () => {
  async function openList(tracks: Track[]) {
    const setup = playlistBackend(tracks);
    const p = (await setup.state.create(
      'P',
      'sidebar',
      tracks.map((t) => t.id),
    ))!;
    const list = new PlaylistEntryList(setup.backend.api, p.id);
    await list.reload();
    return { ...setup, list, playlistId: p.id };
  }

  it('reads the first page only, knowing the whole length from the playlist', async () => {
    const many = Array.from({ length: 250 }, (_, i) => track(i + 1));
    const { list, backend } = await openList(many);
    expect(list.total).toBe(250);
    expect(list.loaded).toHaveLength(LIST_PAGE_SIZE);
    expect(backend.callsTo('library.playlistEntries').map((q) => q.offset)).toEqual([0]);
  });

  it('moves an entry on screen at once, sends its id and new place, and keeps the keyboard row on it', async () => {
    const { list, move, playlistId } = await openList([track(1), track(2), track(3)]);
    const ids = list.rows.map((r) => r!.id);
    list.active = 0;
    const moved = list.move(0, 2);
    expect(list.rows.map((r) => r!.track!.id)).toEqual([2, 3, 1]);
    expect(list.active).toBe(2);
    await moved;
    expect(move).toHaveBeenCalledWith({ playlistId, entryId: ids[0], position: 2 });
  });

  it('sends moves one after another and reads the list again only once they are in', async () => {
    const { list, backend } = await openList([track(1), track(2), track(3)]);
    const reads = () => backend.callsTo('library.playlistEntries').length;
    const before = reads();
    const first = list.move(0, 1);
    const second = list.move(1, 2);
    await list.refresh(); // a change event while the moves are on their way
    expect(reads()).toBe(before);
    await Promise.all([first, second]);
    await settle();
    expect(reads()).toBe(before + 1);
    expect(list.rows.map((r) => r!.track!.id)).toEqual([2, 3, 1]);
  });

  it('takes entries out on screen and in the backend, the selection with them', async () => {
    const { list, lists } = await openList([track(1), track(2), track(2)]);
    const [, second, third] = list.rows.map((r) => r!.id);
    list.click(1);
    list.click(2, { toggle: true });
    await list.remove([second!]);
    expect(list.total).toBe(2);
    expect([...list.selected]).toEqual([third]);
    expect(lists[0]!.entries.map((e) => e.id)).not.toContain(second);
  });

  it('reads the list again when the backend refuses a move, and says so', async () => {
    const { list, state, move } = await openList([track(1), track(2)]);
    move.mockImplementationOnce(() => {
      throw new Error('that entry is not in the playlist "P" (it may have been removed): show the playlist again');
    });
    await state.moveEntry(list, 0, 1);
    await settle();
    expect(list.rows.map((r) => r!.track!.id)).toEqual([1, 2]);
    expect(state.noticeAt('playlist')?.tone).toBe('warn');
  });

  it('plays from the chosen entry, passing over missing and unreadable ones, a song in it twice counted twice', async () => {
    const tracks = [track(1), track(2, { error: 'truncated' }), track(3)];
    const { list, state, play, lists, entryOf } = await openList(tracks);
    lists[0]!.entries.splice(1, 0, { id: 999, path: '/gone.mp3', track: null, label: 'Gone' });
    lists[0]!.entries.push(entryOf(tracks[0]!));
    await list.reload();
    const lastEntry = list.rows.at(-1)!;
    await state.play(list, lastEntry);
    expect(play).toHaveBeenCalledWith([tracks[0], tracks[2], tracks[0]], 2);
    await state.play(list);
    expect(play).toHaveBeenLastCalledWith([tracks[0], tracks[2], tracks[0]], 0);
  });

  it('says so when nothing in the playlist can be played', async () => {
    const { list, state, play, lists } = await openList([]);
    lists[0]!.entries.push({ id: 5, path: '/a/b/gone.flac', track: null, label: null });
    await list.reload();
    await state.play(list);
    expect(play).not.toHaveBeenCalled();
    expect(state.noticeAt('playlist')?.tone).toBe('warn');
    expect(missingLabel(list.rows[0]!)).toBe('gone.flac');
  });
});

describe('playlist navigation and helpers', () => {
  it('reads the playlist of a hash and opens one in the Playlists view', () => {
    expect(playlistFromHash('#/playlists/12')).toBe(12);
    expect(playlistFromHash('#/playlists')).toBeUndefined();
    expect(playlistFromHash('#/songs/12')).toBeUndefined();
    expect(playlistFromHash('#/playlists/0')).toBeUndefined();
    const nav = new Navigation('#/playlists/7');
    expect(nav.view).toBe('playlists');
    expect(nav.playlistId).toBe(7);
    nav.openPlaylist(3);
    expect(location.hash).toBe('#/playlists/3');
    expect(nav.back()).toBe(true);
    expect(nav.playlistId).toBeUndefined();
    expect(location.hash).toBe('#/playlists');
    expect(nav.back()).toBe(false);
  });

  it('drops before a row over its top half and after it over its bottom half, counting its own place out', () => {
    const box = { top: 100, height: 40 };
    expect(dropGap(110, box, 3)).toBe(3);
    expect(dropGap(130, box, 3)).toBe(4);
    expect(placeForGap(1, 4)).toBe(3); // down: the gap below row 3 is place 3 once row 1 has left
    expect(placeForGap(4, 1)).toBe(1);
    expect(placeForGap(2, 3)).toBe(2); // just below itself: no move
  });

  it('names an export file without characters a file system refuses', () => {
    expect(fileNameFor('a/b:c*?', 'm3u8')).toBe('a b c.m3u8');
    expect(fileNameFor('..', 'm3u8')).toBe('Playlist.m3u8');
  });
});
