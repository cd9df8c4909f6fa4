/**
 * Real group photos that the @vladmandic/face-api package ships (demo/sample1-6.jpg, MIT),
 * used to measure the face detectors. Development-only: the package is a devDependency.
 *
 * Face boxes, in the photos' pixels: found with blazeface-back-256 at score 0.5 on the full
 * photos, each checked by eye; the one face it missed (sample2, looking down) was added by hand.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { Box } from '../../shared/vision.js';
import type { RgbaImage } from '../../main/vision/rgbaImage.js';

export function faceApiDemoDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
}

type Row = [x: number, y: number, width: number, height: number];

const FACES: Record<string, Row[]> = {
  'sample1.jpg': [
    [418, 409, 196, 196],
    [1490, 267, 151, 151],
    [851, 470, 174, 174],
  ],
  'sample2.jpg': [
    [1453, 193, 199, 199],
    [350, 188, 207, 207],
    [905, 240, 170, 190],
  ],
  'sample3.jpg': [
    [588, 386, 204, 204],
    [1064, 253, 245, 245],
    [1476, 358, 192, 192],
  ],
  'sample4.jpg': [
    [976, 228, 197, 197],
    [674, 125, 166, 166],
    [235, 252, 176, 176],
    [1279, 197, 187, 187],
  ],
  'sample5.jpg': [
    [777, 164, 164, 164],
    [577, 459, 188, 188],
    [1109, 252, 186, 186],
    [1415, 439, 206, 206],
    [366, 939, 201, 201],
  ],
  'sample6.jpg': [
    [241, 537, 220, 220],
    [1143, 351, 236, 236],
    [1473, 321, 234, 234],
    [657, 383, 236, 236],
  ],
};

export interface AnnotatedFace {
  file: string;
  box: Box;
}

export const DEMO_FACES: AnnotatedFace[] = Object.entries(FACES).flatMap(([file, rows]) =>
  rows.map(([x, y, width, height]) => ({ file, box: { x, y, width, height } })),
);

export interface WebcamShot {
  image: RgbaImage;
  /** The annotated face, in frame pixels. */
  face: Box;
  /** Every annotated face of the photo, in frame pixels (neighbours may be in view). */
  allFaces: Box[];
}

/**
 * A 640x480 frame cut from a demo photo as a laptop webcam would frame the face: the face
 * `share` of the frame width, its centre at (fx, fy) of the frame where the photo allows.
 * Null when the photo is too small for that framing.
 */
export async function cutWebcamFrame(face: AnnotatedFace, share: number, fx = 0.5, fy = 0.5): Promise<WebcamShot | null> {
  const path = join(faceApiDemoDir(), face.file);
  const meta = await sharp(path).metadata();
  const { box } = face;
  const cropWidth = Math.round(box.width / share);
  const cropHeight = Math.round((cropWidth * 3) / 4);
  if (cropWidth > meta.width || cropHeight > meta.height) return null;
  const left = clamp(Math.round(box.x + box.width / 2 - fx * cropWidth), 0, meta.width - cropWidth);
  const top = clamp(Math.round(box.y + box.height / 2 - fy * cropHeight), 0, meta.height - cropHeight);
  const { data, info } = await sharp(path)
    .extract({ left, top, width: cropWidth, height: cropHeight })
    .resize(640, 480, { fit: 'fill' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const k = 640 / cropWidth;
  const toFrame = (b: Box): Box => ({ x: (b.x - left) * k, y: (b.y - top) * k, width: b.width * k, height: b.height * k });
  return {
    image: { width: info.width, height: info.height, data: new Uint8Array(data) },
    face: toFrame(box),
    allFaces: DEMO_FACES.filter((f) => f.file === face.file).map((f) => toFrame(f.box)),
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
