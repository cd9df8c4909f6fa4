/**
 * The browser-mode backend in a process of its own, for `npm run bench:cpu`: the CPU it reports is
 * then the app's alone. In the benchmark's own process it was not: Playwright's client there parses
 * every CDP event of the page, the 300 KB camera frames on the WebSocket included.
 * Talks over the fork IPC channel: `ready` with the URL, then `cpu` (its CPU seconds so far),
 * `model` (choose an expression model) and `close`.
 */
import { Backend, PROJECT_ROOT } from '../../main/backend.js';
import { startWebServer } from '../../main/web/webServer.js';
import type { ExpressionModelChoice } from '../../shared/vision.js';

export type ToBackendProcess = { type: 'cpu' } | { type: 'model'; model: ExpressionModelChoice } | { type: 'close' };
export type FromBackendProcess =
  { type: 'ready'; openUrl: string } | { type: 'cpu'; seconds: number } | { type: 'model' } | { type: 'failed'; message: string };

const send = (message: FromBackendProcess) => process.send!(message);

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir || !process.send) throw new Error('run by the benchmark with fork(<this file>, [dataDir])');
  const backend = await Backend.create('web', { dataDir, demoLibrary: false, watchFolders: false });
  const web = await startWebServer(backend, `${PROJECT_ROOT}dist/renderer`);
  process.on('message', (message: ToBackendProcess) => {
    void (async () => {
      if (message.type === 'cpu') {
        const { user, system } = process.cpuUsage();
        send({ type: 'cpu', seconds: (user + system) / 1e6 });
      } else if (message.type === 'model') {
        await backend.vision.setExpressionModel(message.model);
        send({ type: 'model' });
      } else {
        await web.close();
        await backend.dispose();
        process.exit(0);
      }
    })().catch((error: unknown) => send({ type: 'failed', message: (error as Error).message }));
  });
  send({ type: 'ready', openUrl: web.openUrl });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
