/** Desktop mode: the API over the preload's bridge to Electron IPC. */
import { ApiError, type ApiTransport } from '../../../shared/api.js';
import type { EmotuneBridge } from '../../../shared/bridge.js';
import { EventListeners } from './eventListeners.js';

export function connectElectron(bridge: EmotuneBridge): ApiTransport {
  const listeners = new EventListeners();
  bridge.onEvent((event, payload) => listeners.emit(event, payload));
  return {
    async call(method, params) {
      const reply = await bridge.invoke(method, params);
      if (!reply.ok) throw new ApiError(reply.error.code, reply.error.message);
      return reply.result as never;
    },
    subscribe: (event, listener) => listeners.add(event, listener),
  };
}
