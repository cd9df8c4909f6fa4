/**
 * Malformed input over both transports' paths into the backend: 10,000 messages through the
 * browser-mode WebSocket (raw bytes, broken envelopes, real methods with random params) and 10,000
 * calls straight into the dispatcher that Electron's IPC handler uses. Every one gets an answer, none
 * trips a programming error, and the server still serves afterwards. Seeded: a failure repeats.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { dispatchCall, toErrorPayload } from '../../src/main/api/apiDispatcher.js';
import { Backend, PROJECT_ROOT } from '../../src/main/backend.js';
import { startWebServer, type WebServer } from '../../src/main/web/webServer.js';
import { apiCallSchemas } from '../../src/shared/api.js';
import { decodeMessage, encodeMessage, type WireMessage } from '../../src/shared/wire.js';

const MESSAGES = 10_000;
const METHODS = Object.keys(apiCallSchemas);
/** What only a bug raises: the fuzzer must never see these. */
const PROGRAMMING_ERROR = /Cannot read propert|is not a function|is not iterable|Maximum call stack|undefined is not|null is not/;

let backend: Backend;
let web: WebServer;

beforeAll(async () => {
  backend = await Backend.create('web', { dataDir: mkdtempSync(join(tmpdir(), 'emotune-fuzz-')), demoLibrary: false, watchFolders: false });
  web = await startWebServer(backend, `${PROJECT_ROOT}src/renderer`);
});

afterAll(async () => {
  await web.close();
  await backend.dispose();
});

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function value(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 7 : 10));
  const keys = [
    'trackIds',
    'id',
    'mood',
    'query',
    'sort',
    'settings',
    'policy',
    'frameId',
    'format',
    'rgba',
    'i420',
    'width',
    '__proto__',
    'constructor',
  ];
  switch (pick) {
    case 0:
      return null;
    case 1:
      return [-1, 0, 1, 2 ** 53, -(2 ** 31), 1.5, Number.MAX_SAFE_INTEGER][Math.floor(r() * 7)];
    case 2:
      // never a string that names a real absolute path: a fuzzer must not add '/' to the library
      return `x${String.fromCharCode(...Array.from({ length: Math.floor(r() * 20) }, () => 32 + Math.floor(r() * 300)))}`;
    case 3:
      return r() < 0.5;
    case 4:
      return new Uint8Array(Math.floor(r() * 64));
    case 5:
      return ['happy', 'sad', 'title', 'match', 'lift', 'neutral'][Math.floor(r() * 6)];
    case 6:
      return undefined;
    case 7:
      return Array.from({ length: Math.floor(r() * 5) }, () => value(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(r() * 4) }, () => [keys[Math.floor(r() * keys.length)]!, value(r, depth + 1)]),
      );
  }
}

function message(r: () => number, id: number): Uint8Array {
  const kind = r();
  if (kind < 0.3) return Uint8Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256));
  if (kind < 0.5) return encodeMessage(value(r));
  const method = r() < 0.9 ? METHODS[Math.floor(r() * METHODS.length)] : value(r);
  return encodeMessage({ type: r() < 0.95 ? 'call' : value(r), id: r() < 0.95 ? id : value(r), method, params: value(r) });
}

describe('fuzzing the API', () => {
  it('answers 10,000 malformed WebSocket messages and keeps serving', async () => {
    const ws = new WebSocket(`${web.url.replace('http', 'ws')}api`, { origin: new URL(web.url).origin, headers: { cookie: web.cookie } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const replies: WireMessage[] = [];
    ws.on('message', (data: Buffer) => {
      const m = decodeMessage(new Uint8Array(data)) as WireMessage;
      if (m.type !== 'event') replies.push(m);
    });
    const r = random(42);
    // in waves, as a client that waits for answers does: more than MAX_PENDING_CALLS waiting is a flood, and dropped
    for (let id = 1; id <= MESSAGES; id++) {
      ws.send(message(r, id));
      if (id % 500 === 0) await expect.poll(() => replies.length, { timeout: 30_000, interval: 20 }).toBe(id);
    }
    await expect.poll(() => replies.length, { timeout: 60_000, interval: 100 }).toBe(MESSAGES);
    const errors = replies.filter((m): m is Extract<WireMessage, { type: 'error' }> => m.type === 'error');
    expect(errors.length).toBeGreaterThan(MESSAGES / 2);
    expect(errors.filter((e) => PROGRAMMING_ERROR.test(e.error.message)).map((e) => e.error.message)).toEqual([]);
    ws.send(encodeMessage({ type: 'call', id: MESSAGES + 1, method: 'app.info', params: {} }));
    await expect.poll(() => replies.at(-1)).toMatchObject({ type: 'result', id: MESSAGES + 1, result: { name: 'Emotune' } });
    ws.close();
  }, 120_000);

  it('answers 10,000 malformed calls on the dispatcher behind Electron IPC', async () => {
    const session = backend.openSession(() => undefined);
    const r = random(7);
    const bugs: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const method = r() < 0.9 ? METHODS[Math.floor(r() * METHODS.length)] : value(r);
      try {
        await dispatchCall(session.handlers, method, value(r));
      } catch (error) {
        const { message } = toErrorPayload(error);
        if (PROGRAMMING_ERROR.test(message)) bugs.push(`${String(method)}: ${message}`);
      }
    }
    session.close();
    expect(bugs).toEqual([]);
  }, 120_000);
});
