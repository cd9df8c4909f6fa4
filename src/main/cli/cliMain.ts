/** `emotune <command>`: the app's services from a terminal. */
import { FACE_KEYPOINTS } from '../../shared/vision.js';
import { FaceDetector } from '../vision/faceDetector.js';
import { ImageFileError, readImageFile } from '../vision/imageFile.js';
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { DEFAULT_DETECTOR_CARD, defaultDataDir } from '../backend.js';
import { LibraryDatabaseError, openLibraryDatabase } from '../library/database.js';
import { LibraryStore } from '../library/libraryStore.js';
import { scanFolder, ScanError } from '../library/scanner.js';

const USAGE = `usage: emotune detect <image>
       emotune scan <folder> [--data-dir <dir>] [--batch <n>]

  detect <image>   find faces in an image file (JPEG, PNG, WebP, ...) and print them as JSON:
                   each face's box, six keypoints (eyes, nose tip, mouth, ears) and score, in pixels
  scan <folder>    add a music folder to the library (in --data-dir, default the app's) and scan it,
                   printing progress as one JSON object per line`;

/** Exit codes: 0 ok, 1 internal failure, 2 bad usage or bad input. */
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
  if (command !== 'detect' || rest.length !== 1) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  const path = rest[0]!;
  let image;
  try {
    image = await readImageFile(path);
  } catch (error) {
    if (error instanceof ImageFileError) {
      err.write(`emotune: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const detector = await FaceDetector.load(DEFAULT_DETECTOR_CARD);
  try {
    const started = performance.now();
    const faces = await detector.detect(image);
    const result = {
      image: path,
      width: image.width,
      height: image.height,
      detector: detector.card.name,
      executionProvider: detector.executionProvider,
      elapsedMs: round(performance.now() - started),
      faces: faces.map((f) => ({
        box: { x: round(f.box.x), y: round(f.box.y), width: round(f.box.width), height: round(f.box.height) },
        keypoints: f.keypoints.map((p, k) => ({ name: FACE_KEYPOINTS[k], x: round(p.x), y: round(p.y) })),
        score: round(f.score, 4),
      })),
    };
    out.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    await detector.dispose();
  }
}

function round(v: number, digits = 1): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
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
    const { id } = store.addFolder(folder);
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
    store.db.close();
  }
}
