/**
 * A burst of heavy calls from one browser-mode client (300 mood.next, then 300 track lists, on a
 * 5,000-track library) while a second client asks for app.info every 10 ms: how long the second
 * client waits for its answers during the burst. Prints numbers; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { MOODS } from '../../shared/mood.js';
import { decodeMessage, encodeMessage } from '../../shared/wire.js';
import { Backend, PROJECT_ROOT } from '../../main/backend.js';
import { startWebServer, type WebServer } from '../../main/web/webServer.js';
import { percentile } from './boxMath.js';

const TRACKS = 5000;
const BURST = 300;

function connect(web: WebServer): Promise<WebSocket> {
  const ws = new WebSocket(`${web.url.replace('http', 'ws')}api`, { origin: new URL(web.url).origin, headers: { cookie: web.cookie } });
  return new Promise((resolve, reject) => ws.once('open', () => resolve(ws)).once('error', reject));
}

async function burst(web: WebServer, method: string, params: unknown): Promise<string> {
  const [busy, other] = await Promise.all([connect(web), connect(web)]);
  const waits: number[] = [];
  const sentAt = new Map<number, number>();
  other.on('message', (data: Buffer) => {
    const m = decodeMessage(new Uint8Array(data)) as { id?: number };
    if (m.id !== undefined && sentAt.has(m.id)) waits.push(performance.now() - sentAt.get(m.id)!);
  });
  let pingId = 0;
  const ping = setInterval(() => {
    sentAt.set(++pingId, performance.now());
    other.send(encodeMessage({ type: 'call', id: pingId, method: 'app.info', params: {} }));
  }, 10);
  let done = 0;
  const finished = new Promise<void>((resolve) =>
    busy.on('message', () => {
      if (++done === BURST) resolve();
    }),
  );
  const started = performance.now();
  for (let id = 1; id <= BURST; id++) busy.send(encodeMessage({ type: 'call', id, method, params }));
  await finished;
  const took = performance.now() - started;
  clearInterval(ping);
  busy.close();
  other.close();
  waits.sort((a, b) => a - b);
  return `${BURST} x ${method}\tburst took ${(took / 1000).toFixed(1)} s\tthe other client's app.info: median ${percentile(waits, 50).toFixed(1)} ms, p95 ${percentile(waits, 95).toFixed(1)} ms, max ${waits.at(-1)!.toFixed(1)} ms (${waits.length} answers)`;
}

export async function runBurstBench(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'emotune-burst-'));
  const backend = await Backend.create('web', { dataDir, demoLibrary: false, watchFolders: false });
  const web = await startWebServer(backend, `${PROJECT_ROOT}dist/renderer`);
  try {
    const store = backend.library.store;
    const folder = store.folders.add('/bench-music');
    for (let i = 0; i < TRACKS; i++) {
      const id = store.tracks.upsert(
        folder.id,
        {
          path: `/bench-music/${i}.mp3`,
          size: 1,
          mtimeMs: 1,
          error: null,
          title: `Track ${i}`,
          artist: `Artist ${i % 300}`,
          album: `Album ${i % 500}`,
          durationSec: 200,
          codec: 'mp3',
          hasCover: false,
        },
        null,
      );
      store.tracks.setMood(id, 'audio', { mood: MOODS[i % MOODS.length]!, valence: 0, arousal: 0, confidence: 0.5 });
    }
    console.log(`\nA burst from one browser-mode client on ${TRACKS} tracks, a second client asking app.info every 10 ms`);
    console.log(await burst(web, 'mood.next', { expression: 'happiness', mode: 'match' }));
    console.log(await burst(web, 'library.tracks', {}));
  } finally {
    await web.close();
    await backend.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
