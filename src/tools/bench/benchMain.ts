/**
 * `npm run bench`: face-detection latency on a real 640x480 webcam-framed photo, with
 * pre-processing (resize, letterbox, normalise) and post-processing (decode, NMS) included,
 * for each shipped detector. Prints numbers; asserts nothing.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR } from '../../main/backend.js';
import { FaceDetector } from '../../main/vision/faceDetector.js';
import type { RgbaImage } from '../../main/vision/rgbaImage.js';
import { percentile } from './boxMath.js';
import { runBurstBench } from './burstBench.js';
import { runExpressionBench } from './expressionBench.js';
import { runLoopBench } from './loopBench.js';
import { cutWebcamFrame, DEMO_FACES } from './faceApiDemo.js';
import { runScanBench } from './scanBench.js';

const WARMUP = 20;
const ITERATIONS = 300;

async function webcamFrame(): Promise<RgbaImage> {
  // sample1, the woman on the right, her face a third of the frame.
  return (await cutWebcamFrame(DEMO_FACES[1]!, 0.3))!.image;
}

async function benchDetector(card: string, frame: RgbaImage): Promise<void> {
  const detector = await FaceDetector.load(card);
  for (let i = 0; i < WARMUP; i++) await detector.detect(frame);
  const times: number[] = [];
  let faces = 0;
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    faces = (await detector.detect(frame)).length;
    times.push(performance.now() - t0);
  }
  const wall = performance.now() - started;
  times.sort((a, b) => a - b);
  console.log(
    `${detector.card.name}\tmedian ${percentile(times, 50).toFixed(2)} ms\tp95 ${percentile(times, 95).toFixed(2)} ms\t${((1000 * ITERATIONS) / wall).toFixed(1)} frames/s\tfaces ${faces}`,
  );
  await detector.dispose();
}

const frame = await webcamFrame();
console.log(
  `Face detection, 640x480 frame, ${ITERATIONS} runs after ${WARMUP} warm-up, CPU (${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores), onnxruntime-node with 1 intra-op thread`,
);
for (const name of ['blazeface-front-128', 'blazeface-back-256']) await benchDetector(join(MODELS_DIR, `${name}.json`), frame);

await runExpressionBench();
await runLoopBench();
await runScanBench();
await runBurstBench();
