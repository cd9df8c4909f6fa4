/**
 * A long library of generated tracks, written straight into a LibraryStore: no audio files, only
 * the rows a list shows. bench:ui measures the Songs list on it, and the e2e tests of long lists use
 * it too, so both look at the same kind of library.
 */
import type { LibraryStore } from '../../main/library/libraryStore.js';
import type { TrackRecord } from '../../main/library/store/trackStore.js';

const MOODS = ['happy', 'energetic', 'calm', 'sad', 'tense', 'neutral'] as const;

/** Adds `count` tracks in a folder `/bench/music` ("Track 1" ... in file order, 500 artists, 2,000 albums). */
export function addGeneratedTracks(store: LibraryStore, count: number): void {
  const folder = store.folders.add('/bench/music');
  store.transaction(() => {
    for (let i = 1; i <= count; i++) {
      const record: TrackRecord = {
        path: `/bench/music/${String(i).padStart(6, '0')}.mp3`,
        size: 4_000_000,
        mtimeMs: 0,
        title: `Track ${i}`,
        artist: `Artist ${i % 500}`,
        album: `Album ${i % 2000}`,
        albumArtist: '',
        trackNo: (i % 12) + 1,
        discNo: null,
        genre: ['Rock', 'Jazz', 'Pop', 'Folk'][i % 4]!,
        year: 1970 + (i % 50),
        durationSec: 120 + (i % 240),
        codec: 'mp3',
        hasCover: false,
        coverPath: null,
        error: null,
      };
      store.tracks.upsert(folder.id, record, { mood: MOODS[i % MOODS.length]!, confidence: 1 });
    }
  });
}
