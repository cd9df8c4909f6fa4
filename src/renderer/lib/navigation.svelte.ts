/**
 * Which view the main area shows, kept in the address's hash (#/songs) so that the browser's back
 * button, a reload and a bookmark keep it.
 */
export const VIEWS = ['songs', 'artists', 'albums', 'genres', 'moods', 'playlists', 'session', 'history', 'settings', 'about'] as const;

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
  about: 'About',
};

export function viewFromHash(hash: string): View {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (VIEWS as readonly string[]).includes(name) ? (name as View) : 'songs';
}

export class Navigation {
  view = $state<View>('songs');

  constructor(hash = typeof location === 'undefined' ? '' : location.hash) {
    this.view = viewFromHash(hash);
  }

  /** Follows the hash; returns what stops it. */
  connect(): () => void {
    const onHash = () => (this.view = viewFromHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }

  go(view: View): void {
    if (typeof location !== 'undefined' && location.hash !== `#/${view}`) location.hash = `/${view}`;
    this.view = view;
  }
}
