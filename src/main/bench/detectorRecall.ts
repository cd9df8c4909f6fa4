/**
 * `npm run bench:recall`: recall of each shipped face detector on real faces framed as a
 * laptop webcam sees them. For every annotated face and every face width (a share of a
 * 640x480 frame: ~12% is a person about 1 m away, ~45% about 30 cm), a 4:3 window is cut
 * around the face, off-centre by a fixed pattern (moved inside the photo where needed), and
 * scaled to 640x480. A face counts as found when a detection overlaps it with IoU >= 0.3;
 * a detection that overlaps no annotated face counts as a false positive.
 */
import { join } from 'node:path';
import { MODELS_DIR } from '../backend.js';
import { FaceDetector } from '../vision/faceDetector.js';
import { boxIou } from './boxMath.js';
import { cutWebcamFrame, DEMO_FACES, type WebcamShot } from './faceApiDemo.js';

const FACE_SHARES = [0.08, 0.12, 0.2, 0.3, 0.45];
/** Where the face centre sits in the frame, as fractions: centred, and pushed towards corners. */
const OFFSETS: [number, number][] = [
  [0.5, 0.5],
  [0.35, 0.4],
  [0.65, 0.6],
];

async function* shots(): AsyncGenerator<WebcamShot & { share: number }> {
  for (const face of DEMO_FACES) {
    for (const share of FACE_SHARES) {
      for (const [fx, fy] of OFFSETS) {
        const shot = await cutWebcamFrame(face, share, fx, fy);
        if (shot) yield { ...shot, share };
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
