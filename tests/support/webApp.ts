/** Starts the browser-mode server in-process on a free port, over the built renderer. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Backend, PROJECT_ROOT } from '../../src/main/backend.js';
import { startWebServer, type WebServer } from '../../src/main/web/webServer.js';

export interface RunningApp {
  url: string;
  backend: Backend;
  web: WebServer;
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
  return {
    url: web.openUrl,
    backend,
    web,
    close: async () => {
      await web.close();
      await backend.dispose();
    },
  };
}
