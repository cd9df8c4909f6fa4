/**
 * What the Electron preload exposes to the renderer as `window.emotuneBridge`: two generic
 * functions, no Node or Electron objects. Replies are wrapped so errors keep their code.
 */
import type { ApiErrorPayload } from './api.js';

export type BridgeReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorPayload };

export interface EmotuneBridge {
  invoke(method: string, params: unknown): Promise<BridgeReply>;
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}

/** IPC channel names, declared once for the main process and the preload. */
export const IPC_CHANNELS = {
  call: 'emotune:call',
  event: 'emotune:event',
} as const;
