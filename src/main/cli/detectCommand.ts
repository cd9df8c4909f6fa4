/** `emotune detect <image|folder>`: faces and their expressions, as JSON. */
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { FACE_KEYPOINTS } from '../../shared/vision.js';
import { ImageFileError, readImageFile } from '../vision/imageFile.js';
import type { VisionEngine } from '../vision/visionEngine.js';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.bmp']);

/** One image's result, or its error; throws ImageFileError only for a single unreadable file. */
export async function detectImage(engine: VisionEngine, path: string) {
  const image = await readImageFile(path);
  const started = performance.now();
  const analysis = await engine.analyse(image);
  return {
    image: path,
    width: image.width,
    height: image.height,
    elapsedMs: round(performance.now() - started),
    faces: analysis.faces.map((f, i) => ({
      box: { x: round(f.box.x), y: round(f.box.y), width: round(f.box.width), height: round(f.box.height) },
      keypoints: f.keypoints.map((p, k) => ({ name: FACE_KEYPOINTS[k], x: round(p.x), y: round(p.y) })),
      score: round(f.score, 4),
      main: i === analysis.mainFace,
      ...(i === analysis.mainFace && analysis.expression
        ? {
            expression: analysis.expression.top,
            probabilities: Object.fromEntries(Object.entries(analysis.expression.probabilities).map(([k, v]) => [k, round(v, 4)])),
          }
        : {}),
    })),
  };
}

/** Images directly in a folder, or the one file given. */
export async function listImages(path: string): Promise<{ files: string[]; isFolder: boolean }> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new ImageFileError(
      `cannot open ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}`,
    );
  }
  if (!info.isDirectory()) return { files: [path], isFolder: false };
  const names = (await readdir(path)).filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  return { files: names.map((n) => join(path, n)), isFolder: true };
}

export function round(v: number, digits = 1): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
