/** A client that stops reading cannot make the browser-mode server hold its replies in memory without end. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Backend, PROJECT_ROOT } from '../../src/main/backend.js';
import { MAX_BACKLOG_BYTES, MAX_PENDING_CALLS, startWebServer, type WebServer } from '../../src/main/web/webServer.js';
import { TRACK_PAGE_SIZE } from '../../src/shared/schemas.js';
import { decodeMessage, encodeMessage } from '../../src/shared/wire.js';

let backend: Backend;
let web: WebServer;

beforeAll(async () => {
  backend = await Backend.create('web', { dataDir: mkdtempSync(join(tmpdir(), 'emotune-slow-')), demoLibrary: false, watchFolders: false });
  web = await startWebServer(backend, `${PROJECT_ROOT}src/renderer`);
  // A large library, straight into the store: each track list is about 1.5 MB on the wire.
  const store = backend.library.store;
  const folder = store.folders.add('/music');
  for (let i = 0; i < 5000; i++) {
    const title = `Track ${i} ${'with a long title '.repeat(6)}`;
    store.tracks.upsert(
      folder.id,
      {
        path: `/music/${i}.mp3`,
        size: 1,
        mtimeMs: 1,
        error: null,
        title,
        artist: 'Artist',
        album: 'Album',
        durationSec: 1,
        codec: 'mp3',
        hasCover: false,
      },
      null,
    );
  }
});

afterAll(async () => {
  await web.close();
  await backend.dispose();
});

function connect(): Promise<WebSocket> {
  const ws = new WebSocket(`${web.url.replace('http', 'ws')}api`, { origin: new URL(web.url).origin, headers: { cookie: web.cookie } });
  return new Promise((resolve, reject) => ws.once('open', () => resolve(ws)).once('error', reject));
}

describe('the track list', () => {
  it('comes in pages of at most TRACK_PAGE_SIZE tracks', async () => {
    const ws = await connect();
    const replies = new Map<number, { result?: unknown[]; error?: unknown }>();
    ws.on('message', (data: Buffer) => {
      const m = decodeMessage(new Uint8Array(data)) as { id?: number; result?: unknown[]; error?: unknown };
      if (m.id !== undefined) replies.set(m.id, m);
    });
    ws.send(encodeMessage({ type: 'call', id: 1, method: 'library.tracks', params: {} }));
    ws.send(encodeMessage({ type: 'call', id: 2, method: 'library.tracks', params: { offset: 4000, limit: TRACK_PAGE_SIZE } }));
    ws.send(encodeMessage({ type: 'call', id: 3, method: 'library.tracks', params: { limit: TRACK_PAGE_SIZE + 1 } }));
    await expect.poll(() => replies.size, { timeout: 20_000 }).toBe(3);
    expect(replies.get(1)!.result).toHaveLength(TRACK_PAGE_SIZE);
    expect(replies.get(2)!.result).toHaveLength(1000);
    expect(replies.get(3)!.error).toMatchObject({ code: 'bad-request' });
    ws.close();
  });
});

describe('a burst of heavy calls', () => {
  it('takes turns with other clients instead of holding the server until it is done', async () => {
    const busy = await connect();
    const other = await connect();
    let busyReplies = 0;
    busy.on('message', () => busyReplies++);
    for (let id = 1; id <= 300; id++) busy.send(encodeMessage({ type: 'call', id, method: 'library.tracks', params: {} }));
    await new Promise((r) => setTimeout(r, 50));
    const answeredAfter = new Promise<number>((resolve) => other.once('message', () => resolve(busyReplies)));
    other.send(encodeMessage({ type: 'call', id: 1, method: 'app.info', params: {} }));
    // the other client is answered while the burst is still being worked through
    expect(await answeredAfter).toBeLessThan(300);
    await expect.poll(() => busyReplies, { timeout: 60_000, interval: 200 }).toBe(300);
    busy.close();
    other.close();
  }, 90_000);

  it('drops a client that floods it with more calls than it can have waiting', async () => {
    const flood = await connect();
    const closed = new Promise<number>((resolve) => flood.once('close', (code) => resolve(code)));
    const burst = Array.from({ length: MAX_PENDING_CALLS + 200 }, (_, i) =>
      encodeMessage({ type: 'call', id: i + 1, method: 'app.info', params: {} }),
    );
    for (const m of burst) flood.send(m);
    expect(await closed).toBe(1008);
  }, 30_000);
});

describe('a slow reader', () => {
  it('is dropped once its backlog passes the cap, and the server keeps serving', async () => {
    const ws = new WebSocket(`${web.url.replace('http', 'ws')}api`, { origin: new URL(web.url).origin, headers: { cookie: web.cookie } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.pause(); // reads nothing from here on
    for (let id = 1; id <= 300; id++) ws.send(encodeMessage({ type: 'call', id, method: 'library.tracks', params: {} }));
    // 300 replies of ~1.5 MB would be 450 MB held for this client; the server stops at its cap and drops it
    await new Promise((r) => setTimeout(r, 4000));
    let replies = 0;
    let bytes = 0;
    ws.on('message', (data: Buffer) => {
      replies++;
      bytes += data.length;
    });
    ws.resume();
    await closed;
    expect(replies).toBeGreaterThan(0);
    expect(replies).toBeLessThan(300);
    expect(bytes).toBeLessThan(MAX_BACKLOG_BYTES + 16 * 1024 * 1024); // the cap, plus what the kernel buffers held
    const other = new WebSocket(`${web.url.replace('http', 'ws')}api`, {
      origin: new URL(web.url).origin,
      headers: { cookie: web.cookie },
    });
    await new Promise((resolve, reject) => other.once('open', resolve).once('error', reject));
    other.close();
  }, 60_000);
});
