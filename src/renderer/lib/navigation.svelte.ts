/**
 * Which view the main area shows, kept in the address's hash (#/songs, #/playlists/12 for one
 * playlist) so that the browser's back button, a reload and a bookmark keep it.
 */
export const VIEWS = [
  'songs',
  'artists',
  'albums',
  'genres',
  'moods',
  'playlists',
  'session',
  'history',
  'settings',
  'privacy',
  'about',
] as const;

export type View = (typeof VIEWS)[number];

export const VIEW_TITLES: Record<View, string> = {
  songs: 'Songs',
  artists: 'Artists',
  albums: 'Albums',
  genres: 'Genres',
  moods: 'Moods',
  playlists: 'Playlists',
  session: 'This session',
  history: 'History',
  settings: 'Settings',
  privacy: 'What the camera sees',
  about: 'About',
};

export function viewFromHash(hash: string): View {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (VIEWS as readonly string[]).includes(name) ? (name as View) : 'songs';
}

/** The playlist a hash opens (#/playlists/12), or undefined for any other. */
export function playlistFromHash(hash: string): number | undefined {
  const match = /^#?\/?playlists\/(\d+)(?:[/?]|$)/.exec(hash);
  const id = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** A page inside a browse view: one artist, one album (as library.albums names it) or one genre. */
export type BrowsePage =
  { kind: 'artist'; name: string } | { kind: 'album'; album: string; artist: string } | { kind: 'genre'; name: string };

export class Navigation {
  view = $state<View>('songs');
  /** The pages opened inside the current view, the last one on screen; empty: the view's own list. */
  pages = $state.raw<BrowsePage[]>([]);
  /** The playlist open in the Playlists view; undefined: the list of playlists (or another view). */
  playlistId = $state<number | undefined>();

  constructor(hash = typeof location === 'undefined' ? '' : location.hash) {
    this.view = viewFromHash(hash);
    this.playlistId = playlistFromHash(hash);
  }

  /** Follows the hash; returns what stops it. */
  connect(): () => void {
    const onHash = () => {
      const view = viewFromHash(location.hash);
      if (view !== this.view) this.pages = [];
      this.view = view;
      this.playlistId = playlistFromHash(location.hash);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }

  go(view: View): void {
    if (typeof location !== 'undefined' && location.hash !== `#/${view}`) location.hash = `/${view}`;
    // The view's own list, even from a page inside the same view.
    this.pages = [];
    this.view = view;
    this.playlistId = undefined;
  }

  /** Opens one playlist in the Playlists view. */
  openPlaylist(id: number): void {
    if (typeof location !== 'undefined' && location.hash !== `#/playlists/${id}`) location.hash = `/playlists/${id}`;
    this.pages = [];
    this.view = 'playlists';
    this.playlistId = id;
  }

  /** The page on screen inside the view, if any. */
  get page(): BrowsePage | undefined {
    return this.pages.at(-1);
  }

  /** Opens a page inside the current view (an artist, then one of their albums...). */
  open(page: BrowsePage): void {
    this.pages = [...this.pages, page];
  }

  /** One page back; false when the view's own list is on screen already. */
  back(): boolean {
    if (this.view === 'playlists' && this.playlistId !== undefined) {
      this.go('playlists');
      return true;
    }
    if (this.pages.length === 0) return false;
    this.pages = this.pages.slice(0, -1);
    return true;
  }
}
