/**
 * The Node services behind the API, built once per process. Each connected renderer gets a
 * session with its own frame queue and event sink; the models are shared.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiEventName, ApiEvents, AppInfo } from '../shared/api.js';
import type { VideoFrameData } from '../shared/vision.js';
import type { ApiHandlers } from './api/apiDispatcher.js';
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

export class Backend {
  private readonly version = packageVersion();

  private constructor(
    private readonly transport: AppInfo['transport'],
    private readonly detector: FaceDetector,
  ) {}

  static async create(transport: AppInfo['transport'], detectorCard = DEFAULT_DETECTOR_CARD): Promise<Backend> {
    return new Backend(transport, await FaceDetector.load(detectorCard));
  }

  openSession(emit: EventSink): BackendSession {
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
    };
    return { handlers, close: () => worker.close() };
  }

  dispose(): Promise<void> {
    return this.detector.dispose();
  }
}
