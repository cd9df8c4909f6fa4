/**
 * The sandboxed preload: exposes two generic functions and nothing else. It must stay
 * CommonJS and self-contained, since sandboxed preloads cannot load other modules.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- sandboxed preloads are CommonJS
import electron = require('electron');
import type { IpcRendererEvent } from 'electron';

const { contextBridge, ipcRenderer } = electron;

// Duplicated from src/shared/bridge.ts on purpose: a sandboxed preload cannot import it.
const CALL = 'emotune:call';
const EVENT = 'emotune:event';

contextBridge.exposeInMainWorld('emotuneBridge', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke(CALL, method, params),
  onEvent: (listener: (event: string, payload: unknown) => void) => {
    const handler = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on(EVENT, handler);
    return () => ipcRenderer.off(EVENT, handler);
  },
});
