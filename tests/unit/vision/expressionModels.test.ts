/**
 * Choosing the expression model, with the real backend and worker: the choice is applied from the
 * next frame, kept across runs, and a model that cannot be loaded leaves the one before in use, in words.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEventName, ApiEvents } from '../../../src/shared/api.js';
import type { ExpressionModelChoice, ExpressionModels } from '../../../src/shared/vision.js';
import { EXPRESSION_CARDS } from '../../../src/main/appPaths.js';
import { Backend, DEFAULT_EXPRESSION_CARD } from '../../../src/main/backend.js';
import { describeExpressionModel } from '../../../src/main/vision/expressionModels.js';
import { SMILING_TILTED, renderShot } from '../../fixtures/facePhotos.js';

const backends: Backend[] = [];
afterEach(async () => {
  for (const b of backends.splice(0)) await b.dispose();
});

/** A second model for the test: the standard one under another name, its ONNX file where it is. */
function copyOfStandard(dir: string, name: string): string {
  const card = JSON.parse(readFileSync(DEFAULT_EXPRESSION_CARD, 'utf8')) as { name: string; file: string };
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ ...card, name, file: resolve(dirname(DEFAULT_EXPRESSION_CARD), card.file) }));
  return path;
}

async function start(dataDir: string, cards: Record<ExpressionModelChoice, string>) {
  const backend = await Backend.create('web', { dataDir, demoLibrary: false, watchFolders: false, expressionCards: cards });
  backends.push(backend);
  const events: { event: ApiEventName; payload: unknown }[] = [];
  const session = backend.openSession((event, payload) => events.push({ event, payload }));
  const call = <E extends keyof typeof session.handlers>(method: E, params: Parameters<(typeof session.handlers)[E]>[0]) =>
    Promise.resolve((session.handlers[method] as (p: typeof params) => unknown)(params));
  return { backend, events, call };
}

describe('expression model choice', () => {
  it('switches model for the next frame, keeps the choice across runs, and refuses a broken model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emotune-models-'));
    const cards = { standard: DEFAULT_EXPRESSION_CARD, 'low-power': copyOfStandard(dir, 'test-low-power') };
    const dataDir = join(dir, 'data');
    const app = await start(dataDir, cards);
    const models = (await app.call('vision.models', {})) as ExpressionModels;
    expect(models.current).toBe('standard');
    expect(models.options.map((o) => o.model)).toEqual(['a-mobilenet-ferplus', 'test-low-power']);

    await app.call('vision.setModel', { model: 'low-power' });
    expect(app.backend.appInfo().expression).toMatchObject({ model: 'test-low-power' });
    const frame = await renderShot(SMILING_TILTED, 320);
    await app.call('vision.submitFrame', {
      frameId: 1,
      width: frame.width,
      height: frame.height,
      format: 'rgba',
      rgba: new Uint8Array(frame.data),
    });
    await expect.poll(() => app.events.find((e) => e.event === 'vision.faces'), { timeout: 10_000 }).toBeTruthy();
    const faces = app.events.find((e) => e.event === 'vision.faces')!.payload as ApiEvents['vision.faces'];
    expect(faces.expression?.top).toBe('happiness');
    await app.backend.dispose();
    backends.length = 0;

    // The next run starts with the model chosen.
    const again = await start(dataDir, cards);
    expect(again.backend.appInfo().expression).toMatchObject({ model: 'test-low-power' });

    // A model file that went bad: the switch fails in words and the model in use stays.
    writeFileSync(cards['low-power'], '{ not json');
    await again.call('vision.setModel', { model: 'standard' });
    await expect(again.call('vision.setModel', { model: 'low-power' })).rejects.toThrow(
      /The low-power model could not be loaded, so the standard model is still in use: .*cannot read model card/,
    );
    expect(again.backend.appInfo().expression).toMatchObject({ model: 'a-mobilenet-ferplus' });
    const listed = await again.backend.vision.expressionModels();
    expect(listed.current).toBe('standard');
    expect(listed.options[1]!.problem).toMatch(/cannot read model card/);
  });

  it('starts with the standard model, and says why, when the stored choice can no longer be loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emotune-models-'));
    const cards = { standard: DEFAULT_EXPRESSION_CARD, 'low-power': copyOfStandard(dir, 'test-low-power') };
    const dataDir = join(dir, 'data');
    const first = await start(dataDir, cards);
    await first.call('vision.setModel', { model: 'low-power' });
    await first.backend.dispose();
    backends.length = 0;

    writeFileSync(join(dir, 'test-low-power.json'), JSON.stringify({ name: 'test-low-power', file: 'missing.onnx' }));
    const next = await start(dataDir, cards);
    expect(next.backend.appInfo().expression).toMatchObject({ model: 'a-mobilenet-ferplus' });
    const models = await next.backend.vision.expressionModels();
    expect(models.current).toBe('standard');
    expect(models.problem).toMatch(/^The low-power model could not be loaded \(.+\), so Emotune uses the standard model\.$/);
  });

  it('describes each shipped model from its own card', async () => {
    for (const [choice, card] of Object.entries(EXPRESSION_CARDS) as [ExpressionModelChoice, string][]) {
      const option = await describeExpressionModel(choice, card);
      const raw = JSON.parse(readFileSync(card, 'utf8')) as { name: string; metrics: { test: { accuracy: number } } };
      expect(option).toMatchObject({ choice, model: raw.name, problem: null, ferplusTest: raw.metrics.test.accuracy });
    }
  });
});
