/**
 * `npm run bench:cpu`: the CPU that reading a still face costs in steady state, in browser mode with
 * Chromium and a fake webcam of a real face (sample1 of the face-api demo photos), over 60 s each:
 * the adaptive frame rate, the same with the low-power expression model chosen, the fixed 10 frames a
 * second that came before it (`?frame-rate=fixed`), and the camera resting (the window hidden: the preview still plays, no frame is read).
 *
 * What is counted, from each process's CPU time (all its threads):
 * - the page's renderer process, from Chromium's own process list (CDP SystemInfo.getProcessInfo);
 * - the backend: this Node process (process.cpuUsage), which holds the web server, the WebSocket
 *   bridge and the vision worker thread with onnxruntime's threads, plus this script (idle while it
 *   measures).
 * The cost of frame sending is each one above its level with the camera resting: what the camera
 * preview and an idle backend cost goes on whatever the frame rate, so it is printed but not counted.
 * Chromium's other processes (the fake camera's capture, the compositor) are printed for reference.
 * Prints numbers; asserts nothing. The goal is under 3% of one core.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import sharp from 'sharp';
import { BackendProcess } from './backendClient.js';
import { CHROMIUM_PATH, launchChromium } from './chromium.js';
import { cutWebcamFrame, DEMO_FACES } from './faceApiDemo.js';
import { stillsToY4m } from './fakeWebcam.js';

const SECONDS = Number(process.env.EMOTUNE_BENCH_CPU_SECONDS ?? 60);
/** After the face is read: long enough for the adaptive rate to have dropped (2 s of stillness) and the page to be quiet. */
const SETTLE_SECONDS = Number(process.env.EMOTUNE_BENCH_CPU_SETTLE_SECONDS ?? 8);
const GOAL_PERCENT = 3;

/** `low-power` is `adaptive` with the low-power expression model chosen in the settings. */
type Phase = 'adaptive' | 'low-power' | 'fixed' | 'resting';

interface Measured {
  phase: Phase;
  framesPerSecond: number;
  /** Percent of one core over the window. */
  renderer: number;
  /** The renderer's main thread busy with tasks (scripts, style, layout, paint), from CDP Performance metrics. */
  rendererMainThread: number;
  backend: number;
  otherChromium: number;
  stable: string | null;
  /** The frames read, by picture format. */
  formats: string;
}

/** The page's globals, typed for the functions that run there (this file is built without the DOM library). */
interface PageGlobals {
  document: { dispatchEvent(event: unknown): boolean };
  Event: new (type: string) => unknown;
  performance: { getEntriesByName(name: string): { detail?: { format?: string } }[] };
}

interface ProcessInfo {
  type: string;
  id: number;
  cpuTime: number;
}

/** CPU seconds so far of Chromium's renderers and of its other processes. */
async function chromiumCpu(cdp: CDPSession): Promise<{ renderer: number; other: number }> {
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: ProcessInfo[] };
  let renderer = 0;
  let other = 0;
  for (const p of processInfo) {
    if (p.type === 'renderer') renderer += p.cpuTime;
    else other += p.cpuTime;
  }
  return { renderer, other };
}

async function mainThreadSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
}

const framesSent = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as PageGlobals).performance.getEntriesByName('emotune:frame-send').length);

/** How the page read its frames ('i420' from the camera's planes, 'rgba' through a canvas), counted. */
const frameFormats = (page: Page) =>
  page.evaluate(() => {
    const counts: Record<string, number> = {};
    for (const entry of (globalThis as unknown as PageGlobals).performance.getEntriesByName('emotune:frame-send')) {
      const format = entry.detail?.format ?? 'unknown';
      counts[format] = (counts[format] ?? 0) + 1;
    }
    return Object.entries(counts)
      .map(([format, n]) => `${n} ${format}`)
      .join(', ');
  });

const stableState = (page: Page) => page.getByTestId('stable-expression').getAttribute('data-state');

async function measure(
  browser: Browser,
  browserCdp: CDPSession,
  backend: BackendProcess,
  openUrl: string,
  phase: Phase,
): Promise<Measured> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(phase === 'fixed' ? `${openUrl}&frame-rate=fixed` : openUrl);
    const deadline = Date.now() + 60_000;
    let stable = await stableState(page);
    while (!stable || stable === 'no-face' || stable === 'uncertain') {
      if (Date.now() > deadline) throw new Error(`the face was not read (the stable state is ${stable})`);
      await page.waitForTimeout(250);
      stable = await stableState(page);
    }
    if (phase === 'resting') {
      // As a minimised window: the page reads its visibility as hidden (the preview is still drawn, so
      // this baseline holds everything the camera costs apart from reading frames).
      await page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals;
        Object.defineProperty(g.document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        g.document.dispatchEvent(new g.Event('visibilitychange'));
      });
      await page.getByTestId('camera-resting').waitFor();
    }
    await page.waitForTimeout(SETTLE_SECONDS * 1000);
    const pageCdp = await page.context().newCDPSession(page);
    await pageCdp.send('Performance.enable');

    const frames0 = await framesSent(page);
    const chromium0 = await chromiumCpu(browserCdp);
    const main0 = await mainThreadSeconds(pageCdp);
    const backend0 = await backend.cpuSeconds();
    const t0 = performance.now();
    await page.waitForTimeout(SECONDS * 1000);
    const backendSeconds = (await backend.cpuSeconds()) - backend0;
    const wall = (performance.now() - t0) / 1000;
    const main = (await mainThreadSeconds(pageCdp)) - main0;
    const chromium1 = await chromiumCpu(browserCdp);
    const frames = (await framesSent(page)) - frames0;
    const percent = (cpuSeconds: number) => (100 * cpuSeconds) / wall;
    return {
      phase,
      framesPerSecond: frames / wall,
      renderer: percent(chromium1.renderer - chromium0.renderer),
      rendererMainThread: percent(main),
      backend: percent(backendSeconds),
      otherChromium: percent(chromium1.other - chromium0.other),
      stable: await stableState(page),
      formats: await frameFormats(page),
    };
  } finally {
    await page.close();
  }
}

async function stillFaceClip(dir: string): Promise<string> {
  const shot = (await cutWebcamFrame(DEMO_FACES[1]!, 0.3))!;
  const face = join(dir, 'face.png');
  await sharp(Buffer.from(shot.image.data), { raw: { width: 640, height: 480, channels: 4 } })
    .png()
    .toFile(face);
  const video = join(dir, 'still-face.y4m');
  await stillsToY4m([{ path: face, seconds: 2 }], video);
  return video;
}

const pct = (x: number) => `${x.toFixed(1)}%`;

async function run(): Promise<void> {
  const [one, five, fifteen] = loadavg().map((x) => x.toFixed(2));
  console.log(`Steady-state CPU of reading a still face, browser mode, ${SECONDS} s per run`);
  console.log(
    `load average ${one} ${five} ${fifteen} on ${cpus().length} cores before the runs (a shared machine: other work counts against nothing here, but slows it)`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'emotune-cpu-bench-'));
  try {
    const video = await stillFaceClip(dir);
    // No music: audio decoding would add to the renderer whatever the frame rate.
    const { backend, openUrl } = await BackendProcess.start(join(dir, 'data'));
    const browser = await launchChromium({ fakeVideo: video });
    try {
      const browserCdp = await browser.newBrowserCDPSession();
      const results: Record<Phase, Measured> = {} as Record<Phase, Measured>;
      for (const phase of ['adaptive', 'low-power', 'fixed', 'resting'] as const) {
        await backend.useModel(phase === 'low-power' ? 'low-power' : 'standard');
        const m = await measure(browser, browserCdp, backend, openUrl, phase);
        results[phase] = m;
        console.log(
          `${phase.padEnd(9)}  ${m.framesPerSecond.toFixed(2)} frames/s  renderer ${pct(m.renderer)} (main thread ${pct(m.rendererMainThread)})` +
            `  backend ${pct(m.backend)}  other Chromium processes ${pct(m.otherChromium)}  ${m.phase === 'resting' ? 'nothing read' : `stable state ${m.stable}, frames read as ${m.formats}`}`,
        );
      }
      const rest = results.resting;
      const cost = (m: Measured) => Math.max(0, m.renderer - rest.renderer) + Math.max(0, m.backend - rest.backend);
      for (const phase of ['adaptive', 'low-power', 'fixed'] as const) {
        const m = results[phase];
        // Percent of a core is ms of CPU per second: divided by frames per second, ms per frame.
        const perFrame = (x: number) => (m.framesPerSecond > 0 ? (10 * x) / m.framesPerSecond : NaN).toFixed(1);
        console.log(
          `${phase.padEnd(9)}  per frame: renderer ${perFrame(m.renderer - rest.renderer)} ms, backend ${perFrame(m.backend - rest.backend)} ms of CPU`,
        );
      }
      const adaptive = cost(results.adaptive);
      const lowPower = cost(results['low-power']);
      const fixed = cost(results.fixed);
      console.log(
        `counted: the renderer process and the backend process (vision worker included) above their level with the camera resting` +
          ` (renderer ${pct(rest.renderer)}, backend ${pct(rest.backend)})`,
      );
      console.log(
        `steady-state CPU: ${pct(adaptive)} of one core at ${results.adaptive.framesPerSecond.toFixed(1)} frames/s` +
          ` (fixed 10 fps: ${pct(fixed)} at ${results.fixed.framesPerSecond.toFixed(1)} frames/s)` +
          `${adaptive < GOAL_PERCENT ? '' : `  (over the goal of ${GOAL_PERCENT}%)`}`,
      );
      console.log(
        `steady-state CPU with the low-power model: ${pct(lowPower)} of one core at ${results['low-power'].framesPerSecond.toFixed(1)} frames/s` +
          `${lowPower < GOAL_PERCENT ? '' : `  (over the goal of ${GOAL_PERCENT}%)`}`,
      );
      const [a1, a5, a15] = loadavg().map((x) => x.toFixed(2));
      console.log(`load average ${a1} ${a5} ${a15} after the runs`);
    } finally {
      await browser.close();
      await backend.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync(CHROMIUM_PATH)) console.log(`skipped: no Chromium at ${CHROMIUM_PATH}`);
else await run();
