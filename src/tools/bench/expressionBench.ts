/**
 * Expression pipeline latency on the CPU, for each shipped model (standard, low power): detection +
 * classification per frame, and the classifier alone (batch 1); the same frames through
 * @vladmandic/face-api (tfjs wasm, TinyFaceDetector + FaceExpressionNet) for the ratio; a table of the
 * shipped models with their cards' accuracy beside this run's latency; then the standard network at
 * each candidate input size, against the same face-api run. Prints numbers; asserts nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { EXPRESSION_CARDS } from '../../main/appPaths.js';
import { DEFAULT_DETECTOR_CARDS, DEFAULT_EXPRESSION_CARD } from '../../main/backend.js';
import { describeExpressionModel } from '../../main/vision/expressionModels.js';
import type { ExpressionModelChoice } from '../../shared/vision.js';
import { ExpressionClassifier } from '../../main/vision/expressionClassifier.js';
import { VisionEngine } from '../../main/vision/visionEngine.js';
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

/** Input sizes worth shipping: the classifier alone and the whole pipeline are timed at each. */
const CANDIDATE_SIZES = [48, 64, 96, 112];

/**
 * A card identical to the shipped one but for its input size, beside it in a temporary folder: the
 * exported graph takes any H and W, so this times the same network at another size (the accuracy at
 * that size needs a model trained for it).
 */
async function cardAtSize(cardPath: string, size: number, dir: string): Promise<string> {
  const card = JSON.parse(await readFile(cardPath, 'utf8')) as { file: string; input: { size: number; shape: unknown[] } };
  card.file = resolve(dirname(cardPath), card.file);
  card.input = { ...card.input, size, shape: ['N', card.input.shape[1], size, size] };
  const path = join(dir, `at-${size}.json`);
  await writeFile(path, JSON.stringify(card));
  return path;
}

async function timePipeline(cardPath: string, frames: WebcamShot[]) {
  const engine = await VisionEngine.load({ detectorCards: DEFAULT_DETECTOR_CARDS, expressionCard: cardPath });
  if ('error' in engine.info.expression) {
    const { error } = engine.info.expression;
    await engine.dispose();
    return { error };
  }
  const classifier = await ExpressionClassifier.load(cardPath);
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
  const result = { engine: engine.info, classifier: classifier.card, ours, classifierOnly, classifierWithCrop, ourFaces };
  await classifier.dispose();
  await engine.dispose();
  return result;
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

export async function runExpressionBench(): Promise<void> {
  const frames = (await Promise.all(DEMO_FACES.map((f) => cutWebcamFrame(f, 0.3)))).filter((s): s is WebcamShot => s !== null);
  console.log(`\nExpression pipeline, ${frames.length} webcam-framed 640x480 frames of real faces x ${ROUNDS} rounds, CPU`);

  // Every shipped model, timed on the same frames in this run; accuracy comes from each one's card.
  const shipped = [];
  for (const [choice, cardPath] of Object.entries(EXPRESSION_CARDS) as [ExpressionModelChoice, string][]) {
    const run = await timePipeline(cardPath, frames);
    if ('error' in run) {
      console.log(`${choice} model\tcannot run: ${run.error}`);
      continue;
    }
    shipped.push({ option: await describeExpressionModel(choice, cardPath), run });
  }
  const standard = shipped.find((s) => s.option.choice === 'standard')?.run;
  if (!standard) return;
  const { engine } = standard;
  if ('error' in engine.expression) return;
  for (const { option, run } of shipped) {
    console.log(
      `${option.choice}: ${engine.detector.model} + ${run.classifier.name} (${engine.expression.executionProvider})\t${stats(run.ours)}\tfaces found ${run.ourFaces}/${frames.length}`,
    );
    console.log(`  classifier alone, batch 1 (${run.classifier.input.size} px)\t${stats(run.classifierOnly)}`);
    console.log(`  classifier with crop, alignment and normalisation\t${stats(run.classifierWithCrop)}`);
  }

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
  console.log(`speed-up of ours over face-api (median per frame)\t${(median(theirs) / median(standard.ours)).toFixed(1)}x`);

  console.log('\nThe shipped models side by side: accuracy from their cards, latency from this run');
  console.log(
    'model\tinput\tFERPlus test\tposed val balanced (model alone)\tclassifier alone (median)\twhole pipeline (median)\tvs face-api',
  );
  const share = (x: number | null) => (x === null ? 'not measured' : `${(x * 100).toFixed(2)}%`);
  for (const { option, run } of shipped) {
    console.log(
      [
        `${option.choice} (${option.model} ${option.version ?? ''})`.trim(),
        `${run.classifier.input.size} px`,
        share(option.ferplusTest),
        share(option.posedBalanced),
        `${median(run.classifierOnly).toFixed(3)} ms`,
        `${median(run.ours).toFixed(2)} ms`,
        `${(median(theirs) / median(run.ours)).toFixed(1)}x faster`,
      ].join('\t'),
    );
  }

  console.log(`\nThe same network at each candidate input size (latency only), against face-api's median in this run`);
  const dir = await mkdtemp(join(tmpdir(), 'emotune-sizes-'));
  try {
    for (const size of CANDIDATE_SIZES) {
      const run = await timePipeline(await cardAtSize(DEFAULT_EXPRESSION_CARD, size, dir), frames);
      if ('error' in run) {
        console.log(`${size} px\tcannot run: ${run.error}`);
        continue;
      }
      console.log(
        `${size} px\tclassifier alone ${stats(run.classifierOnly)}\twhole pipeline ${stats(run.ours)}\t${(median(theirs) / median(run.ours)).toFixed(1)}x faster than face-api`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
