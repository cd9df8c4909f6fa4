/**
 * `npm run bench:recall`: recall of each shipped face detector on real faces framed as a
 * laptop webcam sees them. For every annotated face and every face width (a share of a
 * 640x480 frame: ~12% is a person about 1 m away, ~45% about 30 cm), a 4:3 window is cut
 * around the face, off-centre by a fixed pattern (moved inside the photo where needed), and
 * scaled to 640x480. A face counts as found when a detection overlaps it with IoU >= 0.3;
 * a detection that overlaps no annotated face counts as a false positive.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { MODELS_DIR } from '../backend.js';
import { FaceDetector } from '../vision/faceDetector.js';
import type { RgbaImage } from '../vision/rgbaImage.js';
import type { Box } from '../../shared/vision.js';
import { boxIou, scaleBox } from './boxMath.js';
import { DEMO_FACES, faceApiDemoDir } from './faceApiDemo.js';

const FRAME = { width: 640, height: 480 };
const FACE_SHARES = [0.08, 0.12, 0.2, 0.3, 0.45];
/** Where the face centre sits in the frame, as fractions: centred, and pushed towards corners. */
const OFFSETS: [number, number][] = [
  [0.5, 0.5],
  [0.35, 0.4],
  [0.65, 0.6],
];

interface Shot {
  image: RgbaImage;
  face: Box;
  /** Every annotated face of the photo, in frame pixels (neighbours may be in view). */
  allFaces: Box[];
  share: number;
}

async function* shots(): AsyncGenerator<Shot> {
  const dir = faceApiDemoDir();
  for (const { file, box } of DEMO_FACES) {
    const photo = sharp(join(dir, file));
    const meta = await photo.metadata();
    for (const share of FACE_SHARES) {
      const cropWidth = Math.round(box.width / share);
      const cropHeight = Math.round((cropWidth * FRAME.height) / FRAME.width);
      for (const [fx, fy] of OFFSETS) {
        if (cropWidth > meta.width || cropHeight > meta.height) continue;
        const left = clamp(Math.round(box.x + box.width / 2 - fx * cropWidth), 0, meta.width - cropWidth);
        const top = clamp(Math.round(box.y + box.height / 2 - fy * cropHeight), 0, meta.height - cropHeight);
        const { data, info } = await sharp(join(dir, file))
          .extract({ left, top, width: cropWidth, height: cropHeight })
          .resize(FRAME.width, FRAME.height, { fit: 'fill' })
          .ensureAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        const k = FRAME.width / cropWidth;
        const toFrame = (b: Box) => scaleBox({ ...b, x: b.x - left, y: b.y - top }, k);
        yield {
          image: { width: info.width, height: info.height, data: new Uint8Array(data) },
          face: toFrame(box),
          allFaces: DEMO_FACES.filter((f) => f.file === file).map((f) => toFrame(f.box)),
          share,
        };
      }
    }
  }
}

async function main(): Promise<void> {
  const detectors = await Promise.all(
    ['blazeface-front-128', 'blazeface-back-256'].map((n) => FaceDetector.load(join(MODELS_DIR, `${n}.json`))),
  );
  const found = new Map<string, number>();
  const total = new Map<number, number>();
  const falsePositives = new Map<string, number>();
  for await (const shot of shots()) {
    total.set(shot.share, (total.get(shot.share) ?? 0) + 1);
    for (const detector of detectors) {
      const faces = await detector.detect(shot.image);
      const hit = faces.some((f) => boxIou(f.box, shot.face) >= 0.3);
      const key = `${detector.card.name}@${shot.share}`;
      if (hit) found.set(key, (found.get(key) ?? 0) + 1);
      const strays = faces.filter((f) => shot.allFaces.every((a) => boxIou(f.box, a) < 0.3)).length;
      falsePositives.set(detector.card.name, (falsePositives.get(detector.card.name) ?? 0) + strays);
    }
  }
  const frames = [...total.values()].reduce((a, b) => a + b, 0);
  console.log(`Face detector recall at webcam distance: ${DEMO_FACES.length} faces, ${frames} frames of 640x480`);
  console.log(['detector', ...FACE_SHARES.map((s) => `face ${Math.round(s * 100)}%`), 'all', 'false positives'].join('\t'));
  for (const detector of detectors) {
    const name = detector.card.name;
    const cells = FACE_SHARES.map((s) => {
      const n = found.get(`${name}@${s}`) ?? 0;
      return `${n}/${total.get(s) ?? 0}`;
    });
    const hits = FACE_SHARES.reduce((a, s) => a + (found.get(`${name}@${s}`) ?? 0), 0);
    console.log([name, ...cells, `${((100 * hits) / frames).toFixed(1)}%`, String(falsePositives.get(name) ?? 0)].join('\t'));
    await detector.dispose();
  }
}

await main();

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
