/**
 * The closed loop in browser mode, measured in Chromium (when /usr/bin/chromium or CHROMIUM_PATH
 * exists): the time from a stable-expression change to the first audio of the chosen track, and
 * what sending a camera frame costs the renderer's thread. The fake webcam alternates an empty
 * frame and a smiling face, so the stable state keeps changing; "switch at once" is on.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Backend, PROJECT_ROOT } from '../../main/backend.js';
import { startWebServer } from '../../main/web/webServer.js';
import { percentile } from './boxMath.js';
import { CHROMIUM_PATH, launchChromium } from './chromium.js';
import { cutWebcamFrame, DEMO_FACES } from './faceApiDemo.js';
import { stillsToY4m } from './fakeWebcam.js';
import sharp from 'sharp';

const SECONDS = Number(process.env.EMOTUNE_BENCH_LOOP_SECONDS ?? 60);

export async function runLoopBench(): Promise<void> {
  console.log(`\nHands-free loop in Chromium, browser mode, ${SECONDS} s`);
  if (!existsSync(CHROMIUM_PATH)) {
    console.log(`skipped: no Chromium at ${CHROMIUM_PATH}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'emotune-loop-bench-'));
  try {
    const shot = (await cutWebcamFrame(DEMO_FACES[1]!, 0.3))!;
    const face = join(dir, 'face.png');
    const empty = join(dir, 'empty.png');
    await sharp(Buffer.from(shot.image.data), { raw: { width: 640, height: 480, channels: 4 } })
      .png()
      .toFile(face);
    await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 60, g: 60, b: 70 } } })
      .png()
      .toFile(empty);
    const video = join(dir, 'loop.y4m');
    await stillsToY4m(
      [
        { path: empty, seconds: 4 },
        { path: face, seconds: 6 },
      ],
      video,
    );
    const backend = await Backend.create('web', { dataDir: join(dir, 'data'), watchFolders: false });
    await backend.library.ensureDemoLibrary();
    await backend.library.idle();
    const web = await startWebServer(backend, `${PROJECT_ROOT}dist/renderer`);
    const browser = await launchChromium({ fakeVideo: video });
    try {
      const page = await browser.newPage();
      await page.goto(web.openUrl);
      // Switch at once, not at the end of the song: the bench times the change, not the song.
      await page.getByTestId('switch-within').selectOption('0');
      await page.waitForTimeout(SECONDS * 1000);
      const { latencies, sends } = await page.evaluate(() => {
        type Mark = { startTime: number; detail: unknown };
        const choices = performance.getEntriesByName('emotune:auto-choice') as unknown as Mark[];
        const playing = performance.getEntriesByName('emotune:track-playing') as unknown as Mark[];
        const latencies = choices
          .map((c) => {
            const { trackId, stableAt } = c.detail as { trackId: number; stableAt: number };
            const first = playing.find((p) => p.startTime >= c.startTime && (p.detail as { trackId: number }).trackId === trackId);
            return first ? first.startTime - stableAt : null;
          })
          .filter((x): x is number => x !== null);
        return { latencies, sends: performance.getEntriesByName('emotune:frame-send').map((e) => e.duration) };
      });
      const sorted = [...latencies].sort((a, b) => a - b);
      const sendSorted = [...sends].sort((a, b) => a - b);
      console.log(
        `stable-expression change -> first audio of the chosen track\tmedian ${percentile(sorted, 50).toFixed(1)} ms\tp95 ${percentile(sorted, 95).toFixed(1)} ms\t(${latencies.length} changes)`,
      );
      console.log(
        `renderer frame send (320 px wide: draw, read back, hand to the transport)\tmedian ${percentile(sendSorted, 50).toFixed(2)} ms\tp95 ${percentile(sendSorted, 95).toFixed(2)} ms\t(${sends.length} frames, ${(sends.length / SECONDS).toFixed(1)} frames/s)`,
      );
    } finally {
      await browser.close();
      await web.close();
      await backend.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
