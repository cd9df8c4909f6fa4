/**
 * The stable expression in browser mode: a fake webcam shows one real face (FERPlus, read from
 * FERPLUS_DIR at test time) and then another with a different expression. The stable expression
 * shown must change only after the new one has held for the dwell time, and then it must change.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CARDS, DEFAULT_EXPRESSION_CARD, PROJECT_ROOT } from '../../src/main/backend.js';
import { VisionEngine } from '../../src/main/vision/visionEngine.js';
import type { Expression } from '../../src/shared/expressions.js';
import { launchChromium } from '../support/chromium.js';
import { stillsToY4m } from '../support/fakeWebcam.js';
import { FERPLUS_DIR, ferplusFrame, readFerplusPixels, readFerplusRows, writeRgbaPng } from '../support/ferplus.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';

const TMP = join(PROJECT_ROOT, 'tests', '.tmp');
const FIRST: Expression = 'happiness';
const SECOND: Expression = 'surprise';
const DWELL_MS = 1500;

/** A test-split face that the shipped pipeline reads as `label` with high confidence. */
async function pickFace(engine: VisionEngine, label: Expression): Promise<string> {
  const rows = readFerplusRows(FERPLUS_DIR!).filter((r) => r.split === 'test' && r.label === label);
  for (const row of rows) {
    const frame = await ferplusFrame(readFerplusPixels(FERPLUS_DIR!, row.index));
    const { expression } = await engine.analyse(frame);
    if (expression && expression.top === label && expression.probabilities[label] > 0.9) {
      const path = join(TMP, `ferplus-${label}.png`);
      await writeRgbaPng(frame, path);
      return path;
    }
  }
  throw new Error(`no FERPlus test face is read as ${label} with confidence`);
}

describe.skipIf(!FERPLUS_DIR)('stable expression with a changing face', () => {
  let app: RunningApp;
  let browser: Browser;
  let video: string;

  beforeAll(async () => {
    mkdirSync(TMP, { recursive: true });
    const engine = await VisionEngine.load({ detectorCards: DEFAULT_DETECTOR_CARDS, expressionCard: DEFAULT_EXPRESSION_CARD });
    const [first, second] = [await pickFace(engine, FIRST), await pickFace(engine, SECOND)];
    await engine.dispose();
    // 5 s of the first face, then 40 s of the second (the fake camera loops the file).
    video = join(TMP, 'expression-change.y4m');
    await stillsToY4m(
      [
        { path: first, seconds: 5 },
        { path: second, seconds: 40 },
      ],
      video,
    );
    app = await startWebApp();
    await app.backend.library.idle();
    browser = await launchChromium({ fakeVideo: video });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('changes after the dwell time, not before', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    // Record, in page time, each frame's top class and the stable state shown.
    await page.evaluate(() => {
      const log: { t: number; top: string | null; stable: string | null }[] = [];
      (window as unknown as { expressionLog: typeof log }).expressionLog = log;
      const observer = new MutationObserver(() => {
        const bars = [...document.querySelectorAll<HTMLElement>('[data-testid^="probability-"]')].filter(
          (b) => b.dataset.value !== undefined,
        );
        const top = bars.length ? bars.reduce((a, b) => (Number(b.dataset.value) > Number(a.dataset.value) ? b : a)) : null;
        const stable = document.querySelector<HTMLElement>('[data-testid="stable-expression"]')?.dataset.state ?? null;
        log.push({
          t: performance.now(),
          top: top && Number(top.dataset.value) > 0 ? top.dataset.testid!.replace('probability-', '') : null,
          stable,
        });
      });
      observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-value', 'data-state'] });
    });
    await expect.poll(() => page.getByTestId('stable-expression').getAttribute('data-state'), { timeout: 30_000 }).toBe(FIRST);
    await expect.poll(() => page.getByTestId('stable-expression').getAttribute('data-state'), { timeout: 30_000 }).toBe(SECOND);
    await page.screenshot({ path: join(TMP, 'expression-change.png') });
    const log = await page.evaluate(
      () => (window as unknown as { expressionLog: { t: number; top: string | null; stable: string | null }[] }).expressionLog,
    );
    const firstStable = log.find((e) => e.stable === FIRST)!;
    const secondSeen = log.find((e) => e.t > firstStable.t && e.top === SECOND)!;
    const secondStable = log.find((e) => e.stable === SECOND)!;
    expect(secondSeen).toBeDefined();
    // Not before: the new face had to hold for the dwell time (smoothing adds a little more).
    expect(secondStable.t - secondSeen.t).toBeGreaterThanOrEqual(DWELL_MS - 150);
    // And then it did change, well before the video looped back.
    expect(secondStable.t - secondSeen.t).toBeLessThan(DWELL_MS + 4000);
    // Between the two, the first expression stayed on screen: no flapping through other states.
    const between = log.filter((e) => e.t >= firstStable.t && e.t < secondStable.t).map((e) => e.stable);
    expect(new Set(between)).toEqual(new Set([FIRST]));
  });
});
