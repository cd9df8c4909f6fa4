/**
 * Browser mode: the API over a WebSocket to the local server that served this page. When the socket
 * closes, what is in flight fails, calls fail at once (nothing piles up while the server is away) and
 * the socket is opened again with a growing pause between tries; the reporter hears each change.
 */
import { ApiError, type ApiErrorPayload, type ApiTransport } from '../../../shared/api.js';
import { decodeMessage, encodeMessage, type WireMessage } from '../../../shared/wire.js';
import type { ConnectionReporter } from '../connection.svelte.js';
import { EventListeners } from './eventListeners.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface ReconnectOptions {
  /** The first pause before opening again; it doubles up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT: ReconnectOptions = { firstDelayMs: 250, maxDelayMs: 4000 };

/** The message of a call made while the connection is down (errorWording.ts reads it as such). */
export const NOT_CONNECTED = 'not connected to the Emotune service';

export function connectWebSocket(
  url: string,
  reporter: ConnectionReporter = { report: () => undefined },
  reconnect: ReconnectOptions = DEFAULT_RECONNECT,
): ApiTransport {
  const listeners = new EventListeners();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let opening: Promise<WebSocket> | undefined;
  let delay = reconnect.firstDelayMs;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let down = false;

  const scheduleReconnect = () => {
    clearTimeout(retryTimer);
    const wait = delay;
    delay = Math.min(reconnect.maxDelayMs, delay * 2);
    reporter.report('offline', Date.now() + wait);
    retryTimer = setTimeout(() => void open().catch(() => undefined), wait);
  };

  const open = (): Promise<WebSocket> => {
    if (socket) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      let wasOpen = false;
      ws.onopen = () => {
        wasOpen = true;
        socket = ws;
        opening = undefined;
        down = false;
        delay = reconnect.firstDelayMs;
        reporter.report('online');
        resolve(ws);
      };
      ws.onclose = () => {
        for (const p of pending.values()) p.reject(new ApiError('internal', 'connection to the Emotune service closed'));
        pending.clear();
        if (socket === ws) socket = undefined;
        opening = undefined;
        down = true;
        if (!wasOpen) reject(new ApiError('internal', `cannot reach the Emotune service at ${url}`));
        scheduleReconnect();
      };
      ws.onmessage = (event: MessageEvent<ArrayBuffer>) => {
        const message = decodeMessage(new Uint8Array(event.data)) as WireMessage;
        if (message.type === 'event') {
          listeners.emit(message.event, message.payload);
          return;
        }
        const p = pending.get(message.id);
        if (!p) return;
        pending.delete(message.id);
        if (message.type === 'result') p.resolve(message.result);
        else if (message.type === 'error') {
          const error = message.error as ApiErrorPayload;
          p.reject(new ApiError(error.code, error.message));
        }
      };
    });
    return opening;
  };

  return {
    async call(method, params) {
      // While the server is away a call fails at once; the parts that need one try again when it is back.
      if (!socket && down) throw new ApiError('internal', NOT_CONNECTED);
      const ws = socket ?? (await open());
      const id = nextId++;
      const result = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
      ws.send(encodeMessage({ type: 'call', id, method, params } satisfies WireMessage));
      return result as never;
    },
    subscribe(event, listener) {
      // Connect early so events flow; a failure here is retried by the reconnect loop.
      void open().catch(() => undefined);
      return listeners.add(event, listener);
    },
  };
}
