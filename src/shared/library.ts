/** The music library as the renderer sees it. */
import type { z } from 'zod';
import type {
  albumQuerySchema,
  artistQuerySchema,
  genreQuerySchema,
  sortDirectionSchema,
  trackFilterSchema,
  trackQuerySchema,
  trackSortSchema,
} from './schemas.js';
import type { Mood, MoodSource, ValenceArousal } from './mood.js';

/**
 * What the UI shows for a tag the file lacks and no folder could stand in for. The library stores
 * '' (so sorting, grouping and filtering see one value); only the display says these words.
 */
export const UNKNOWN_ARTIST = 'Unknown artist';
export const UNKNOWN_ALBUM = 'Unknown album';
export const UNKNOWN_GENRE = 'Unknown genre';

/** Where a track's cover art comes from: a picture in the file, or cover.jpg (folder.jpg, front.png, ...) beside it. */
export type CoverSource = 'embedded' | 'folder';

export interface TrackMood extends Partial<ValenceArousal> {
  source: MoodSource;
  /** null when the source gave a value we could not place (kept in `raw`). */
  mood: Mood | null;
  confidence: number;
  /** The tag text as found in the file, for file moods. */
  raw?: string;
}

/** What the library keeps from a file's tags and stream. */
export interface TrackTags {
  title: string;
  artist: string;
  album: string;
  durationSec: number | null;
  codec: string | null;
  /** Whether the cover endpoint has art for the track: embedded, or an image in its folder. */
  hasCover: boolean;
}

/**
 * The tags beyond the first few. The backend fills in every one of them; they are optional only so
 * that Track literals written before them still type-check.
 */
export interface TrackDetails {
  trackNo?: number | null;
  discNo?: number | null;
  /** The first genre the file names; '' where it names none. */
  genre?: string;
  year?: number | null;
  /** The album artist tag; '' where the file has none, and then the album is grouped under `artist`. */
  albumArtist?: string;
  /** null where there is no cover. */
  coverSource?: CoverSource | null;
}

export interface Track extends TrackTags, TrackDetails {
  id: number;
  path: string;
  /** Why the file could not be read or played, if it could not. */
  error: string | null;
  /** Every mood on record, most trusted first. */
  moods: TrackMood[];
  /** The mood that counts: the first of `moods` with a mood. */
  mood: TrackMood | null;
}

export interface LibraryFolder {
  id: number;
  path: string;
  trackCount: number;
  errorCount: number;
  /** The demo library Emotune wrote on the first run (it can be removed with library.removeFolder like any folder). */
  demo?: boolean;
  /**
   * Set on the demo folder once the user's own folders hold playable music: the moment to offer
   * its removal. (While it stays, the mood loop prefers the user's music wherever that has the mood.)
   */
  suggestRemoval?: boolean;
  /** Files of audio formats Emotune cannot play, by extension, as the last scan found them: { ".xm": 3 }. */
  unsupported?: Record<string, number>;
}

export interface ScanProgress {
  folder: string;
  phase: 'listing' | 'reading' | 'removing' | 'done' | 'failed';
  done: number;
  total: number;
  current: string | null;
  added: number;
  updated: number;
  removed: number;
  failed: number;
  /** Files of audio formats Emotune cannot play, by extension ({ ".xm": 3, ".mid": 1 }): counted, not read. */
  unsupported?: Record<string, number>;
  message?: string;
}

export type TrackSort = z.infer<typeof trackSortSchema>;
export type SortDirection = z.infer<typeof sortDirectionSchema>;
/** What library.tracks takes: a search, filters, a sort and a page. */
export type TrackQuery = z.infer<typeof trackQuerySchema>;
/** The filters alone, as library.trackCount takes them. */
export type TrackFilter = z.infer<typeof trackFilterSchema>;
export type ArtistQuery = z.infer<typeof artistQuerySchema>;
export type AlbumQuery = z.infer<typeof albumQuerySchema>;
export type GenreQuery = z.infer<typeof genreQuerySchema>;

/** One artist of the artists view: the tracks' artist tag (or folder), '' for tracks with none. */
export interface ArtistSummary {
  name: string;
  trackCount: number;
  albumCount: number;
  /** A track of theirs whose cover stands for them (`${coverBase}${coverTrackId}`), or null. */
  coverTrackId: number | null;
}

/** One album: its name and artist (the album artist, else the tracks' artist), as library.tracks filters by them. */
export interface AlbumSummary {
  album: string;
  artist: string;
  /** The latest year its tracks give, or null. */
  year: number | null;
  trackCount: number;
  coverTrackId: number | null;
}

export interface GenreSummary {
  /** '' for the tracks that name no genre. */
  name: string;
  trackCount: number;
}
