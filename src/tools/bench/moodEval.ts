/**
 * `npm run bench:moods -- [--split val|train|all] [--out results.json]`: the audio mood estimate measured
 * through the app's own route on mer4q (`MER4Q_DIR`): the split's songs are copied into a fresh library,
 * scanned, estimated in the background as for any user, and the moods are read back from SQLite.
 * Reports the share with an estimate, quadrant accuracy of the mood shown, valence and arousal sign
 * accuracy, per-quadrant recall, the share of `neutral`, and the time per track. Asserts nothing.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Mood } from '../../shared/mood.js';
import { DEFAULT_AUDIO_MOOD_CARD } from '../../main/appPaths.js';
import { LibraryService } from '../../main/library/libraryService.js';
import { readLabelsCsv } from './labelsCsv.js';
import { MoodService } from '../../main/mood/moodService.js';

const QUADRANT_OF_MOOD: Partial<Record<Mood, string>> = { happy: 'Q1', energetic: 'Q1', tense: 'Q2', sad: 'Q3', calm: 'Q4' };
const QUADRANTS = ['Q1', 'Q2', 'Q3', 'Q4'];

interface LabelRow {
  file: string;
  split: string;
  quadrant: string;
}

async function readLabels(root: string): Promise<LabelRow[]> {
  const path = join(root, 'labels.csv');
  return (await readLabelsCsv(path, ['file', 'split', 'quadrant'])).map(({ line, cells }) => {
    if (!QUADRANTS.includes(cells.quadrant)) throw new Error(`${path}, line ${line}: bad quadrant ${cells.quadrant}`);
    return cells;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { split: { type: 'string', default: 'val' }, out: { type: 'string' }, card: { type: 'string' } },
  });
  const root = process.env.MER4Q_DIR;
  if (!root) throw new Error('set MER4Q_DIR to the mer4q folder');
  const rows = (await readLabels(root)).filter((r) => values.split === 'all' || r.split === values.split);
  const work = await mkdtemp(join(tmpdir(), 'emotune-moodeval-'));
  try {
    const music = join(work, 'music');
    await mkdir(music);
    for (const row of rows) await copyFile(join(root, row.file), join(music, basename(row.file)));
    const events = { scanProgress: () => undefined, changed: () => undefined };
    const library = new LibraryService(join(work, 'data'), events, { watch: false });
    // The mood service estimates after each scan, as in the app.
    new MoodService(library, { audioMoodCard: values.card ? resolve(values.card) : DEFAULT_AUDIO_MOOD_CARD });
    const started = performance.now();
    await library.addFolder(music);
    await library.idle();
    const seconds = (performance.now() - started) / 1000;
    const byFile = new Map(library.listTracks({ limit: 100000 }).map((t) => [basename(t.path), t]));
    library.close();

    const recall: Record<string, [number, number]> = Object.fromEntries(QUADRANTS.map((q) => [q, [0, 0]]));
    let estimated = 0;
    let right = 0;
    let neutral = 0;
    let valenceRight = 0;
    let arousalRight = 0;
    const shown: Record<string, number> = {};
    const failures: string[] = [];
    for (const row of rows) {
      const audio = byFile.get(basename(row.file))?.moods.find((m) => m.source === 'audio');
      const counts = recall[row.quadrant]!;
      counts[1]++;
      if (!audio?.mood) {
        failures.push(`${row.file}: ${audio?.raw ?? 'no estimate'}`);
        continue;
      }
      estimated++;
      shown[audio.mood] = (shown[audio.mood] ?? 0) + 1;
      if (audio.mood === 'neutral') neutral++;
      if (QUADRANT_OF_MOOD[audio.mood] === row.quadrant) {
        right++;
        counts[0]++;
      }
      const [v, a] = [row.quadrant === 'Q1' || row.quadrant === 'Q4', row.quadrant === 'Q1' || row.quadrant === 'Q2'];
      if ((audio.valence ?? 0) > 0 === v) valenceRight++;
      if ((audio.arousal ?? 0) > 0 === a) arousalRight++;
    }
    const n = rows.length;
    const result = {
      set: `mer4q ${values.split}`,
      songs: n,
      estimated_share: estimated / n,
      shown_mood_quadrant_accuracy: right / n,
      valence_sign_accuracy: valenceRight / n,
      arousal_sign_accuracy: arousalRight / n,
      neutral_share: neutral / n,
      per_quadrant_recall: Object.fromEntries(QUADRANTS.map((q) => [q, recall[q]![0] / Math.max(1, recall[q]![1])])),
      moods_shown: shown,
      seconds_per_track_scan_and_estimate: seconds / n,
      failures: failures.slice(0, 20),
    };
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(
      `${result.set}: ${n} songs through scan + background estimate + SQLite (${result.seconds_per_track_scan_and_estimate.toFixed(3)} s/track)`,
    );
    console.log(`  with an estimate     ${pct(result.estimated_share)}`);
    console.log(`  shown mood quadrant  ${pct(result.shown_mood_quadrant_accuracy)} (chance 25%)`);
    console.log(`  valence sign         ${pct(result.valence_sign_accuracy)}`);
    console.log(`  arousal sign         ${pct(result.arousal_sign_accuracy)}`);
    console.log(`  neutral              ${pct(result.neutral_share)}`);
    console.log(`  recall               ${QUADRANTS.map((q) => `${q} ${pct(result.per_quadrant_recall[q]!)}`).join('  ')}`);
    console.log(`  moods shown          ${JSON.stringify(shown)}`);
    if (failures.length > 0) console.log(`  failures (first 3)   ${failures.slice(0, 3).join(' | ')}`);
    if (values.out) await writeFile(resolve(values.out), `${JSON.stringify(result, null, 1)}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
