/** The music library as the renderer sees it. */
import type { z } from 'zod';
import type {
  albumQuerySchema,
  artistQuerySchema,
  genreQuerySchema,
  playlistEntriesSchema,
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
  /** The file's ReplayGain tags, for the player to level loudness with; null where it has none. */
  replayGain?: ReplayGain | null;
}

/**
 * ReplayGain as the file's tags give it (REPLAYGAIN_TRACK_GAIN and the rest): the gain in dB that
 * brings the track (or its album, keeping the album's own dynamics) to the reference loudness, and
 * the highest sample as a linear amplitude (1 is full scale), so that a player applying a gain of
 * `10 ** (gainDb / 20)` can keep `gain * peak` at or below 1 to avoid clipping. Each value is null
 * where its tag is missing or makes no sense; a file with no gain at all has no ReplayGain (null).
 */
export interface ReplayGain {
  trackGainDb: number | null;
  trackPeak: number | null;
  albumGainDb: number | null;
  albumPeak: number | null;
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
  /** Its tracks that have a mood the user gave them (kept by path if the folder is removed). */
  userMoods?: number;
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
/** What library.playlistEntries takes: a playlist and a page of it. */
export type PlaylistEntriesQuery = z.infer<typeof playlistEntriesSchema>;

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

/** One saved playlist, as the sidebar lists it. */
export interface PlaylistSummary {
  id: number;
  name: string;
  /** Its entries, the missing ones among them. */
  trackCount: number;
  /** The length of its entries that are in the library, in seconds (a missing entry counts nothing). */
  durationSec: number;
  /** How many entries name a file that is not in the library; the playlist has missing entries when above 0. */
  missingCount: number;
  createdAt: number;
}

/**
 * One place in a playlist. A track can be in a playlist twice, so an entry has an id of its own,
 * which library.removeFromPlaylist and library.movePlaylistEntry take. An entry whose file is not in
 * the library (an imported M3U's line that matched nothing, or a track of a removed folder) stays, as
 * a missing entry with its path, and becomes a track again when a scan finds a file at that path.
 */
export interface PlaylistEntry {
  id: number;
  /** Its place in the playlist, from 0. */
  position: number;
  /** The file it names: the track's path, or the path as the M3U or the removed track gave it. */
  path: string;
  /** The library track, or null for a missing entry. */
  track: Track | null;
  /**
   * For a missing entry, what there is to show for it: the M3U's #EXTINF title, or "Artist - Title"
   * of the track it was; null where nothing is known (show the file name). Null for a track.
   */
  label: string | null;
  /** For a missing entry, its length as the M3U or the removed track gave it; null for a track (see `track`). */
  durationSec: number | null;
}

/** What an import made: the new playlist (its name made unique, "Name (2)"), and the entries it found and did not. */
export interface ImportedPlaylist {
  playlistId: number;
  name: string;
  matched: number;
  /** The entries not in the library, as the file wrote them; they are kept in the playlist as missing entries. */
  missing: string[];
}

/** A folder added back: what came back with it once its scan was done. */
export interface RestoredFolder {
  folder: LibraryFolder;
  /** Tracks that got back the mood the user had given them. */
  userMoods: number;
  /** Playlist entries that were missing and are tracks again. */
  playlistEntries: number;
}

export interface GenreSummary {
  /** '' for the tracks that name no genre. */
  name: string;
  trackCount: number;
}
