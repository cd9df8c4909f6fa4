/** The browser-mode bridge with a real backend: good calls work, bad ones are refused, and it keeps serving. */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Backend, PROJECT_ROOT } from '../../src/main/backend.js';
import { MAX_MESSAGE_BYTES, startWebServer, type WebServer } from '../../src/main/web/webServer.js';
import { decodeMessage, encodeMessage, type WireMessage } from '../../src/shared/wire.js';
import { SMILING_TILTED, renderShot } from '../fixtures/facePhotos.js';
import { rgbaToI420 } from '../fixtures/yuvFrames.js';
import { makeAudioFile } from '../support/audioFiles.js';

let backend: Backend;
let web: WebServer;

beforeAll(async () => {
  backend = await Backend.create('web', { dataDir: mkdtempSync(join(tmpdir(), 'emotune-ws-')), demoLibrary: false, watchFolders: false });
  // The static root only matters for the path tests; the renderer need not be built.
  web = await startWebServer(backend, `${PROJECT_ROOT}src/renderer`);
});

afterAll(async () => {
  await web.close();
  await backend.dispose();
});

/** A GET with any Host header (fetch cannot set one), answering the status code. */
function statusWithHost(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(web.url);
    const req = request({ host: '127.0.0.1', port, path: `/${path}`, headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request with this run's session cookie, as the page the server opened sends it. */
function get(url: string, init: { headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { cookie: web.cookie, ...init.headers } });
}

class Client {
  readonly messages: WireMessage[] = [];
  private waiters: (() => void)[] = [];
  closeCode: number | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.messages.push(decodeMessage(new Uint8Array(data)) as WireMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(origin = new URL(web.url).origin, headers: Record<string, string> = { cookie: web.cookie }): Promise<Client> {
    const ws = new WebSocket(`${web.url.replace('http', 'ws')}api`, { origin, headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
    });
  }

  async next(predicate: (m: WireMessage) => boolean): Promise<WireMessage> {
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode})`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  call(id: number, method: string, params: unknown): Promise<WireMessage> {
    this.ws.send(encodeMessage({ type: 'call', id, method, params }));
    return this.next((m) => 'id' in m && m.id === id);
  }

  closed(): Promise<number> {
    return new Promise((resolve) => (this.closeCode !== undefined ? resolve(this.closeCode) : this.ws.once('close', resolve)));
  }
}

describe('browser-mode bridge', () => {
  it('answers app.info and detects the face in a submitted frame', async () => {
    const client = await Client.open();
    const info = await client.call(1, 'app.info', undefined);
    expect(info).toMatchObject({ type: 'result', result: { name: 'Emotune', transport: 'web', detector: { executionProvider: 'cpu' } } });
    const frame = await renderShot(SMILING_TILTED, 320);
    const ack = await client.call(2, 'vision.submitFrame', {
      frameId: 5,
      width: frame.width,
      height: frame.height,
      format: 'rgba',
      rgba: frame.data,
    });
    expect(ack).toMatchObject({ type: 'result', result: { frameId: 5, queued: true } });
    const event = await client.next((m) => m.type === 'event');
    expect(event).toMatchObject({ type: 'event', event: 'vision.faces', payload: { frameId: 5, width: 320, height: 240 } });
    expect((event as { payload: { faces: unknown[] } }).payload.faces).toHaveLength(1);
    client.ws.close();
  });

  it("reads a frame in the camera's YUV as it reads the same frame in RGBA", async () => {
    const client = await Client.open();
    const frame = await renderShot(SMILING_TILTED, 320);
    const yuv = rgbaToI420(frame);
    await client.call(1, 'vision.submitFrame', { frameId: 1, width: 320, height: 240, format: 'rgba', rgba: frame.data });
    await client.call(2, 'vision.submitFrame', {
      frameId: 2,
      width: 320,
      height: 240,
      format: 'i420',
      i420: yuv.i420,
      matrix: 'bt601',
      fullRange: false,
    });
    type Faces = { payload: { frameId: number; faces: { box: { x: number; width: number } }[]; expression: { top: string } | null } };
    const read = (frameId: number) => client.next((m) => m.type === 'event' && (m as unknown as Faces).payload.frameId === frameId);
    const [rgba, i420] = [(await read(1)) as unknown as Faces, (await read(2)) as unknown as Faces];
    expect(i420.payload.faces).toHaveLength(1);
    expect(i420.payload.expression?.top).toBe(rgba.payload.expression?.top);
    expect(Math.abs(i420.payload.faces[0]!.box.x - rgba.payload.faces[0]!.box.x)).toBeLessThan(4);
    expect(Math.abs(i420.payload.faces[0]!.box.width - rgba.payload.faces[0]!.box.width)).toBeLessThan(4);
    client.ws.close();
  });

  it('rejects a malformed frame with an error and keeps the connection', async () => {
    const client = await Client.open();
    const bad = await client.call(1, 'vision.submitFrame', {
      frameId: 1,
      width: 320,
      height: 240,
      format: 'rgba',
      rgba: new Uint8Array(10),
    });
    expect(bad).toMatchObject({ type: 'error', error: { code: 'bad-request' } });
    expect((bad as { error: { message: string } }).error.message).toMatch(/width \* height \* 4/);
    const garbage = Uint8Array.from([200, 0, 0, 0, 1, 2, 3]);
    client.ws.send(garbage);
    await expect(client.next((m) => m.type === 'error' && m.id === -1)).resolves.toMatchObject({ error: { code: 'bad-request' } });
    client.ws.send('a text message');
    await expect(client.call(2, 'app.info', undefined)).resolves.toMatchObject({ type: 'result' });
    client.ws.close();
  });

  it('drops a client that sends an oversized message, and keeps serving others', async () => {
    const client = await Client.open();
    client.ws.send(new Uint8Array(MAX_MESSAGE_BYTES + 1));
    expect(await client.closed()).toBe(1009);
    const other = await Client.open();
    await expect(other.call(1, 'app.info', undefined)).resolves.toMatchObject({ type: 'result' });
    other.ws.close();
  });

  it('never reads or writes a file the renderer names', async () => {
    const client = await Client.open();
    const read = await client.call(1, 'library.importPlaylist', { path: '/etc/passwd' });
    expect(read).toMatchObject({ type: 'error', error: { code: 'bad-request' } });
    const write = await client.call(2, 'library.exportPlaylist', { trackIds: [1], path: join(tmpdir(), 'x.m3u') });
    expect(write).toMatchObject({ type: 'error', error: { code: 'bad-request' } });
    const exported = await client.call(3, 'library.exportPlaylist', { trackIds: [999_999] });
    expect(exported).toMatchObject({ type: 'result', result: { written: 0, content: '#EXTM3U\n' } });
    const relative = await client.call(4, 'library.addFolder', { path: 'Music' });
    expect((relative as { error: { message: string } }).error.message).toMatch(/full path/);
    const dialog = await client.call(5, 'library.pickFolder', {});
    expect((dialog as { error: { message: string } }).error.message).toMatch(/needs the desktop app/);
    client.ws.close();
  });

  it('refuses WebSocket connections from other origins', async () => {
    await expect(Client.open('http://evil.example')).rejects.toThrow(/403/);
  });

  it('answers only the holder of the secret, under its own loopback names (DNS rebinding, local strangers)', async () => {
    const { port } = new URL(web.url);
    // a page on a site whose name resolves to 127.0.0.1, with a matching Origin
    const rebound = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` };
    await expect(Client.open(rebound.origin, { ...rebound, cookie: web.cookie })).rejects.toThrow(/403/);
    for (const path of ['', 'index.html', 'media/1', 'cover/1']) {
      expect(await statusWithHost(path, { ...rebound, cookie: web.cookie }), path).toBe(421);
    }
    // a local process that sets a plausible Origin but has no secret
    await expect(Client.open(new URL(web.url).origin, {})).rejects.toThrow(/403/);
    for (const path of ['', 'index.html', 'media/1']) expect((await fetch(`${web.url}${path}`)).status, path).toBe(401);
    expect((await fetch(`${web.url}?key=guess`, { redirect: 'manual' })).status).toBe(403);
    // every loopback name of this port is fine
    for (const host of [`localhost:${port}`, `[::1]:${port}`])
      expect((await get(`${web.url}index.html`, { headers: { host } })).status).toBe(200);
  });

  it('trades the key in the printed address for an HttpOnly, SameSite=Strict cookie and drops it from the address', async () => {
    const res = await fetch(web.openUrl, { redirect: 'manual', headers: { 'sec-fetch-site': 'none' } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie.split(';')[0]).toBe(web.cookie);
    expect(new URL(web.openUrl).searchParams.get('key')!.length).toBeGreaterThanOrEqual(22); // >= 128 bits, base64url
    const deep = await fetch(`${web.url}index.html?key=${new URL(web.openUrl).searchParams.get('key')}&x=1`, { redirect: 'manual' });
    expect(deep.headers.get('location')).toBe('/index.html?x=1');
  });

  it('refuses requests that another site makes with the cookie attached', async () => {
    for (const site of ['cross-site', 'same-site']) {
      expect((await get(`${web.url}media/1`, { headers: { 'sec-fetch-site': site } })).status, site).toBe(403);
    }
    expect((await get(`${web.url}index.html`, { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    const origin = new URL(web.url).origin;
    await expect(Client.open(origin, { cookie: web.cookie, 'sec-fetch-site': 'cross-site' })).rejects.toThrow(/403/);
  });

  it('serves files under its root only', async () => {
    const ok = await get(`${web.url}index.html`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/text\/html/);
    for (const path of ['..%2f..%2fpackage.json', '%2e%2e/%2e%2e/package.json', '..%5c..%5cpackage.json']) {
      const res = await get(`${web.url}${path}`);
      expect([403, 404]).toContain(res.status);
      expect(await res.text()).not.toMatch(/"name": "emotune"/);
    }
  });

  it('serves library audio by id with byte ranges, and refuses every path outside the library', async () => {
    const music = mkdtempSync(join(tmpdir(), 'emotune-media-'));
    await makeAudioFile(music, { name: 'song', format: 'ogg', title: 'Song' });
    await backend.library.addFolder(music);
    await backend.library.idle();
    const track = backend.library.listTracks({}).find((t) => t.title === 'Song')!;
    const full = await get(`${web.url}media/${track.id}`);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('audio/ogg');
    const bytes = new Uint8Array(await full.arrayBuffer());
    const part = await get(`${web.url}media/${track.id}`, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${bytes.byteLength}`);
    expect(Array.from(new Uint8Array(await part.arrayBuffer()))).toEqual(Array.from(bytes.subarray(10, 20)));
    expect((await get(`${web.url}media/${track.id}`, { headers: { range: `bytes=${bytes.byteLength}-` } })).status).toBe(416);
    const probes = [
      'media/../package.json',
      'media/..%2f..%2fpackage.json',
      'media/%2e%2e%2f%2e%2e%2fpackage.json',
      `media/${track.id}%2f..%2f..%2fpackage.json`,
      `media/${track.id}/../../package.json`,
      'media/%252e%252e%252fpackage.json',
      'media/..%5c..%5cpackage.json',
      `media/${encodeURIComponent(track.path)}`,
      'media/0',
      'media/-1',
      `media/${track.id}.0`,
      'media/99999999',
      'cover/../package.json',
    ];
    for (const probe of probes) {
      const res = await get(`${web.url}${probe}`);
      expect([403, 404], probe).toContain(res.status);
      expect(await res.text(), probe).not.toMatch(/"name": "emotune"|OggS/);
    }
  });

  it('does not serve, and does not write tags through, a track whose file became a link outside the library', async () => {
    const music = mkdtempSync(join(tmpdir(), 'emotune-link-'));
    const outside = mkdtempSync(join(tmpdir(), 'emotune-outside-'));
    await makeAudioFile(music, { name: 'victim', format: 'ogg', title: 'Victim' });
    await makeAudioFile(outside, { name: 'secret', format: 'ogg', title: 'Secret' });
    await backend.library.addFolder(music);
    await backend.library.idle();
    const track = backend.library.listTracks({}).find((t) => t.title === 'Victim')!;
    expect((await get(`${web.url}media/${track.id}`)).status).toBe(200);
    // swapped behind the library's back for a link to a file outside every library folder
    rmSync(track.path);
    symlinkSync(join(outside, 'secret.ogg'), track.path);
    const before = readFileSync(join(outside, 'secret.ogg'));
    expect((await get(`${web.url}media/${track.id}`)).status).toBe(404);
    expect((await get(`${web.url}cover/${track.id}`)).status).toBe(404);
    backend.library.setUserMood([track.id], 'happy');
    const result = await backend.library.writeMoodTags([track.id]);
    expect(result.written).toBe(0);
    expect(result.failed[0]!.message).toMatch(/outside the library folders/);
    expect(readFileSync(join(outside, 'secret.ogg')).equals(before)).toBe(true);
    backend.library.removeFolder(backend.library.listFolders().find((f) => f.path === music)!.id);
  });

  it('stops serving a track once its folder leaves the library', async () => {
    const track = backend.library.listTracks({}).find((t) => t.title === 'Song')!;
    const folder = backend.library.listFolders()[0]!;
    backend.library.removeFolder(folder.id);
    expect((await get(`${web.url}media/${track.id}`)).status).toBe(404);
  });
});
