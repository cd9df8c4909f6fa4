/** Starts the browser-mode server in-process on a free port, over the built renderer. */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Backend, PROJECT_ROOT } from '../../src/main/backend.js';
import { startWebServer, type WebServer } from '../../src/main/web/webServer.js';

export interface RunningApp {
  url: string;
  backend: Backend;
  web: WebServer;
  /** A read-only connection of the test's own to the library file: tests check rows the app keeps behind its stores. */
  db: Database.Database;
  close(): Promise<void>;
}

export async function startWebApp(options: { demoLibrary?: boolean; watchFolders?: boolean } = {}): Promise<RunningApp> {
  const rendererDir = `${PROJECT_ROOT}dist/renderer`;
  if (!existsSync(`${rendererDir}/index.html`)) throw new Error('the renderer is not built: run `npm run build` first');
  const dataDir = mkdtempSync(join(tmpdir(), 'emotune-data-'));
  const backend = await Backend.create('web', {
    dataDir,
    demoLibrary: options.demoLibrary ?? false,
    watchFolders: options.watchFolders ?? true,
  });
  const web = await startWebServer(backend, rendererDir);
  const db = new Database(join(dataDir, 'library.sqlite'), { readonly: true, fileMustExist: true });
  return {
    url: web.openUrl,
    backend,
    web,
    db,
    close: async () => {
      db.close();
      await web.close();
      await backend.dispose();
    },
  };
}
