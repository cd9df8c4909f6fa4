/**
 * Electron entry: one window on a custom app:// origin, sandboxed, talking to the same
 * Backend as browser mode through IPC. Kept thin; the services live elsewhere.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session } from 'electron';
import { join, normalize, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { IPC_CHANNELS, type BridgeReply } from '../../shared/bridge.js';
import { dispatchCall, toErrorPayload } from '../api/apiDispatcher.js';
import { Backend, PROJECT_ROOT, VISION_WORKER_ENTRY, type BackendSession } from '../backend.js';
import { LibraryDatabaseError } from '../library/database.js';
import { recoverLibrary } from '../library/libraryRecovery.js';
import { mediaResponse } from '../library/mediaAccess.js';
import {
  allowsCameraCheck,
  APP_ORIGIN,
  APP_SCHEME,
  grantsCamera,
  isAppUrl,
  MEDIA_SCHEME,
  mediaHeaders,
  PRIVILEGED_SCHEMES,
} from './appOrigin.js';
import { utilityProcessChannel } from './utilityProcessChannel.js';

const RENDERER_DIR = join(PROJECT_ROOT, 'dist', 'renderer');

protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES);

/** Audio and covers of library tracks, by id only: the same code as browser mode's server (mediaAccess.ts). */
function serveMedia(backend: Backend): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'track' && url.host !== 'cover') return new Response('not a library track', { status: 404 });
    const answer = await mediaResponse(backend.library.store, url.host, url.pathname.replace(/^\//, ''), {
      method: request.method,
      range: request.headers.get('range'),
    });
    const body =
      answer.body === null
        ? null
        : answer.body instanceof Uint8Array
          ? Buffer.from(answer.body)
          : (Readable.toWeb(answer.body) as ReadableStream);
    return new Response(body, { status: answer.status, headers: mediaHeaders(answer.headers) });
  });
}

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    if (!isAppUrl(request.url)) return new Response('not found', { status: 404 });
    const file = normalize(join(RENDERER_DIR, decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)));
    if (!file.startsWith(RENDERER_DIR + sep)) return new Response('forbidden', { status: 403 });
    return net.fetch(pathToFileURL(file).href);
  });
}

function restrictPermissions(): void {
  // The camera (and nothing else) is granted, and only to the app's own pages.
  session.defaultSession.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(grantsCamera(permission, details.requestingUrl, webContents.getURL(), mediaTypes));
  });
  session.defaultSession.setPermissionCheckHandler((_wc, permission, origin, details) =>
    allowsCameraCheck(permission, origin, details.mediaType),
  );
}

async function main(): Promise<void> {
  // One window per user data folder: a second start focuses the first instead of opening the library twice.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  serveRenderer();
  restrictPermissions();
  const options = {
    dataDir: app.getPath('userData'),
    visionChannel: () => utilityProcessChannel(VISION_WORKER_ENTRY),
    pickFolder: async () => {
      const picked = await dialog.showOpenDialog({ title: 'Add a music folder', properties: ['openDirectory'] });
      return picked.canceled ? null : (picked.filePaths[0] ?? null);
    },
  };
  const backend = await Backend.create('electron', options).catch(async (error: unknown) => {
    // A damaged library: one click moves it aside and rebuilds it, keeping the user's own moods.
    if (!(error instanceof LibraryDatabaseError && error.damaged)) throw error;
    const { response } = await dialog.showMessageBox({
      type: 'error',
      message: 'Your music library database is damaged',
      detail: `${error.message}\n\nRecover moves it aside (it is kept) and scans your folders again; your own moods, playlists and settings come back from their backup.`,
      buttons: ['Recover the library', 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
    if (response !== 0) {
      app.quit();
      throw error;
    }
    await recoverLibrary(options.dataDir);
    return Backend.create('electron', options);
  });
  serveMedia(backend);
  const sessions = new Map<number, BackendSession>();

  ipcMain.handle(IPC_CHANNELS.call, async (event, method: unknown, params: unknown): Promise<BridgeReply> => {
    // Only our own top-level page may call the backend.
    if (!event.senderFrame || !isAppUrl(event.senderFrame.url) || event.senderFrame.parent !== null) {
      return { ok: false, error: { code: 'bad-request', message: 'calls are accepted from the Emotune window only' } };
    }
    const contents = event.sender;
    let backendSession = sessions.get(contents.id);
    if (!backendSession) {
      backendSession = backend.openSession((name, payload) => {
        if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.event, name, payload);
      });
      sessions.set(contents.id, backendSession);
      contents.once('destroyed', () => {
        sessions.get(contents.id)?.close();
        sessions.delete(contents.id);
      });
    }
    try {
      return { ok: true, result: await dispatchCall(backendSession.handlers, method, params) };
    } catch (error) {
      return { ok: false, error: toErrorPayload(error) };
    }
  });

  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    title: 'Emotune',
    backgroundColor: '#14151a',
    webPreferences: {
      preload: join(PROJECT_ROOT, 'dist', 'main', 'app', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  // Links never open inside the app window.
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  await window.loadURL(`${APP_ORIGIN}/index.html`);

  app.on('window-all-closed', () => {
    void backend.dispose().finally(() => app.quit());
  });
}

main().catch((error: unknown) => {
  console.error('Emotune failed to start:', error);
  app.exit(1);
});
