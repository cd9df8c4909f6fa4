/** The music library as the renderer sees it. */
import type { z } from 'zod';
import type { trackSortSchema } from './schemas.js';
import type { Mood, MoodSource, ValenceArousal } from './mood.js';

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
  hasCover: boolean;
}

export interface Track extends TrackTags {
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
  message?: string;
}

export type TrackSort = z.infer<typeof trackSortSchema>;
