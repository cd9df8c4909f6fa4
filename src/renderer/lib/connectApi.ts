/** Picks the transport once at start-up; nothing else in the renderer knows which it is. */
import { createApi, type EmotuneApi } from '../../shared/api.js';
import type { EmotuneBridge } from '../../shared/bridge.js';
import { connectElectron } from './transport/electronTransport.js';
import { connectWebSocket } from './transport/webSocketTransport.js';

export function connectApi(): EmotuneApi {
  const bridge = (window as Window & { emotuneBridge?: EmotuneBridge }).emotuneBridge;
  if (bridge) return createApi(connectElectron(bridge));
  const url = new URL('/api', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return createApi(connectWebSocket(url.href));
}
