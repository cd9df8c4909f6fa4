/**
 * bench:ui's library: `count` generated tracks (no audio files: only the list is measured) written
 * straight into the LibraryStore of a data folder. Run by uiBench.ts in a process of its own:
 * `node uiBenchLibrary.js <dataDir> <count>`.
 */
import { Backend } from '../../main/backend.js';
import type { TrackRecord } from '../../main/library/store/trackStore.js';

const MOODS = ['happy', 'energetic', 'calm', 'sad', 'tense', 'neutral'] as const;

function fill(backend: Backend, count: number): void {
  const store = backend.library.store;
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

async function main(): Promise<void> {
  const [dataDir, count] = [process.argv[2], Number(process.argv[3])];
  if (!dataDir || !Number.isInteger(count) || count < 0) throw new Error('usage: node uiBenchLibrary.js <dataDir> <count>');
  const backend = await Backend.create('web', { dataDir, demoLibrary: false, watchFolders: false });
  fill(backend, count);
  await backend.dispose();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
