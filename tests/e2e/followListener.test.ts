/**
 * Following the listener in browser mode: a fake webcam shows the listener alone, then a second,
 * larger and more central face beside them, then the listener alone again (and loops). The main
 * face box must stay on the listener while the other face is in view, and the stable expression,
 * the one that picks the music, must never become the passer-by's.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CARDS, DEFAULT_EXPRESSION_CARD, PROJECT_ROOT } from '../../src/main/backend.js';
import { VisionEngine } from '../../src/main/vision/visionEngine.js';
import type { Expression } from '../../src/shared/expressions.js';
import type { Box } from '../../src/shared/vision.js';
import { iou, scaleBox } from '../fixtures/facePhotos.js';
import { FRAME_WIDTH, LISTENER, PASSER, placedBox, renderFaces, writeFacesPng } from '../fixtures/twoFaces.js';
import { launchChromium } from '../support/chromium.js';
import { stillsToY4m } from '../support/fakeWebcam.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';

const TMP = join(PROJECT_ROOT, 'tests', '.tmp');
const LISTENER_LOOKS: Expression = 'neutral';
const PASSER_LOOKS: Expression = 'happiness';
/** The renderer's frame width: the page's boxes are in these pixels. */
const SENT_WIDTH = 320;

/** What the page showed after each change: how many face boxes, where the main one was, the stable state. */
interface Shown {
  t: number;
  faces: number;
  main: Box | null;
  stable: string | null;
}

let app: RunningApp;
let browser: Browser;
/** The listener's face as the detector finds it in the frames the renderer sends. */
let listenerBox: Box;

beforeAll(async () => {
  mkdirSync(TMP, { recursive: true });
  const engine = await VisionEngine.load({ detectorCards: DEFAULT_DETECTOR_CARDS, expressionCard: DEFAULT_EXPRESSION_CARD });
  try {
    const k = SENT_WIDTH / FRAME_WIDTH;
    const alone = await engine.analyse(await renderFaces([LISTENER], SENT_WIDTH));
    expect(alone.faces).toHaveLength(1);
    expect(iou(alone.faces[0]!.box, scaleBox(placedBox(LISTENER), k))).toBeGreaterThan(0.5);
    expect(alone.expression?.top).toBe(LISTENER_LOOKS);
    listenerBox = alone.faces[0]!.box;
    // The premise: a frame read on its own takes the passer-by for the listener, and reads them as happy.
    const both = await engine.analyse(await renderFaces([LISTENER, PASSER], SENT_WIDTH));
    expect(both.faces).toHaveLength(2);
    expect(iou(both.faces[both.mainFace!]!.box, scaleBox(placedBox(PASSER), k))).toBeGreaterThan(0.5);
    expect(both.expression?.top).toBe(PASSER_LOOKS);
  } finally {
    await engine.dispose();
  }
  const alonePng = join(TMP, 'follow-listener-alone.png');
  const bothPng = join(TMP, 'follow-listener-both.png');
  await writeFacesPng([LISTENER], alonePng);
  await writeFacesPng([LISTENER, PASSER], bothPng);
  const video = join(TMP, 'follow-listener.y4m');
  // The listener alone first, long enough to be found before anyone else is; then the passer-by for
  // longer than the dwell time, so their expression would win if they were followed.
  await stillsToY4m(
    [
      { path: alonePng, seconds: 6 },
      { path: bothPng, seconds: 6 },
      { path: alonePng, seconds: 2 },
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

/** Records every change of the face boxes and the stable state, in page time. */
async function recordShown(page: Page): Promise<() => Promise<Shown[]>> {
  await page.evaluate(() => {
    const log: Shown[] = [];
    (window as unknown as { shownLog: Shown[] }).shownLog = log;
    const record = () => {
      const boxes = document.querySelectorAll<SVGRectElement>('[data-testid="face-box"]');
      const main = document.querySelector<SVGRectElement>('[data-testid="face-box"].main');
      const attr = (name: string) => Number(main!.getAttribute(name));
      log.push({
        t: performance.now(),
        faces: boxes.length,
        main: main && { x: attr('x'), y: attr('y'), width: attr('width'), height: attr('height') },
        stable: document.querySelector<HTMLElement>('[data-testid="stable-expression"]')?.dataset.state ?? null,
      });
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['x', 'y', 'width', 'height', 'class', 'data-state'],
    });
  });
  return () => page.evaluate(() => (window as unknown as { shownLog: Shown[] }).shownLog);
}

describe('a second face walking past', () => {
  it('never takes over from the listener', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
    await page.goto(app.url);
    const shown = await recordShown(page);
    const stable = page.getByTestId('stable-expression');
    await expect.poll(() => stable.getAttribute('data-state'), { timeout: 60_000 }).toBe(LISTENER_LOOKS);
    const since = await page.evaluate(() => performance.now());
    // Until the passer-by has come and gone at least once after the listener's expression settled.
    await expect
      .poll(
        async () => {
          const log = (await shown()).filter((s) => s.t >= since);
          const came = log.findIndex((s) => s.faces === 2);
          return came >= 0 && log.slice(came).some((s) => s.faces === 1);
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(true);
    const log = (await shown()).filter((s) => s.t >= since);
    const together = log.filter((s) => s.faces === 2);
    expect(together.length).toBeGreaterThan(0);
    // With both in view the main box is the listener's whenever there is one, and it is there most of the time.
    const mains = together.flatMap((s) => (s.main ? [s.main] : []));
    expect(mains.length).toBeGreaterThan(together.length / 2);
    for (const main of mains) expect(iou(main, listenerBox)).toBeGreaterThan(0.5);
    // The music's expression stayed the listener's throughout.
    expect(new Set(log.map((s) => s.stable))).toEqual(new Set([LISTENER_LOOKS]));
    expect(await stable.getAttribute('data-state')).toBe(LISTENER_LOOKS);
    await page.close();
  });
});
