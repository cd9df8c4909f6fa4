/**
 * Library scan throughput: a generated library of 5,000 real audio files (copies of short
 * tagged mp3, flac, ogg and wav files made by ffmpeg, or wav only without it), scanned cold
 * into a fresh database and then again with nothing changed. Prints tracks/s and peak memory.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../../main/audio/wav.js';
import { openLibraryDatabase } from '../../main/library/database.js';
import { LibraryStore } from '../../main/library/libraryStore.js';
import { scanFolder } from '../../main/library/scanner.js';
import { writeTags } from '../../main/library/tagWriter.js';

const TRACKS = Number(process.env.EMOTUNE_BENCH_TRACKS ?? 5000);

function makeBaseFiles(dir: string): string[] {
  const wav = join(dir, 'base.wav');
  const samples = new Float32Array(44100 * 3).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 44100));
  writeFileSync(wav, encodeWav({ sampleRate: 44100, samples }));
  writeTags(wav, { title: 'Base', artist: 'Bench', album: 'Scan', mood: 'calm' });
  const bases = [wav];
  for (const [ext, codec] of [
    ['mp3', 'libmp3lame'],
    ['flac', 'flac'],
    ['ogg', 'libvorbis'],
  ] as const) {
    const out = join(dir, `base.${ext}`);
    try {
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-i',
        wav,
        '-c:a',
        codec,
        '-metadata',
        'title=Base',
        '-metadata',
        'artist=Bench',
        '-metadata',
        'MOOD=happy',
        out,
      ]);
      bases.push(out);
    } catch {
      // No ffmpeg: the library is all wav.
    }
  }
  return bases;
}

export async function runScanBench(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'emotune-scan-bench-'));
  try {
    const bases = makeBaseFiles(root);
    const music = join(root, 'music');
    for (let i = 0; i < TRACKS; i++) {
      const folder = join(music, `artist-${Math.floor(i / 100)}`);
      if (i % 100 === 0) mkdirSync(folder, { recursive: true });
      const base = bases[i % bases.length]!;
      copyFileSync(base, join(folder, `track-${i}${base.slice(base.lastIndexOf('.'))}`));
    }
    const store = new LibraryStore(openLibraryDatabase(join(root, 'library.sqlite')));
    const folder = store.folders.add(music);
    const baseRss = process.memoryUsage().rss;
    let peakRss = baseRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const timed = async (label: string) => {
      const t0 = performance.now();
      const result = await scanFolder(store, folder.id, music);
      const seconds = (performance.now() - t0) / 1000;
      console.log(
        `${label}\t${(TRACKS / seconds).toFixed(0)} tracks/s\t${seconds.toFixed(2)} s\tread ${result.done}, failed ${result.failed}`,
      );
    };
    console.log(
      `\nLibrary scan, ${TRACKS} files (${bases.map((b) => b.slice(b.lastIndexOf('.') + 1)).join(', ')}), better-sqlite3 WAL, batches of 50`,
    );
    await timed('cold scan');
    await timed('incremental (nothing changed)');
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    // The benchmarks before this one leave models loaded: say what the scans themselves added.
    console.log(`peak memory during the scans\t+${mib(peakRss - baseRss)} over the ${mib(baseRss)} held before\tpeak RSS ${mib(peakRss)}`);
    store.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
