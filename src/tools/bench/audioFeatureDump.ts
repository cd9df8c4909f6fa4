/**
 * `npm run features:audio -- <folder> --out features.jsonl`: the mood model's inputs for every audio
 * file under a folder, computed by the app's own decoder and feature code, one JSON line per file.
 * `python -m training.mood` fits the audio mood model on these lines, so training and the app can
 * never disagree about what a feature means. Files that cannot be analysed get a line with `error`.
 */
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyseAudio } from '../../main/audio/audioFeatures.js';
import { moodInputs } from '../../main/audio/audioMood.js';
import { decodeForAnalysis } from '../../main/audio/decodeAudio.js';
import { readTagHints } from '../../main/audio/tagHints.js';
import { listAudioFiles } from '../../main/library/scanner.js';
import { readFileTags } from '../../main/library/tagReader.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1 || !values.out) {
    console.error('usage: npm run features:audio -- <folder> --out <features.jsonl>');
    process.exit(2);
  }
  const root = resolve(positionals[0]!);
  const out = resolve(values.out);
  const files = (await listAudioFiles(root)).map((f) => f.path).sort();
  // Written beside the target and renamed at the end: a half-run never looks like a whole one.
  const partial = `${out}.partial`;
  const stream = createWriteStream(partial);
  let failed = 0;
  const started = performance.now();
  for (const [i, path] of files.entries()) {
    const file = relative(root, path);
    try {
      const [pcm, hints, tags] = await Promise.all([decodeForAnalysis(path), readTagHints(path), readFileTags(path)]);
      const t0 = performance.now();
      const { features, summary } = analyseAudio(pcm);
      const line = {
        file,
        artist: tags.artist,
        title: tags.title,
        seconds: pcm.samples.length / pcm.sampleRate,
        analysis_ms: Math.round(performance.now() - t0),
        hints,
        summary,
        inputs: moodInputs(features, hints),
      };
      stream.write(`${JSON.stringify(line)}\n`);
    } catch (error) {
      failed++;
      stream.write(`${JSON.stringify({ file, error: (error as Error).message })}\n`);
    }
    if ((i + 1) % 100 === 0) console.error(`${i + 1}/${files.length} files, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  await new Promise<void>((done, fail) => stream.end((error?: Error | null) => (error ? fail(error) : done())));
  await rename(partial, out);
  console.error(`${files.length} files, ${failed} failed, ${((performance.now() - started) / 1000).toFixed(0)} s -> ${out}`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
