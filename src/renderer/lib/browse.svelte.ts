/**
 * The artists, albums and genres views: the summaries they list, and the track list of the page a
 * listener opens (one artist, one album, one genre), the same paged list the Songs view uses with a filter.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { AlbumSummary, ArtistSummary, GenreSummary } from '../../shared/library.js';
import { UNKNOWN_ALBUM, UNKNOWN_ARTIST, UNKNOWN_GENRE } from '../../shared/library.js';
import { SUMMARY_PAGE_SIZE } from '../../shared/schemas.js';
import type { BrowsePage } from './navigation.svelte.js';
import { TrackList } from './trackList.svelte.js';

/** A name to show for a tag value, '' meaning the files name none. */
export const artistName = (name: string): string => name || UNKNOWN_ARTIST;
export const albumName = (name: string): string => name || UNKNOWN_ALBUM;
export const genreName = (name: string): string => name || UNKNOWN_GENRE;

/** The title of a page inside a browse view. */
export function pageTitle(page: BrowsePage): string {
  if (page.kind === 'artist') return artistName(page.name);
  if (page.kind === 'album') return albumName(page.album);
  return genreName(page.name);
}

/** The tracks of one page: filtered by the backend; an album's in disc and track order. */
export function listForPage(api: EmotuneApi, page: BrowsePage): TrackList {
  if (page.kind === 'artist') return new TrackList(api, { artist: page.name });
  if (page.kind === 'genre') return new TrackList(api, { genre: page.name });
  const list = new TrackList(api, { album: page.album, albumArtist: page.artist });
  list.sort = 'trackNo';
  return list;
}

/** What one browse view lists, read once when the view opens (and again on a library change). */
export class BrowseSummaries {
  artists = $state.raw<ArtistSummary[]>([]);
  albums = $state.raw<AlbumSummary[]>([]);
  genres = $state.raw<GenreSummary[]>([]);
  ready = $state(false);
  error = $state('');

  constructor(private readonly api: EmotuneApi) {}

  async loadArtists(): Promise<void> {
    await this.run(async () => (this.artists = await allPages((page) => this.api.library.artists({ sort: 'name', ...page }))));
  }

  /** Every album, or an artist's. */
  async loadAlbums(artist?: string): Promise<void> {
    const sort = artist === undefined ? 'album' : 'year';
    await this.run(async () => (this.albums = await allPages((page) => this.api.library.albums({ artist, sort, ...page }))));
  }

  async loadGenres(): Promise<void> {
    await this.run(async () => (this.genres = await allPages((page) => this.api.library.genres({ sort: 'name', ...page }))));
  }

  private async run(read: () => Promise<unknown>): Promise<void> {
    try {
      await read();
      this.error = '';
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.ready = true;
    }
  }
}

/**
 * Every page of a summary list: a big library has more albums than one call returns (a 50,000-song
 * library holds thousands), and a list cut at the page size would hide the rest without a word.
 */
export async function allPages<T>(read: (page: { offset: number; limit: number }) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let offset = 0; ; offset += SUMMARY_PAGE_SIZE) {
    const page = await read({ offset, limit: SUMMARY_PAGE_SIZE });
    all.push(...page);
    if (page.length < SUMMARY_PAGE_SIZE) return all;
  }
}
