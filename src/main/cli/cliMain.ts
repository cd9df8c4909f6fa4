/** `emotune <command>`: the app's services from a terminal. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_AUDIO_MOOD_CARD, DEFAULT_DETECTOR_CARDS, DEFAULT_EXPRESSION_CARD, defaultDataDir } from '../backend.js';
import { LibraryDatabaseError, openLibraryDatabase } from '../library/database.js';
import { LibraryStore } from '../library/libraryStore.js';
import { AudioMoodEstimator } from '../mood/audioMoodEstimator.js';
import { scanFolder, ScanError } from '../library/scanner.js';
import { ImageFileError } from '../vision/imageFile.js';
import { VisionEngine } from '../vision/visionEngine.js';
import { detectImage, listImages } from './detectCommand.js';
import { evaluateFolder, formatReport } from './evalCommand.js';
import { listAudioPaths, moodOfFile } from './moodsCommand.js';

const USAGE = `usage: emotune detect <image|folder>
       emotune eval --data <folder>
       emotune scan <folder> [--data-dir <dir>] [--batch <n>]
       emotune moods <file|folder> [--write]

  detect <image|folder>  find faces in an image (JPEG, PNG, WebP, ...) or in every image of a
                   folder and print them as JSON: each face's box, six keypoints (eyes, nose tip,
                   mouth, ears) and score in pixels, and for the main face its expression and
                   probabilities, with the execution provider in use
  eval --data <folder>   run detection, alignment and classification over labelled face photos
                   (one sub-folder per class: neutral, happiness, ...) and print accuracy,
                   balanced accuracy and the confusion matrix
  scan <folder>    add a music folder to the library (in --data-dir, default the app's) and scan
                   it, printing progress as one JSON object per line
  moods <file|folder>  the mood of each audio file, one JSON line each (file, mood, valence,
                   arousal, confidence, source: the file's own tag or an estimate from the audio,
                   features), without touching the library; --write stores estimated moods in
                   the files' own mood tags (atomically), for any player to use`;

/** Exit codes: 0 ok, 1 failure (or some unreadable files), 2 bad usage or bad input. */
export async function runCli(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    out.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'scan') return runScan(rest, out, err);
  if (command === 'eval') return runEval(rest, out, err);
  if (command === 'moods') return runMoods(rest, out, err);
  if (command !== 'detect' || rest.length !== 1) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  let listed;
  try {
    listed = await listImages(rest[0]!);
  } catch (error) {
    err.write(`emotune: ${(error as Error).message}\n`);
    return 2;
  }
  const engine = await loadEngine(err);
  try {
    if (!listed.isFolder) {
      const result = await detectImage(engine, listed.files[0]!).catch((error: unknown) => error as Error);
      if (result instanceof Error) {
        err.write(`emotune: ${result.message}\n`);
        return result instanceof ImageFileError ? 2 : 1;
      }
      out.write(`${JSON.stringify({ ...describeEngine(engine), ...result }, null, 2)}\n`);
      return 0;
    }
    // A folder: one result per image; an unreadable image is reported and the rest go on.
    const results = [];
    for (const file of listed.files) {
      results.push(await detectImage(engine, file).catch((error: unknown) => ({ image: file, error: (error as Error).message })));
    }
    out.write(`${JSON.stringify({ ...describeEngine(engine), images: results }, null, 2)}\n`);
    return results.some((r) => 'error' in r) ? 1 : 0;
  } finally {
    await engine.dispose();
  }
}

async function loadEngine(err: NodeJS.WritableStream): Promise<VisionEngine> {
  const engine = await VisionEngine.load({ detectorCards: DEFAULT_DETECTOR_CARDS, expressionCard: DEFAULT_EXPRESSION_CARD });
  if ('error' in engine.info.expression) err.write(`emotune: ${engine.info.expression.error}\n`);
  return engine;
}

function describeEngine(engine: VisionEngine) {
  const { detector, expression } = engine.info;
  return {
    detector: detector.model,
    expressionModel: 'error' in expression ? null : expression.model,
    executionProvider: 'error' in expression ? detector.executionProvider : expression.executionProvider,
  };
}

async function runEval(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { data: { type: 'string' } } });
  } catch (error) {
    err.write(`emotune: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const folder = parsed.values.data;
  if (!folder || !statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    err.write('emotune: eval needs --data <folder> with one sub-folder of face photos per class\n');
    return 2;
  }
  const engine = await loadEngine(err);
  try {
    if ('error' in engine.info.expression) return 1;
    out.write(`${formatReport(await evaluateFolder(engine, resolve(folder)))}\n`);
    return 0;
  } catch (error) {
    err.write(`emotune: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await engine.dispose();
  }
}

async function runMoods(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { write: { type: 'boolean', default: false } } });
  } catch (error) {
    err.write(`emotune: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.positionals.length !== 1) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  let files;
  try {
    files = await listAudioPaths(parsed.positionals[0]!);
  } catch (error) {
    err.write(`emotune: ${(error as Error).message}\n`);
    return 2;
  }
  let failed = 0;
  const estimator = new AudioMoodEstimator(DEFAULT_AUDIO_MOOD_CARD, { worker: false });
  for (const file of files) {
    const line = await moodOfFile(file, parsed.values.write, estimator);
    if (line.error) failed++;
    out.write(`${JSON.stringify(line)}\n`);
  }
  return failed > 0 ? 1 : 0;
}

async function runScan(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { 'data-dir': { type: 'string' }, batch: { type: 'string' } } });
  } catch (error) {
    err.write(`emotune: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const batchSize = Number(parsed.values.batch ?? 50);
  if (parsed.positionals.length !== 1 || !Number.isInteger(batchSize) || batchSize < 1) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  const folder = resolve(parsed.positionals[0]!);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    err.write(`emotune: ${folder} is not a folder\n`);
    return 2;
  }
  let store: LibraryStore;
  try {
    store = new LibraryStore(openLibraryDatabase(`${parsed.values['data-dir'] ?? defaultDataDir()}/library.sqlite`));
  } catch (error) {
    if (error instanceof LibraryDatabaseError) {
      err.write(`emotune: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  try {
    const { id } = store.folders.add(folder);
    const result = await scanFolder(store, id, folder, {
      batchSize,
      progressIntervalMs: 0,
      onProgress: (p) => out.write(`${JSON.stringify(p)}\n`),
    });
    return result.failed > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ScanError) {
      err.write(`emotune: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    store.close();
  }
}
