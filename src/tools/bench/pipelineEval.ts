/**
 * `npm run bench:pipeline`: Emotune's whole pipeline (detection, crop, alignment, classification) on
 * labelled faces, beside @vladmandic/face-api (SSD MobileNetV1 + FaceExpressionNet) on the same images:
 * accuracy, balanced accuracy, per-class recall and how often a face that is not neutral is called
 * neutral. `--set posed` (default): the photographs of the posed set's val split (`POSED_DIR`);
 * `--set ferplus`: the FERPlus test faces (`FERPLUS_DIR`) framed as a webcam shows them, and the
 * de-duplicated test subset (face-api only with `--face-api`, it takes minutes). Prints a table,
 * writes JSON with `--out`; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DETECTOR_CARDS, DEFAULT_EXPRESSION_CARD } from '../../main/backend.js';
import { EXPRESSIONS, type Expression } from '../../shared/expressions.js';
import { readImageFile } from '../../main/vision/imageFile.js';
import type { RgbaImage } from '../../main/vision/rgbaImage.js';
import { VisionEngine } from '../../main/vision/visionEngine.js';
import { FaceApiBaseline } from './faceApiBaseline.js';
import { ferplusFrame, readFerplusPixels, readFerplusRows } from './ferplusFrames.js';
import { readPosedSplit, report, table, type PosedRow, type SystemReport } from './posedEval.js';

interface Sample {
  label: Expression;
  load(): Promise<RgbaImage>;
  /** Part of a named subset too (the de-duplicated FERPlus test). */
  subsets: string[];
}

function posedSamples(root: string, rows: PosedRow[]): Sample[] {
  return rows.map((row) => ({ label: row.label, load: () => readImageFile(join(root, row.file)), subsets: [] }));
}

function ferplusSamples(root: string): Sample[] {
  const rows = readFerplusRows(root);
  const all = readFileSync(join(root, 'images.u8'));
  const inTrain = new Set(rows.filter((r) => r.split === 'train').map((r) => r.pixelSha1));
  return rows
    .filter((r) => r.split === 'test')
    .map((r) => ({
      label: r.label,
      load: () => ferplusFrame(readFerplusPixels(root, r.index, all)),
      subsets: inTrain.has(r.pixelSha1) ? [] : ['test_dedup'],
    }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      set: { type: 'string', default: 'posed' },
      data: { type: 'string' },
      split: { type: 'string', default: 'val' },
      model: { type: 'string', default: DEFAULT_EXPRESSION_CARD },
      'face-api': { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const posed = values.set === 'posed';
  if (!posed && values.set !== 'ferplus') throw new Error(`--set ${values.set}: choose posed or ferplus`);
  const data = values.data ?? (posed ? process.env.POSED_DIR : process.env.FERPLUS_DIR);
  if (!data) throw new Error(`give --data <folder> or set ${posed ? 'POSED_DIR' : 'FERPLUS_DIR'}`);
  const root = resolve(data);
  const samples = posed ? posedSamples(root, await readPosedSplit(root, values.split)) : ferplusSamples(root);
  const split = posed ? values.split : 'test';
  const classes = EXPRESSIONS.filter((c) => samples.some((r) => r.label === c));
  const engine = await VisionEngine.load({ detectorCards: DEFAULT_DETECTOR_CARDS, expressionCard: resolve(values.model) });
  if ('error' in engine.info.expression) throw new Error(engine.info.expression.error);
  const faceApi = posed || values['face-api'] ? await FaceApiBaseline.load('ssd-mobilenetv1') : null;
  const ours: (Expression | null)[] = [];
  const theirs: (Expression | null)[] = [];
  for (const sample of samples) {
    const image = await sample.load();
    ours.push((await engine.analyse(image)).expression?.top ?? null);
    if (faceApi) theirs.push(await faceApi.mainExpression(image));
  }
  const model = engine.info.expression.model;
  await engine.dispose();
  const systems: [string, (Expression | null)[]][] = [[`Emotune (${model}, whole pipeline)`, ours]];
  if (faceApi) systems.push(['face-api 1.7.15 (SSD MobileNetV1 + FaceExpressionNet)', theirs]);
  const subsets: Record<string, SystemReport[]> = {};
  for (const subset of [split, ...new Set(samples.flatMap((s) => s.subsets))]) {
    const keep = samples.map((s) => subset === split || s.subsets.includes(subset));
    const pick = <T>(xs: T[]) => xs.filter((_, i) => keep[i]);
    const truth = pick(samples.map((s) => s.label));
    subsets[subset] = systems.map(([name, predicted]) => report(name, classes, truth, pick(predicted)));
    console.log(`\n${posed ? 'Posed set' : 'FERPlus'}, ${subset}: ${truth.length} images (${root})\n`);
    console.log(table(subsets[subset], classes));
  }
  if (values.out) {
    const out = resolve(values.out);
    const body = { set: values.set, split, images: samples.length, classes, model: resolve(values.model), subsets };
    await writeFile(`${out}.tmp`, `${JSON.stringify(body, null, 1)}\n`);
    await rename(`${out}.tmp`, out);
    console.log(`\nwrote ${out}`);
  }
}

await main();
