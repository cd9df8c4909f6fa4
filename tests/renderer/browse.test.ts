import { describe, expect, it, vi } from 'vitest';
import type { ApiParams } from '../../src/shared/api.js';
import { UNKNOWN_ALBUM, UNKNOWN_ARTIST, UNKNOWN_GENRE } from '../../src/shared/library.js';
import {
  albumName,
  allPages,
  artistName,
  BrowseSummaries,
  genreName,
  listForPage,
  pageTitle,
} from '../../src/renderer/lib/browse.svelte.js';
import { SUMMARY_PAGE_SIZE } from '../../src/shared/schemas.js';
import { Navigation } from '../../src/renderer/lib/navigation.svelte.js';
import { TrackList } from '../../src/renderer/lib/trackList.svelte.js';
import { fakeBackend, track } from './fakes.js';

function backend() {
  const tracks = vi.fn((_q: ApiParams<'library.tracks'>) => [track(1), track(2)]);
  const trackCount = vi.fn((_q: ApiParams<'library.trackCount'>) => ({ count: 2 }));
  const albums = vi.fn((_q: ApiParams<'library.albums'>) => [{ album: 'Blue', artist: 'Ann', year: 2001, trackCount: 3, coverTrackId: 1 }]);
  const artists = vi.fn((_q: ApiParams<'library.artists'>) => [{ name: '', trackCount: 1, albumCount: 1, coverTrackId: null }]);
  const genres = vi.fn((_q: ApiParams<'library.genres'>) => [{ name: 'Jazz', trackCount: 2 }]);
  const api = fakeBackend({
    'library.tracks': tracks,
    'library.trackCount': trackCount,
    'library.albums': albums,
    'library.artists': artists,
    'library.genres': genres,
  }).api;
  return { api, tracks, trackCount, albums, artists, genres };
}

describe('browse pages', () => {
  it('asks for an artist’s tracks and count with the artist filter', async () => {
    const { api, tracks, trackCount } = backend();
    const list = listForPage(api, { kind: 'artist', name: 'Ann' });
    await list.reload();
    expect(tracks.mock.calls[0]?.[0]).toMatchObject({ artist: 'Ann', offset: 0 });
    expect(trackCount.mock.calls[0]?.[0]).toEqual({ artist: 'Ann', query: undefined });
    expect(list.total).toBe(2);
  });

  it('reads an album by name and album artist, in track order', async () => {
    const { api, tracks, trackCount } = backend();
    const list = listForPage(api, { kind: 'album', album: 'Blue', artist: 'Ann' });
    await list.reload();
    expect(tracks.mock.calls[0]?.[0]).toMatchObject({ album: 'Blue', albumArtist: 'Ann', sort: 'trackNo' });
    expect(trackCount.mock.calls[0]?.[0]).toMatchObject({ album: 'Blue', albumArtist: 'Ann' });
  });

  it('filters a genre, the untagged one too', async () => {
    const { api, tracks } = backend();
    await listForPage(api, { kind: 'genre', name: '' }).reload();
    expect(tracks.mock.calls[0]?.[0]).toMatchObject({ genre: '' });
  });

  it('names untagged artists, albums and genres', () => {
    expect(artistName('')).toBe(UNKNOWN_ARTIST);
    expect(albumName('')).toBe(UNKNOWN_ALBUM);
    expect(genreName('')).toBe(UNKNOWN_GENRE);
    expect(artistName('Ann')).toBe('Ann');
    expect(pageTitle({ kind: 'album', album: '', artist: 'Ann' })).toBe(UNKNOWN_ALBUM);
  });

  it('reads the summaries each view lists, an artist’s albums by artist', async () => {
    const { api, albums, artists, genres } = backend();
    const s = new BrowseSummaries(api);
    await s.loadArtists();
    await s.loadAlbums('Ann');
    await s.loadGenres();
    expect(artists).toHaveBeenCalledWith(expect.objectContaining({ sort: 'name' }));
    expect(albums.mock.calls[0]?.[0]).toMatchObject({ artist: 'Ann' });
    expect(genres).toHaveBeenCalled();
    expect(s.artists[0]?.name).toBe('');
    expect(s.albums[0]?.album).toBe('Blue');
    expect(s.genres[0]?.name).toBe('Jazz');
    expect(s.ready).toBe(true);
  });
});

describe('allPages', () => {
  it('reads every page of a summary list, not only the first', async () => {
    const names = Array.from({ length: SUMMARY_PAGE_SIZE * 2 + 5 }, (_, i) => `album ${i}`);
    const read = vi.fn(async ({ offset, limit }: { offset: number; limit: number }) => names.slice(offset, offset + limit));
    expect(await allPages(read)).toEqual(names);
    expect(read.mock.calls.map(([p]) => p.offset)).toEqual([0, SUMMARY_PAGE_SIZE, SUMMARY_PAGE_SIZE * 2]);
  });
});

describe('sorting by a column', () => {
  it('sorts by a new column its natural way, and reverses on a second click', async () => {
    const { api, tracks } = backend();
    const list = new TrackList(api);
    await list.sortBy('title');
    expect(list.effectiveDirection).toBe('asc');
    expect(tracks.mock.lastCall?.[0]).toMatchObject({ sort: 'title', direction: undefined });
    await list.sortBy('title');
    expect(list.effectiveDirection).toBe('desc');
    expect(tracks.mock.lastCall?.[0]).toMatchObject({ sort: 'title', direction: 'desc' });
    await list.sortBy('title');
    expect(tracks.mock.lastCall?.[0]).toMatchObject({ sort: 'title', direction: 'asc' });
    await list.sortBy('added');
    expect(list.effectiveDirection).toBe('desc');
    await list.sortBy('added');
    expect(tracks.mock.lastCall?.[0]).toMatchObject({ sort: 'added', direction: 'asc' });
  });
});

describe('navigation inside a view', () => {
  it('opens an artist, then an album, and goes back one page at a time', () => {
    const nav = new Navigation('#/artists');
    expect(nav.view).toBe('artists');
    expect(nav.page).toBeUndefined();
    nav.open({ kind: 'artist', name: 'Ann' });
    nav.open({ kind: 'album', album: 'Blue', artist: 'Ann' });
    expect(nav.page).toEqual({ kind: 'album', album: 'Blue', artist: 'Ann' });
    expect(nav.back()).toBe(true);
    expect(nav.page).toEqual({ kind: 'artist', name: 'Ann' });
    expect(nav.back()).toBe(true);
    expect(nav.back()).toBe(false);
  });

  it('leaves the pages when going to a view, the same one too', () => {
    const nav = new Navigation('#/albums');
    nav.open({ kind: 'album', album: 'Blue', artist: 'Ann' });
    nav.go('albums');
    expect(nav.page).toBeUndefined();
    nav.open({ kind: 'album', album: 'Blue', artist: 'Ann' });
    nav.go('songs');
    expect(nav.pages).toEqual([]);
  });
});
