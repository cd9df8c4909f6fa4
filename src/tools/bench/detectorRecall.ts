/**
 * `npm run bench:recall`: recall of each shipped face detector on real faces framed as a
 * laptop webcam sees them. For every annotated face and every face width (a share of a
 * 640x480 frame: ~12% is a person about 1 m away, ~45% about 30 cm), a 4:3 window is cut
 * around the face, off-centre by a fixed pattern (moved inside the photo where needed), and
 * scaled to 640x480. A face counts as found when a detection overlaps it with IoU >= 0.3;
 * a detection that overlaps no annotated face counts as a false positive.
 */
import { join } from 'node:path';
import { MODELS_DIR } from '../../main/backend.js';
import { FaceDetectorCascade } from '../../main/vision/faceDetectorCascade.js';
import { boxIou, percentile } from './boxMath.js';
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
  const cards = ['blazeface-front-128', 'blazeface-back-256'].map((n) => join(MODELS_DIR, `${n}.json`));
  // Each model alone, and the cascade the app uses (front first, back when front finds nothing).
  const detectors = [...(await Promise.all(cards.map((c) => FaceDetectorCascade.load([c])))), await FaceDetectorCascade.load(cards)];
  const found = new Map<string, number>();
  const total = new Map<number, number>();
  const falsePositives = new Map<string, number>();
  const times = new Map<string, number[]>();
  for await (const shot of shots()) {
    total.set(shot.share, (total.get(shot.share) ?? 0) + 1);
    for (const detector of detectors) {
      const t0 = performance.now();
      const faces = await detector.detect(shot.image);
      const elapsed = performance.now() - t0;
      const list = times.get(detector.name);
      if (list) list.push(elapsed);
      else times.set(detector.name, [elapsed]);
      const hit = faces.some((f) => boxIou(f.box, shot.face) >= 0.3);
      const key = `${detector.name}@${shot.share}`;
      if (hit) found.set(key, (found.get(key) ?? 0) + 1);
      const strays = faces.filter((f) => shot.allFaces.every((a) => boxIou(f.box, a) < 0.3)).length;
      falsePositives.set(detector.name, (falsePositives.get(detector.name) ?? 0) + strays);
    }
  }
  const frames = [...total.values()].reduce((a, b) => a + b, 0);
  console.log(`Face detector recall at webcam distance: ${DEMO_FACES.length} faces, ${frames} frames of 640x480`);
  console.log(['detector', ...FACE_SHARES.map((s) => `face ${Math.round(s * 100)}%`), 'all', 'false positives', 'median ms'].join('\t'));
  for (const detector of detectors) {
    const name = detector.name;
    const cells = FACE_SHARES.map((s) => `${found.get(`${name}@${s}`) ?? 0}/${total.get(s) ?? 0}`);
    const hits = FACE_SHARES.reduce((a, s) => a + (found.get(`${name}@${s}`) ?? 0), 0);
    const median = percentile(
      [...(times.get(name) ?? [])].sort((a, b) => a - b),
      50,
    );
    console.log(
      [name, ...cells, `${((100 * hits) / frames).toFixed(1)}%`, String(falsePositives.get(name) ?? 0), median.toFixed(1)].join('\t'),
    );
    await detector.dispose();
  }
}

await main();
