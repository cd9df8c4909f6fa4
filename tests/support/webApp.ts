/** Starts the browser-mode server in-process on a free port, over the built renderer. */
import { existsSync } from 'node:fs';
import { Backend, PROJECT_ROOT } from '../../src/main/backend.js';
import { startWebServer, type WebServer } from '../../src/main/web/webServer.js';

export interface RunningApp {
  url: string;
  web: WebServer;
  close(): Promise<void>;
}

export async function startWebApp(): Promise<RunningApp> {
  const rendererDir = `${PROJECT_ROOT}dist/renderer`;
  if (!existsSync(`${rendererDir}/index.html`)) throw new Error('the renderer is not built: run `npm run build` first');
  const backend = await Backend.create('web');
  const web = await startWebServer(backend, rendererDir);
  return {
    url: web.url,
    web,
    close: async () => {
      await web.close();
      await backend.dispose();
    },
  };
}
