/**
 * `npm run web`: the same renderer and services as the desktop app, in a browser.
 *
 * startWeb() starts it or throws a WebStartFailure (words for the user and an exit code); only
 * the process wrapper at the bottom prints and exits, so tests can call startWeb() in-process.
 */
import { realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Backend, defaultDataDir, PROJECT_ROOT } from '../backend.js';
import { LibraryDatabaseError } from '../library/database.js';
import { acquireInstanceLock, InstanceLockError } from '../library/instanceLock.js';
import { recoverLibrary } from '../library/libraryRecovery.js';
import { startWebServer, type WebServer } from './webServer.js';

export const DEFAULT_PORT = 5730;

export interface WebOptions {
  port: number;
  dataDir: string;
  recover: boolean;
}

/** Why browser mode did not start, said for the user (no stack trace), and the exit code to stop with. */
export class WebStartFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
    /** Lines to print after the message: what to do now. */
    readonly hints: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WebStartFailure';
  }
}

export interface RunningWeb {
  web: WebServer;
  dataDir: string;
  /** What happened before the server started (a recovery), to print. */
  notes: string[];
  stop(): Promise<void>;
}

/** `--port`, `--data-dir`, `--recover`; a mistake is a WebStartFailure with exit code 2. */
export function parseWebArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): WebOptions {
  const parse = () =>
    parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string', default: env.EMOTUNE_PORT ?? String(DEFAULT_PORT) },
        'data-dir': { type: 'string', default: defaultDataDir() },
        recover: { type: 'boolean', default: false },
      },
    }).values;
  let values: ReturnType<typeof parse>;
  try {
    values = parse();
  } catch (error) {
    throw new WebStartFailure((error as Error).message, 2, ['Usage: npm run web -- [--port <number>] [--data-dir <folder>] [--recover]']);
  }
  const port = Number(values.port);
  if (values.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new WebStartFailure(`--port ${values.port} is not a port number (0 to 65535)`, 2);
  }
  return { port, dataDir: values['data-dir'], recover: values.recover };
}

/** A listening error in words: what is wrong with the port and what to type instead. */
export function listenFailure(error: NodeJS.ErrnoException, port: number): WebStartFailure {
  const other = port === 8080 ? 8081 : 8080;
  const instead = `Start with \`npm run web -- --port ${other}\` to use another port.`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new WebStartFailure(`port ${port} is in use (another Emotune or another program?). ${instead}`, 1, [], { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new WebStartFailure(
        `this system does not let Emotune use port ${port} (ports below 1024 need administrator rights). ${instead}`,
        1,
        [],
        {
          cause: error,
        },
      );
    case 'EADDRNOTAVAIL':
      return new WebStartFailure(
        'the loopback address 127.0.0.1 is not available on this machine, and browser mode listens only there',
        1,
        [],
        {
          cause: error,
        },
      );
    default:
      return new WebStartFailure(`cannot listen on 127.0.0.1:${port} (${error.code ?? error.message}). ${instead}`, 1, [], {
        cause: error,
      });
  }
}

/** Fails fast on a busy port, before the library is opened; the real listen is checked again. */
function checkPortFree(port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(listenFailure(error, port)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** Plain words, no stack trace, for what the user can act on; anything else is a bug and stays as it is. */
function asStartFailure(error: unknown): unknown {
  if (error instanceof WebStartFailure) return error;
  if (error instanceof InstanceLockError) return new WebStartFailure(error.message, 1, [], { cause: error });
  if (error instanceof LibraryDatabaseError) {
    const hints = error.damaged
      ? ['To do that now: npm run web -- --recover (your own moods, playlists and settings are kept from their backup)']
      : [];
    return new WebStartFailure(error.message, 1, hints, { cause: error });
  }
  return error;
}

export async function startWeb(options: WebOptions): Promise<RunningWeb> {
  // onnxruntime (in the vision worker) reports usage to Microsoft unless this is set before it
  // starts; a worker thread cannot set it for the native library, so the main thread does.
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
  const { port, dataDir } = options;
  const notes: string[] = [];
  let lock;
  try {
    lock = acquireInstanceLock(dataDir);
  } catch (error) {
    throw asStartFailure(error);
  }
  try {
    await checkPortFree(port);
    if (options.recover) {
      const r = await recoverLibrary(dataDir);
      notes.push(
        r.fromBackup
          ? `Recovered the library: the damaged database is kept as ${r.movedTo}; ${r.folders} folder(s) scanned again (${r.tracks} tracks), ${r.userMoods} of your moods and ${r.playlists} playlist(s) put back.`
          : `Started a new library: the damaged database is kept as ${r.movedTo}; there was no backup of your moods, so add your folders again.`,
      );
    }
    const backend = await Backend.create('web', { dataDir });
    let web: WebServer;
    try {
      web = await startWebServer(backend, `${PROJECT_ROOT}dist/renderer`, port);
    } catch (error) {
      await backend.dispose();
      throw (error as NodeJS.ErrnoException).syscall === 'listen' ? listenFailure(error as NodeJS.ErrnoException, port) : error;
    }
    const held = lock;
    return {
      web,
      dataDir,
      notes,
      stop: async () => {
        try {
          await web.close();
          await backend.dispose();
        } finally {
          held.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw asStartFailure(error);
  }
}

/** What the process prints for a failed start, and its exit code (70 for a bug, with its stack). */
export function describeStartFailure(error: unknown): { lines: string[]; exitCode: number } {
  if (error instanceof WebStartFailure)
    return { lines: [`Emotune cannot start: ${error.message}`, ...error.hints], exitCode: error.exitCode };
  return { lines: [error instanceof Error ? (error.stack ?? error.message) : String(error)], exitCode: 70 };
}

async function main(): Promise<void> {
  let running: RunningWeb;
  try {
    running = await startWeb(parseWebArgs(process.argv.slice(2)));
  } catch (error) {
    const { lines, exitCode } = describeStartFailure(error);
    for (const line of lines) console.error(line);
    process.exit(exitCode);
  }
  for (const note of running.notes) console.log(note);
  console.log(`Emotune is running. Open ${running.web.openUrl} in Chromium or Chrome. Press Ctrl+C to stop.`);
  console.log(`(The address holds this run's key; library data: ${running.dataDir})`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void running.stop().finally(() => process.exit(0)));
  }
}

/** True when this file is the program (`node dist/main/web/webMain.js`), not imported by a test. */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) await main();
