/** `emotune <command>`: the app's services from a terminal. */
import { FACE_KEYPOINTS } from '../../shared/vision.js';
import { FaceDetector } from '../vision/faceDetector.js';
import { ImageFileError, readImageFile } from '../vision/imageFile.js';
import { DEFAULT_DETECTOR_CARD } from '../backend.js';

const USAGE = `usage: emotune detect <image>

  detect <image>   find faces in an image file (JPEG, PNG, WebP, ...) and print them as JSON:
                   each face's box, six keypoints (eyes, nose tip, mouth, ears) and score, in pixels`;

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
