/** Browser mode: the API over a WebSocket to the local server that served this page. */
import { ApiError, type ApiErrorPayload, type ApiTransport } from '../../../shared/api.js';
import { decodeMessage, encodeMessage, type WireMessage } from '../../../shared/wire.js';
import { EventListeners } from './eventListeners.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function connectWebSocket(url: string): ApiTransport {
  const listeners = new EventListeners();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let opened: Promise<WebSocket> | undefined;

  const open = (): Promise<WebSocket> => {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new ApiError('internal', `cannot reach the Emotune service at ${url}`));
      ws.onclose = () => {
        // Fail what is in flight and reconnect on the next call.
        for (const p of pending.values()) p.reject(new ApiError('internal', 'connection to the Emotune service closed'));
        pending.clear();
        socket = undefined;
        opened = undefined;
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
    return opened;
  };

  return {
    async call(method, params) {
      const ws = socket ?? (await open());
      const id = nextId++;
      const result = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
      ws.send(encodeMessage({ type: 'call', id, method, params } satisfies WireMessage));
      return result as never;
    },
    subscribe(event, listener) {
      // Connect early so events flow; a failure here reaches the caller on its next call, which opens again.
      void open().catch(() => undefined);
      return listeners.add(event, listener);
    },
  };
}
