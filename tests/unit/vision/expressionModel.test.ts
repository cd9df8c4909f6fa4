/** The expression model through its card: loading, bad cards and files, and a degraded engine. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CARDS, DEFAULT_EXPRESSION_CARD, MODELS_DIR } from '../../../src/main/backend.js';
import { ExpressionClassifier } from '../../../src/main/vision/expressionClassifier.js';
import { VisionEngine } from '../../../src/main/vision/visionEngine.js';
import { EXPRESSIONS } from '../../../src/shared/expressions.js';
import { SMILING_TILTED, renderShot } from '../../fixtures/facePhotos.js';

const dir = mkdtempSync(join(tmpdir(), 'emotune-expr-'));
const card = JSON.parse(readFileSync(DEFAULT_EXPRESSION_CARD, 'utf8')) as Record<string, unknown> & {
  input: Record<string, unknown>;
  file: string;
};
copyFileSync(join(MODELS_DIR, card.file), join(dir, card.file));

function writeCard(name: string, patch: Record<string, unknown>): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ ...card, ...patch }));
  return path;
}

describe('the shipped expression model', () => {
  it('reads its classes, size and temperature from the card', async () => {
    const classifier = await ExpressionClassifier.load(DEFAULT_EXPRESSION_CARD);
    expect(classifier.card.classes).toEqual(card.classes);
    expect(classifier.card.input.size).toBe(card.input.size);
    const result = classifier.toResult(new Array<number>(classifier.card.classes.length).fill(0).map((_, i) => i));
    const total = Object.values(result.probabilities).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 6);
    expect(result.top).toBe(classifier.card.classes.at(-1));
    await classifier.dispose();
  });

  it('softens its probabilities by the calibrated temperature', async () => {
    const hot = await ExpressionClassifier.load(writeCard('hot', { temperature: 4 }));
    const cold = await ExpressionClassifier.load(writeCard('cold', { temperature: 0.5 }));
    const logits = [3, 1, 0, 0, 0, 0, 0, 0];
    expect(hot.toResult(logits).probabilities.neutral).toBeLessThan(cold.toResult(logits).probabilities.neutral);
    expect(cold.toResult(logits).probabilities.neutral).toBeCloseTo(Math.exp(6) / (Math.exp(6) + Math.exp(2) + 6), 6);
    await hot.dispose();
    await cold.dispose();
  });

  it('names the problem with a card that does not match the model', async () => {
    // The graph takes any H and W (so that npm run bench can time other sizes); its channels are fixed.
    const rgb = {
      input: { ...card.input, colour: 'rgb' },
      preprocessing: { ...(card.preprocessing as object), mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    };
    await expect(ExpressionClassifier.load(writeCard('colour', rgb))).rejects.toThrow(/the card says \[-1, 3, \d+, \d+\]/);
    await expect(ExpressionClassifier.load(writeCard('name', { input: { ...card.input, name: 'pixels' } }))).rejects.toThrow(
      /not "pixels"/,
    );
    await expect(ExpressionClassifier.load(writeCard('classes', { classes: ['joy'] }))).rejects.toThrow(/classes/);
  });

  it('says so when the model file is corrupt', async () => {
    writeFileSync(join(dir, 'corrupt.onnx'), Buffer.alloc(1000, 3));
    await expect(ExpressionClassifier.load(writeCard('corrupt', { file: 'corrupt.onnx' }))).rejects.toThrow(
      /cannot load model .*corrupt\.onnx/,
    );
  });
});

describe('VisionEngine without a usable expression model', () => {
  it('still finds faces, and says why expressions are off', async () => {
    const engine = await VisionEngine.load({ detectorCards: DEFAULT_DETECTOR_CARDS, expressionCard: join(dir, 'missing.json') });
    expect(engine.info.expression).toEqual({
      error: expect.stringMatching(/^expression recognition is off: cannot read model card .*missing\.json/) as unknown,
    });
    const analysis = await engine.analyse(await renderShot(SMILING_TILTED, 640));
    expect(analysis.faces).toHaveLength(1);
    expect(analysis.expression).toBeNull();
    await engine.dispose();
  });

  it('with the model, gives the main face every class', async () => {
    const engine = await VisionEngine.load({ detectorCards: DEFAULT_DETECTOR_CARDS, expressionCard: DEFAULT_EXPRESSION_CARD });
    const analysis = await engine.analyse(await renderShot(SMILING_TILTED, 640));
    expect(analysis.mainFace).toBe(0);
    expect(Object.keys(analysis.expression!.probabilities).sort()).toEqual([...EXPRESSIONS].sort());
    await engine.dispose();
  });

  it('gives the scores calibration shifts, and, when a stream asks, the face exactly as the model received it', async () => {
    const engine = await VisionEngine.load({ detectorCards: DEFAULT_DETECTOR_CARDS, expressionCard: DEFAULT_EXPRESSION_CARD });
    const classifier = await ExpressionClassifier.load(DEFAULT_EXPRESSION_CARD);
    const image = await renderShot(SMILING_TILTED, 640);
    const still = await engine.analyse(image);
    // log softmax(logits / T): the probabilities, in the card's class order.
    still.scores!.forEach((s, i) => expect(Math.exp(s)).toBeCloseTo(still.expression!.probabilities[classifier.card.classes[i]!], 9));
    expect(still.crop).toBeUndefined();
    const stream = await engine.analyse(image, { followed: null, at: 0, crop: true });
    const { size } = classifier.card.input;
    expect(stream.crop).toMatchObject({ width: size, height: size, channels: 1 });
    expect(stream.crop!.data).toHaveLength(size * size);
    // The bytes are the model's input with the normalisation undone.
    const input = classifier.preprocess(image, stream.faces[stream.mainFace!]!);
    const [mean, std] = [classifier.card.preprocessing.mean[0]!, classifier.card.preprocessing.std[0]!];
    expect(Array.from(stream.crop!.data.slice(0, 64))).toEqual(Array.from(input.slice(0, 64), (x) => Math.round((x * std + mean) * 255)));
    await classifier.dispose();
    await engine.dispose();
  });
});
