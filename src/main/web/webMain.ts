/** `npm run web`: the same renderer and services as the desktop app, in a browser. */
import { parseArgs } from 'node:util';
import { Backend, defaultDataDir, PROJECT_ROOT } from '../backend.js';
import { startWebServer } from './webServer.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.EMOTUNE_PORT ?? '5730' },
    'data-dir': { type: 'string', default: defaultDataDir() },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}

const backend = await Backend.create('web', { dataDir: values['data-dir'] });
const web = await startWebServer(backend, `${PROJECT_ROOT}dist/renderer`, port);
console.log(
  `Emotune is running. Open this address in Chromium or Chrome (it holds this run's key; Ctrl+C to stop):\n  ${web.openUrl}\nLibrary data: ${values['data-dir']}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void web
      .close()
      .then(() => backend.dispose())
      .finally(() => process.exit(0));
  });
}
