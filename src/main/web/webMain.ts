/** `npm run web`: the same renderer and services as the desktop app, in a browser. */
import { parseArgs } from 'node:util';
import { Backend, defaultDataDir, PROJECT_ROOT } from '../backend.js';
import { LibraryDatabaseError } from '../library/database.js';
import { acquireInstanceLock, InstanceLockError, type InstanceLock } from '../library/instanceLock.js';
import { recoverLibrary } from '../library/libraryRecovery.js';
import { startWebServer, type WebServer } from './webServer.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.EMOTUNE_PORT ?? '5730' },
    'data-dir': { type: 'string', default: defaultDataDir() },
    recover: { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}
const dataDir = values['data-dir'];

async function start(): Promise<{ lock: InstanceLock; backend: Backend; web: WebServer }> {
  const lock = acquireInstanceLock(dataDir);
  try {
    if (values.recover) {
      const r = await recoverLibrary(dataDir);
      console.log(
        r.fromBackup
          ? `Recovered the library: the damaged database is kept as ${r.movedTo}; ${r.folders} folder(s) scanned again (${r.tracks} tracks), ${r.userMoods} of your moods and ${r.playlists} playlist(s) put back.`
          : `Started a new library: the damaged database is kept as ${r.movedTo}; there was no backup of your moods, so add your folders again.`,
      );
    }
    const backend = await Backend.create('web', { dataDir });
    const web = await startWebServer(backend, `${PROJECT_ROOT}dist/renderer`, port).catch(async (error: NodeJS.ErrnoException) => {
      await backend.dispose();
      throw error.code === 'EADDRINUSE'
        ? new StartError(`port ${port} is taken by another program: start with --port <another number>`, { cause: error })
        : error;
    });
    return { lock, backend, web };
  } catch (error) {
    lock.release();
    throw error;
  }
}

class StartError extends Error {}

const { lock, backend, web } = await start().catch((error: unknown) => {
  // Plain words, no stack trace, for what the user can act on; anything else is a bug, shown whole.
  const known = error instanceof LibraryDatabaseError || error instanceof InstanceLockError || error instanceof StartError;
  console.error(known ? `Emotune cannot start: ${(error as Error).message}` : error);
  if (error instanceof LibraryDatabaseError && error.damaged) {
    console.error('To do that now: npm run web -- --recover (your own moods, playlists and settings are kept from their backup)');
  }
  process.exit(known ? 1 : 70);
});
console.log(
  `Emotune is running. Open this address in Chromium or Chrome (it holds this run's key; Ctrl+C to stop):\n  ${web.openUrl}\nLibrary data: ${dataDir}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void web
      .close()
      .then(() => backend.dispose())
      .finally(() => {
        lock.release();
        process.exit(0);
      });
  });
}
