/**
 * `npm run bench:ui`: how the renderer copes with a big library, measured in Chromium (browser mode)
 * with performance marks: the first render of the Songs list, scrolling (20 Page Downs, the worst
 * frame), the whole list sorted again, select-all and a search, for 50,000 and for 3,000 generated
 * tracks. The tracks go straight into the LibraryStore of a temporary data folder (no audio files:
 * only the list is measured; uiBenchLibrary.ts, in a process of its own), which the backend then
 * opens afresh in another process, as at a start of the app. A start on this machine varies by half
 * its time from one to the next, so the app is started several times (EMOTUNE_BENCH_UI_STARTS, 5)
 * in fresh processes and the first render is given as a median and a range; the rest is measured
 * in the last start, once the app is warm.
 * Prints numbers; asserts nothing. The goal is under 100 ms for each.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { BackendProcess } from './backendClient.js';
import { percentile } from './boxMath.js';
import { CHROMIUM_PATH, launchChromium } from './chromium.js';

const SIZES = (process.env.EMOTUNE_BENCH_UI_SIZES ?? '50000,3000').split(',').map(Number);
const STARTS = Math.max(1, Number(process.env.EMOTUNE_BENCH_UI_STARTS ?? 5));
const GOAL_MS = 100;

/** The page's globals, typed for the functions that run there (this file is built without the DOM library). */
interface PageGlobals {
  document: {
    querySelector(selector: string): { focus(): void; dispatchEvent(event: unknown): boolean } | null;
    querySelectorAll(selector: string): { length: number };
  };
  performance: { now(): number; getEntriesByName(name: string): { duration: number; startTime: number }[] };
  requestAnimationFrame(callback: (t: number) => void): number;
  KeyboardEvent: new (type: string, init: Record<string, unknown>) => unknown;
  setTimeout(callback: () => void, ms: number): number;
  benchFrames?: number[];
  benchRunning?: boolean;
}

/** Resolves after the next frame has been drawn. */
const afterFrame = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const g = globalThis as unknown as PageGlobals;
        g.requestAnimationFrame(() => g.setTimeout(resolve, 0));
      }),
  );

async function listRenders(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    (globalThis as unknown as PageGlobals).performance.getEntriesByName('emotune:list-render').map((e) => e.duration),
  );
}

/** Does `act` in a started app, waits for the list render it sets off, and gives that render's time. */
async function renderAfter(page: Page, act: () => Promise<unknown>): Promise<number> {
  const before = (await listRenders(page)).length;
  await act();
  await page.waitForFunction(
    (n) => (globalThis as unknown as PageGlobals).performance.getEntriesByName('emotune:list-render').length > n,
    before,
  );
  return (await listRenders(page)).at(-1)!;
}

/**
 * The first render of the list, and when it was on screen from the page's start. Asked late and
 * rarely: Playwright's waitForFunction would evaluate its own script in the page (60-90 ms here)
 * and poll at every frame, in the middle of the start it measures.
 */
async function firstListRender(page: Page): Promise<[duration: number, shownAt: number]> {
  for (let waited = 0; waited < 60_000; waited += 500) {
    await page.waitForTimeout(waited === 0 ? 2000 : 500);
    const first = await page.evaluate(() => {
      const entry = (globalThis as unknown as PageGlobals).performance.getEntriesByName('emotune:list-render')[0];
      return entry && [entry.duration, entry.startTime + entry.duration];
    });
    if (first) return [first[0]!, first[1]!];
  }
  throw new Error('the Songs list did not show within a minute');
}

/** One start of the app: its list's first render, from the request and from the first page's arrival, and when that was on screen. */
interface Start {
  render: number;
  fromArrival: number;
  shownAt: number;
}

/**
 * The library filled in a process of its own, then opened again: the app as a listener starts it on
 * a library scanned earlier, not in the process that has just written 50,000 rows (whose
 * uncheckpointed WAL slows every first read). Filled in this process, the rows' garbage was
 * collected here later, a 50 ms pause and as much again of marking on the second core, in the
 * middle of a start being measured.
 */
function fillInChild(dataDir: string, count: number): Promise<void> {
  const child = fork(fileURLToPath(new URL('./uiBenchLibrary.js', import.meta.url)), [dataDir, String(count)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`filling the library of ${count} tracks failed (exit code ${code})`)),
    );
  });
}

async function measure(count: number): Promise<{ starts: Start[]; rest: Record<string, number>; notes: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'emotune-ui-bench-'));
  const dataDir = join(dir, 'data');
  try {
    await fillInChild(dataDir, count);
    const starts: Start[] = [];
    for (let i = 1; i < STARTS; i++) starts.push((await startApp(dataDir, () => Promise.resolve())).start);
    const last = await startApp(dataDir, (page) => interactions(page, count));
    starts.push(last.start);
    return { starts, ...last.after };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The app started afresh on the library: a backend in a process of its own, as in the app (in this
 * one it shared its event loop with Playwright's client, and a 300-400 ms collection of the filling's
 * garbage landed in the page's start), and a new browser.
 */
async function startApp<T>(dataDir: string, then: (page: Page) => Promise<T>): Promise<{ start: Start; after: T }> {
  const { backend, openUrl } = await BackendProcess.start(dataDir);
  try {
    const browser = await launchChromium({ noCamera: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(openUrl);
      const [render, shownAt] = await firstListRender(page);
      const fromArrival = await page.evaluate(
        () => (globalThis as unknown as PageGlobals).performance.getEntriesByName('emotune:list-paint')[0]?.duration ?? NaN,
      );
      return { start: { render, fromArrival, shownAt }, after: await then(page) };
    } finally {
      await browser.close();
    }
  } finally {
    await backend.close();
  }
}

/** Scrolling, select-all and a search, in a started app. */
async function interactions(page: Page, count: number): Promise<{ rest: Record<string, number>; notes: string }> {
  const rowsInDom = await page.evaluate(
    () => (globalThis as unknown as PageGlobals).document.querySelectorAll('[data-testid="track-row"]').length,
  );

  // Scrolling: the page's frame times while the list goes 20 pages down from the keyboard.
  await page.getByTestId('track-table').focus();
  await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    g.benchFrames = [];
    g.benchRunning = true;
    let last = g.performance.now();
    const tick = (t: number) => {
      g.benchFrames!.push(t - last);
      last = t;
      if (g.benchRunning) g.requestAnimationFrame(tick);
    };
    g.requestAnimationFrame(tick);
  });
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('PageDown');
    await afterFrame(page);
  }
  await page.waitForTimeout(300);
  const frames = await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    g.benchRunning = false;
    return g.benchFrames!.slice(1).sort((a, b) => a - b);
  });
  const worstFrame = frames.at(-1)!;
  const medianFrame = frames[Math.floor(frames.length / 2)]!;

  // A new order of the whole list (the Title header clicked), with the app warm: its first page from
  // the request to the frame that shows it.
  const resort = await renderAfter(page, () => page.getByTestId('sort-title').click());

  // Select all: from the key to the frame that shows it.
  const selectAll = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const g = globalThis as unknown as PageGlobals;
        const grid = g.document.querySelector('[data-testid="track-table"]')!;
        const start = g.performance.now();
        grid.dispatchEvent(new g.KeyboardEvent('keydown', { key: 'a', ctrlKey: true, bubbles: true }));
        g.requestAnimationFrame(() => g.setTimeout(() => resolve(g.performance.now() - start), 0));
      }),
  );
  const selected = await page.getByTestId('bulk-bar').locator('.count').textContent();

  // A search: from the request (after the typing pause) to the frame that shows its first rows.
  const search = await renderAfter(page, () => page.getByTestId('search').fill('Album 123'));
  const matches = await page.getByTestId('view-subtitle').textContent();
  const notes =
    `${rowsInDom} rows in the DOM for ${count.toLocaleString()} tracks;` +
    ` median frame while scrolling ${Math.round(medianFrame)} ms of ${frames.length}; "${selected?.trim()}"; search: ${matches}`;
  return {
    rest: {
      'scroll, 20 page-downs, worst frame': worstFrame,
      'sort by title, the whole list again': resort,
      'select all': selectAll,
      search,
    },
    notes,
  };
}

const ms = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${Math.round(percentile(sorted, 50))} ms (${Math.round(sorted[0]!)}-${Math.round(sorted.at(-1)!)})`;
};

if (!existsSync(CHROMIUM_PATH)) {
  console.log(`skipped: no Chromium at ${CHROMIUM_PATH}`);
} else {
  for (const count of SIZES) {
    console.log(`\nSongs list with ${count.toLocaleString()} tracks, Chromium at 1280x800 (goal: each under ${GOAL_MS} ms)`);
    const { starts, rest, notes } = await measure(count);
    const renders = starts.map((s) => s.render).sort((a, b) => a - b);
    const median = percentile(renders, 50);
    console.log(
      `first render, from the list's request to its painted frame, median of ${starts.length} starts (range): ${ms(renders)}` +
        `${median > GOAL_MS ? '  (over the goal)' : ''}`,
    );
    console.log(`  of which from the first page's arrival: ${ms(starts.map((s) => s.fromArrival))}`);
    console.log(`  rows on screen after the page began to load: ${ms(starts.map((s) => s.shownAt))}`);
    for (const [name, value] of Object.entries(rest)) {
      console.log(`${name}: ${Math.round(value)} ms${value > GOAL_MS ? '  (over the goal)' : ''}`);
    }
    console.log(`  (${notes})`);
  }
}
