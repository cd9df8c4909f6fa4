/**
 * Browser mode: serves the built renderer and bridges the API over a WebSocket, on the
 * loopback interface only, to the holder of this run's secret (see access.ts): the page opened
 * from the address `npm run web` prints.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeMessage, encodeMessage, WireError, type WireMessage } from '../../shared/wire.js';
import { dispatchCall, toErrorPayload } from '../api/apiDispatcher.js';
import type { Backend } from '../backend.js';
import { mediaResponse } from '../library/mediaAccess.js';
import { Access, KEY_PARAM, newSecret, SESSION_COOKIE } from './access.js';

/** A 1280x960 RGBA frame is 4.9 MB; anything past this cap is dropped by the socket layer. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
export const API_PATH = '/api';
export const MEDIA_PREFIX = '/media/';
export const COVER_PREFIX = '/cover/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface WebServer {
  /** The server's address, without the secret. */
  url: string;
  /** The address to open: it carries this run's secret, which the first load turns into a session cookie. */
  openUrl: string;
  /** The Cookie header of a session, for clients that are not browsers (tests, benchmarks). */
  cookie: string;
  server: Server;
  close(): Promise<void>;
}

export async function startWebServer(backend: Backend, rendererDir: string, port = 0, secret = newSecret()): Promise<WebServer> {
  const access = new Access(secret);
  const server = createServer((req, res) => {
    route(access, backend, rendererDir, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const { headers } = req;
    // The camera-frame channel and the whole API: only for the page this server gave the session to.
    const allowed =
      req.url === API_PATH &&
      access.hostAllowed(headers) &&
      access.sameOrigin(headers) &&
      !access.crossSite(headers) &&
      access.hasSession(headers);
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachSession(backend, ws));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: boundPort } = server.address() as AddressInfo;
  access.bind(boundPort);
  const url = `http://127.0.0.1:${boundPort}/`;
  return {
    url,
    openUrl: `${url}?${KEY_PARAM}=${secret}`,
    cookie: `${SESSION_COOKIE}=${secret}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

const PLAIN = { 'content-type': 'text/plain; charset=utf-8', 'referrer-policy': 'no-referrer' };

/** The access checks in order, then the secret exchange, then the files. */
async function route(access: Access, backend: Backend, rendererDir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!access.hostAllowed(req.headers)) {
    res.writeHead(421, PLAIN).end(`Emotune answers only to 127.0.0.1, localhost or [::1] on port ${access.port}.\n`);
    return;
  }
  if (access.crossSite(req.headers)) {
    res.writeHead(403, PLAIN).end('Emotune does not answer requests made by other sites.\n');
    return;
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    res.writeHead(400, PLAIN).end();
    return;
  }
  const key = url.searchParams.get(KEY_PARAM);
  if (key !== null) {
    if (!access.keyMatches(key)) {
      res.writeHead(403, PLAIN).end('This key is not the one of this run: open the address that `npm run web` printed.\n');
      return;
    }
    // The secret leaves the address bar (and history) at once; the cookie carries it from here.
    url.searchParams.delete(KEY_PARAM);
    res
      .writeHead(303, { ...PLAIN, location: url.pathname + url.search, 'set-cookie': access.sessionCookie(), 'cache-control': 'no-store' })
      .end();
    return;
  }
  if (!access.hasSession(req.headers)) {
    res.writeHead(401, PLAIN).end('Open the address that `npm run web` printed in its terminal: it carries the key of this run.\n');
    return;
  }
  if (req.url?.startsWith(MEDIA_PREFIX) || req.url?.startsWith(COVER_PREFIX)) await serveLibraryFile(backend, req, res);
  else await serveStatic(rendererDir, req, res);
}

/** Past this much unsent data, events wait for the client to catch up (the next one replaces them). */
export const EVENT_BACKLOG_BYTES = 1024 * 1024;
/** Calls one client may have waiting; a client past it is flooding, not using the app. */
export const MAX_PENDING_CALLS = 1000;
/** Past this much, the client has stopped reading: it is dropped so that the server's memory stays flat. */
export const MAX_BACKLOG_BYTES = 32 * 1024 * 1024;

function attachSession(backend: Backend, ws: WebSocket): void {
  const send = (message: WireMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BACKLOG_BYTES) {
      ws.terminate();
      return;
    }
    // Frames' faces and scan progress are superseded by the next ones; a change notice is not.
    if (message.type === 'event' && message.event !== 'library.changed' && ws.bufferedAmount > EVENT_BACKLOG_BYTES) return;
    ws.send(encodeMessage(message));
  };
  const session = backend.openSession((event, payload) => send({ type: 'event', event, payload }));
  // Each call starts in a task of its own: a burst from one client (300 track lists, say) then takes
  // turns with every other client's calls instead of holding the event loop. A call that waits (a
  // rescan) does not hold up the next one.
  const pending: { data: unknown; isBinary: boolean }[] = [];
  let pumping = false;
  const pump = async () => {
    pumping = true;
    while (pending.length > 0) {
      const next = pending.shift()!;
      void handleMessage(session.handlers, next.data, next.isBinary, send);
      await new Promise((resolve) => setImmediate(resolve));
    }
    pumping = false;
  };
  ws.on('message', (data, isBinary) => {
    if (pending.length >= MAX_PENDING_CALLS) {
      ws.close(1008, 'too many calls waiting');
      return;
    }
    pending.push({ data, isBinary });
    if (!pumping) void pump();
  });
  // An oversized message makes ws close the socket with 1009; only this client is affected.
  ws.on('error', () => ws.terminate());
  ws.on('close', () => session.close());
}

async function handleMessage(
  handlers: Parameters<typeof dispatchCall>[0],
  data: unknown,
  isBinary: boolean,
  send: (m: WireMessage) => void,
): Promise<void> {
  let message: unknown;
  try {
    if (!isBinary || !Buffer.isBuffer(data)) throw new WireError('expected a binary message');
    message = decodeMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch (error) {
    send({ type: 'error', id: -1, error: { code: 'bad-request', message: (error as Error).message } });
    return;
  }
  const call = message as Partial<Extract<WireMessage, { type: 'call' }>>;
  const id = typeof call?.id === 'number' && Number.isInteger(call.id) ? call.id : -1;
  if (call?.type !== 'call' || id < 0) {
    send({ type: 'error', id, error: { code: 'bad-request', message: 'expected {type: "call", id, method, params}' } });
    return;
  }
  try {
    send({ type: 'result', id, result: await dispatchCall(handlers, call.method, call.params) });
  } catch (error) {
    send({ type: 'error', id, error: toErrorPayload(error) });
  }
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  if (pathname.endsWith('/')) pathname += 'index.html';
  const file = normalize(join(root, pathname));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(403).end();
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

/** Audio and cover art by track id (mediaAccess.ts decides and reads; this only writes the answer). */
async function serveLibraryFile(backend: Backend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '';
  const isCover = url.startsWith(COVER_PREFIX);
  const answer = await mediaResponse(
    backend.library.store,
    isCover ? 'cover' : 'track',
    url.slice((isCover ? COVER_PREFIX : MEDIA_PREFIX).length),
    {
      method: req.method ?? 'GET',
      range: req.headers.range,
    },
  );
  res.writeHead(answer.status, answer.headers);
  if (answer.body === null || answer.body instanceof Uint8Array) res.end(answer.body ?? undefined);
  else answer.body.pipe(res);
}
