/**
 * The exported model in onnxruntime-node agrees with PyTorch and Python's onnxruntime on the
 * fixture inputs that `python -m training.export --fixtures` made (synthetic, no dataset pixels).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPRESSION_CARDS } from '../../../src/main/appPaths.js';
import { MODELS_DIR, PROJECT_ROOT } from '../../../src/main/backend.js';
import { ExpressionClassifier } from '../../../src/main/vision/expressionClassifier.js';
import { loadOnnxModel } from '../../../src/main/vision/onnxRuntime.js';

interface ParityFixtures {
  model: string;
  input_shape: number[];
  inputs: number[][];
  logits_onnxruntime: number[][];
  logits_torch: number[][];
  top_class: number[];
}

interface Card {
  name: string;
  file: string;
  input: { name: string };
  output: { name: string };
}

// Each shipped model (standard, low power) has its fixtures, named after its card.
describe.each(Object.values(EXPRESSION_CARDS))('A-MobileNet parity across runtimes: %s', (cardPath) => {
  const card = JSON.parse(readFileSync(cardPath, 'utf8')) as Card;
  const fixtures = JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'training', 'fixtures', `${card.name}-parity.json`), 'utf8'),
  ) as ParityFixtures;

  it('gives the same logits and top class as PyTorch, within 1e-4', async () => {
    expect(fixtures.model).toBe(card.file);
    const [, c, h, w] = fixtures.input_shape as [number, number, number, number];
    const model = await loadOnnxModel(
      join(MODELS_DIR, card.file),
      { name: card.input.name, dims: [-1, c, h, w] },
      [card.output.name],
      ['cpu'],
    );
    for (const [i, input] of fixtures.inputs.entries()) {
      const logits = (
        await model.run({ name: card.input.name, data: Float32Array.from(input), dims: [1, c, h, w] }, [card.output.name])
      ).get(card.output.name)!;
      const diff = Math.max(...Array.from(logits, (l, k) => Math.abs(l - fixtures.logits_torch[i]![k]!)));
      expect(diff).toBeLessThan(1e-4);
      expect(logits.indexOf(Math.max(...logits))).toBe(fixtures.top_class[i]);
    }
    await model.dispose();
  });

  it('names the same top class through the app’s classifier', async () => {
    const classifier = await ExpressionClassifier.load(cardPath);
    for (const [i, input] of fixtures.inputs.entries()) {
      const result = await classifier.classifyTensor(Float32Array.from(input));
      expect(result.top).toBe(classifier.card.classes[fixtures.top_class[i]!]);
    }
    await classifier.dispose();
  });
});
