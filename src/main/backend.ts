/**
 * The Node services behind the API, built once per process. Each connected renderer gets a
 * session with its own frame queue and event sink; the models are shared.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ApiEventName, ApiEvents, AppInfo } from '../shared/api.js';
import type { ExpressionModelChoice } from '../shared/vision.js';
import type { ApiHandlers } from './api/apiDispatcher.js';
import type { EventSink } from './api/eventSink.js';
import { MEDIA_SCHEME } from './app/appOrigin.js';
import { DEFAULT_DETECTOR_CARDS, EXPRESSION_CARDS, PROJECT_ROOT } from './appPaths.js';
import { libraryHandlers, moodHandlers, visionHandlers } from './api/featureHandlers.js';
import { playerHandlers } from './api/playerHandlers.js';
import { LibraryService } from './library/libraryService.js';
import { MoodService } from './mood/moodService.js';
import { startVision, storedExpressionModel } from './vision/expressionModels.js';
import { workerThreadChannel } from './vision/visionHost.js';
import type { VisionChannel } from './vision/visionProtocol.js';
import { VisionService } from './vision/visionService.js';

export interface BackendSession {
  handlers: ApiHandlers;
  close(): void;
}

export { DEFAULT_AUDIO_MOOD_CARD, DEFAULT_DETECTOR_CARDS, DEFAULT_EXPRESSION_CARD, MODELS_DIR, PROJECT_ROOT } from './appPaths.js';
export const VISION_WORKER_ENTRY = `${PROJECT_ROOT}dist/main/vision/visionWorker.js`;

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
  detectorCards?: readonly string[];
  /** The expression models' cards by choice (default: those shipped in models/). */
  expressionCards?: Record<ExpressionModelChoice, string>;
  /** Write and add the demo library when the library is empty (first run). */
  demoLibrary?: boolean;
  watchFolders?: boolean;
  /** Where the models run: a worker thread unless the caller (Electron) brings a utility process; called again to restart it. */
  visionChannel?: () => VisionChannel;
  /** A folder dialog opened by the main process (desktop); the renderer never names a path there. */
  pickFolder?: () => Promise<string | null>;
}

export class Backend {
  private readonly version = packageVersion();
  private readonly sinks = new Set<EventSink>();
  readonly library: LibraryService;
  readonly mood: MoodService;
  private started: VisionService | undefined;

  private constructor(
    private readonly transport: AppInfo['transport'],
    dataDir: string,
    watchFolders: boolean,
    private readonly pickFolder?: () => Promise<string | null>,
  ) {
    this.library = new LibraryService(
      dataDir,
      {
        scanProgress: (p) => this.broadcast('library.scanProgress', p),
        changed: () => this.broadcast('library.changed', null),
      },
      { watch: watchFolders },
    );
    this.mood = new MoodService(this.library);
  }

  get vision(): VisionService {
    if (!this.started) throw new Error('the vision models have not been started');
    return this.started;
  }

  static async create(transport: AppInfo['transport'], options: BackendOptions = {}): Promise<Backend> {
    const dataDir = options.dataDir ?? defaultDataDir();
    // The library first: it keeps the settings, and they say which expression model to start.
    const backend = new Backend(transport, dataDir, options.watchFolders ?? true, options.pickFolder);
    const settings = backend.library.store.settings;
    const cards = options.expressionCards ?? EXPRESSION_CARDS;
    try {
      const open = options.visionChannel ?? (() => workerThreadChannel(VISION_WORKER_ENTRY));
      const { host, choice, problem } = await startVision(
        open,
        options.detectorCards ?? DEFAULT_DETECTOR_CARDS,
        cards,
        storedExpressionModel(settings),
      );
      if (problem) console.warn(problem);
      if ('error' in host.info.expression) console.warn(host.info.expression.error);
      backend.started = new VisionService(host, settings, { dataDir, expressionCards: cards, expressionModel: { choice, problem } });
    } catch (error) {
      backend.library.close();
      throw error;
    }
    void backend.library.resumeInterruptedWork().catch((error: unknown) => console.error('could not rescan the library at start:', error));
    if (options.demoLibrary ?? true) {
      // In the background: the window opens while the demo pieces are written and scanned.
      void backend.library.ensureDemoLibrary().catch((error: unknown) => console.error('could not create the demo library:', error));
    }
    return backend;
  }

  private broadcast<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
    for (const sink of this.sinks) sink(event, payload);
  }

  appInfo(): AppInfo {
    const media =
      this.transport === 'web'
        ? { mediaBase: '/media/', coverBase: '/cover/' }
        : { mediaBase: `${MEDIA_SCHEME}://track/`, coverBase: `${MEDIA_SCHEME}://cover/` };
    return {
      name: 'Emotune',
      version: this.version,
      transport: this.transport,
      canPickFolder: this.pickFolder !== undefined,
      ...media,
      ...this.vision.info,
    };
  }

  openSession(emit: EventSink): BackendSession {
    this.sinks.add(emit);
    const vision = this.vision.openSession(emit);
    const handlers: ApiHandlers = {
      'app.info': () => this.appInfo(),
      ...visionHandlers(this.vision, vision),
      ...libraryHandlers(this.library, this.pickFolder),
      ...moodHandlers(this.mood),
      ...playerHandlers(this.library.store),
    };
    return {
      handlers,
      close: () => {
        vision.close();
        this.sinks.delete(emit);
      },
    };
  }

  async dispose(): Promise<void> {
    await this.library.idle();
    this.library.close();
    this.started?.close();
  }
}
