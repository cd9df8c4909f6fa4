/**
 * Expression pipeline latency on the CPU: detection + classification per frame, the classifier
 * alone (batch 1), and the same frames through @vladmandic/face-api (tfjs wasm, TinyFaceDetector
 * + FaceExpressionNet) for the ratio. Prints numbers; asserts nothing.
 */
import { DEFAULT_DETECTOR_CARDS, DEFAULT_EXPRESSION_CARD } from '../backend.js';
import { ExpressionClassifier } from '../vision/expressionClassifier.js';
import { VisionEngine } from '../vision/visionEngine.js';
import { percentile } from './boxMath.js';
import { FaceApiBaseline } from './faceApiBaseline.js';
import { cutWebcamFrame, DEMO_FACES, type WebcamShot } from './faceApiDemo.js';

const ROUNDS = Number(process.env.EMOTUNE_BENCH_ROUNDS ?? 10);

function stats(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `median ${percentile(sorted, 50).toFixed(2)} ms\tp95 ${percentile(sorted, 95).toFixed(2)} ms`;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function runExpressionBench(): Promise<void> {
  const frames = (await Promise.all(DEMO_FACES.map((f) => cutWebcamFrame(f, 0.3)))).filter((s): s is WebcamShot => s !== null);
  console.log(`\nExpression pipeline, ${frames.length} webcam-framed 640x480 frames of real faces x ${ROUNDS} rounds, CPU`);

  const engine = await VisionEngine.load({ detectorCards: DEFAULT_DETECTOR_CARDS, expressionCard: DEFAULT_EXPRESSION_CARD });
  if ('error' in engine.info.expression) {
    console.log(engine.info.expression.error);
    return;
  }
  const classifier = await ExpressionClassifier.load(DEFAULT_EXPRESSION_CARD);
  const ours: number[] = [];
  const classifierOnly: number[] = [];
  const classifierWithCrop: number[] = [];
  let ourFaces = 0;
  const tensors: Float32Array[] = [];
  for (const frame of frames) {
    const { faces, mainFace } = await engine.analyse(frame.image);
    if (mainFace !== null) tensors.push(classifier.preprocess(frame.image, faces[mainFace]!));
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, frame] of frames.entries()) {
      let found = 0;
      ours.push(await time(async () => (found = (await engine.analyse(frame.image)).faces.length)));
      if (round === 0) ourFaces += found;
      const tensor = tensors[i % tensors.length]!;
      classifierOnly.push(await time(() => classifier.classifyTensor(tensor)));
    }
    for (const frame of frames) {
      const { faces, mainFace } = await engine.analyse(frame.image);
      if (mainFace !== null) classifierWithCrop.push(await time(() => classifier.classify(frame.image, faces[mainFace]!)));
    }
  }
  console.log(
    `ours: ${engine.info.detector.model} + ${classifier.card.name} (${engine.info.expression.executionProvider})\t${stats(ours)}\tfaces found ${ourFaces}/${frames.length}`,
  );
  console.log(`classifier alone, batch 1 (${classifier.card.input.size} px)\t${stats(classifierOnly)}`);
  console.log(`classifier with crop, alignment and normalisation\t${stats(classifierWithCrop)}`);
  await classifier.dispose();
  await engine.dispose();

  const baseline = await FaceApiBaseline.load();
  const theirs: number[] = [];
  let theirFaces = 0;
  await baseline.analyse(frames[0]!.image);
  for (let round = 0; round < Math.max(1, Math.round(ROUNDS / 2)); round++) {
    for (const frame of frames) {
      let found = 0;
      theirs.push(await time(async () => (found = (await baseline.analyse(frame.image)).length)));
      if (round === 0) theirFaces += found;
    }
  }
  console.log(
    `face-api 1.7.15: TinyFaceDetector 416 + FaceExpressionNet (tfjs wasm)\t${stats(theirs)}\tfaces found ${theirFaces}/${frames.length}`,
  );
  const ratio =
    percentile(
      [...theirs].sort((a, b) => a - b),
      50,
    ) /
    percentile(
      [...ours].sort((a, b) => a - b),
      50,
    );
  console.log(`speed-up of ours over face-api (median per frame)\t${ratio.toFixed(1)}x`);
}
