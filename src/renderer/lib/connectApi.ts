/** Picks the transport once at start-up; nothing else in the renderer knows which it is. */
import { createApi, type EmotuneApi } from '../../shared/api.js';
import type { EmotuneBridge } from '../../shared/bridge.js';
import { ConnectionState } from './connection.svelte.js';
import { connectElectron } from './transport/electronTransport.js';
import { connectWebSocket } from './transport/webSocketTransport.js';

export function connectApi(): { api: EmotuneApi; connection: ConnectionState } {
  const bridge = (window as Window & { emotuneBridge?: EmotuneBridge }).emotuneBridge;
  // The desktop app's IPC is always there while its window is.
  if (bridge) return { api: createApi(connectElectron(bridge)), connection: new ConnectionState('online') };
  const url = new URL('/api', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const connection = new ConnectionState();
  return { api: createApi(connectWebSocket(url.href, connection)), connection };
}
