/**
 * The Node services behind the API, built once per process. Each connected renderer gets a
 * session with its own frame queue and event sink; the models are shared.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiEventName, ApiEvents, AppInfo } from '../shared/api.js';
import type { VideoFrameData } from '../shared/vision.js';
import type { ApiHandlers } from './api/apiDispatcher.js';
import { LibraryService } from './library/libraryService.js';
import { FaceDetector } from './vision/faceDetector.js';
import { LatestFrameWorker } from './vision/latestFrameWorker.js';

export type EventSink = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;

export interface BackendSession {
  handlers: ApiHandlers;
  close(): void;
}

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
// In a packaged app the models are unpacked next to app.asar: onnxruntime reads real files only.
export const MODELS_DIR = `${PROJECT_ROOT.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1')}models`;
/** The detector the app ships with; the README says why this one. */
export const DEFAULT_DETECTOR_CARD = `${MODELS_DIR}/blazeface-back-256.json`;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(`${PROJECT_ROOT}package.json`, 'utf8')) as { version: string };
  return pkg.version;
}

/** Where the library and settings live when the caller does not say (Electron passes its userData). */
export function defaultDataDir(): string {
  if (process.env.EMOTUNE_DATA_DIR) return process.env.EMOTUNE_DATA_DIR;
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Emotune');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Emotune');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Emotune');
}

export interface BackendOptions {
  dataDir?: string;
  detectorCard?: string;
  /** Write and add the demo library when the library is empty (first run). */
  demoLibrary?: boolean;
  watchFolders?: boolean;
}

export class Backend {
  private readonly version = packageVersion();
  private readonly sinks = new Set<EventSink>();
  readonly library: LibraryService;

  private constructor(
    private readonly transport: AppInfo['transport'],
    private readonly detector: FaceDetector,
    dataDir: string,
    watchFolders: boolean,
  ) {
    this.library = new LibraryService(
      dataDir,
      {
        scanProgress: (p) => this.broadcast('library.scanProgress', p),
        changed: () => this.broadcast('library.changed', null),
      },
      { watch: watchFolders },
    );
  }

  static async create(transport: AppInfo['transport'], options: BackendOptions = {}): Promise<Backend> {
    const detector = await FaceDetector.load(options.detectorCard ?? DEFAULT_DETECTOR_CARD);
    const backend = new Backend(transport, detector, options.dataDir ?? defaultDataDir(), options.watchFolders ?? true);
    if (options.demoLibrary ?? true) {
      // In the background: the window opens while the demo pieces are written and scanned.
      void backend.library.ensureDemoLibrary().catch((error: unknown) => console.error('could not create the demo library:', error));
    }
    return backend;
  }

  private broadcast<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
    for (const sink of this.sinks) sink(event, payload);
  }

  openSession(emit: EventSink): BackendSession {
    this.sinks.add(emit);
    const library = this.library;
    const worker = new LatestFrameWorker<VideoFrameData>(async (frame) => {
      const started = performance.now();
      try {
        const faces = await this.detector.detect({ width: frame.width, height: frame.height, data: frame.rgba });
        emit('vision.faces', {
          frameId: frame.frameId,
          width: frame.width,
          height: frame.height,
          faces,
          elapsedMs: performance.now() - started,
        });
      } catch (error) {
        emit('vision.error', { frameId: frame.frameId, message: (error as Error).message });
      }
    });
    const handlers: ApiHandlers = {
      'app.info': () => ({
        name: 'Emotune',
        version: this.version,
        transport: this.transport,
        detector: {
          model: this.detector.card.name,
          inputSize: this.detector.card.input.size,
          executionProvider: this.detector.executionProvider,
        },
      }),
      'vision.submitFrame': (frame) => ({ frameId: frame.frameId, queued: worker.submit(frame) }),
      'library.folders': () => library.listFolders(),
      'library.addFolder': ({ path }) => library.addFolder(path),
      'library.removeFolder': ({ id }) => ({ removed: library.removeFolder(id) }),
      'library.rescan': ({ folderId }) => library.rescan(folderId),
      'library.tracks': (query) => library.listTracks(query),
      'library.setMood': ({ trackIds, mood }) => ({ changed: library.setUserMood(trackIds, mood) }),
      'library.writeMoodTags': ({ trackIds }) => library.writeMoodTags(trackIds),
      'library.importPlaylist': ({ path, name }) => library.importPlaylist(path, name),
      'library.exportPlaylist': async ({ trackIds, path }) => ({ written: await library.exportPlaylist(trackIds, path) }),
      'mood.policy': () => library.moodPolicy(),
      'mood.setPolicy': ({ policy }) => {
        library.setMoodPolicy(policy);
        return library.moodPolicy();
      },
      'mood.next': ({ expression, mode, currentTrackId }) => library.chooseNext(expression, mode, currentTrackId),
      'library.recordPlay': ({ trackId, ...details }) => ({ recorded: library.recordPlay(trackId, details) }),
    };
    return {
      handlers,
      close: () => {
        worker.close();
        this.sinks.delete(emit);
      },
    };
  }

  async dispose(): Promise<void> {
    await this.library.idle();
    this.library.close();
    await this.detector.dispose();
  }
}
