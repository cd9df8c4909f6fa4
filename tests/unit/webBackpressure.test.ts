/** A client that stops reading cannot make the browser-mode server hold its replies in memory without end. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Backend, PROJECT_ROOT } from '../../src/main/backend.js';
import { MAX_BACKLOG_BYTES, startWebServer, type WebServer } from '../../src/main/web/webServer.js';
import { encodeMessage } from '../../src/shared/wire.js';

let backend: Backend;
let web: WebServer;

beforeAll(async () => {
  backend = await Backend.create('web', { dataDir: mkdtempSync(join(tmpdir(), 'emotune-slow-')), demoLibrary: false, watchFolders: false });
  web = await startWebServer(backend, `${PROJECT_ROOT}src/renderer`);
  // A large library, straight into the store: each track list is about 1.5 MB on the wire.
  const store = backend.library.store;
  const folder = store.addFolder('/music');
  for (let i = 0; i < 5000; i++) {
    const title = `Track ${i} ${'with a long title '.repeat(6)}`;
    store.upsertTrack(
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
