/**
 * The vision feature behind the API: the supervised models (shared by every renderer), the
 * expression smoothing settings, and per renderer a frame queue that keeps only the latest frame,
 * the face it follows and a state machine of its own, so two windows never follow or smooth each
 * other's faces.
 */
import { DEFAULT_EXPRESSION_STATE_SETTINGS, type ExpressionStateSettings } from '../../shared/expressions.js';
import type { VideoFrameData, VisionInfo } from '../../shared/vision.js';
import type { EventSink } from '../api/eventSink.js';
import type { SettingsStore } from '../library/store/settingsStore.js';
import { ExpressionStateMachine } from './expressionStateMachine.js';
import type { Followed } from './faceTracker.js';
import { LatestFrameWorker } from './latestFrameWorker.js';
import type { VisionHost } from './visionHost.js';

const EXPRESSION_SETTINGS_KEY = 'expressionState';

export interface VisionSession {
  /** Queues a frame (a newer one replaces any still waiting); false once the session is closed. */
  submit(frame: VideoFrameData): boolean;
  close(): void;
}

/** What the service needs of the models: the supervised worker, or anything that answers like it. */
export type FrameAnalyser = Pick<VisionHost, 'info' | 'analyse' | 'close'>;

export class VisionService {
  private readonly machines = new Set<ExpressionStateMachine>();

  constructor(
    private readonly host: FrameAnalyser,
    private readonly settings: SettingsStore,
  ) {}

  get info(): VisionInfo {
    return this.host.info;
  }

  expressionSettings(): ExpressionStateSettings {
    return { ...DEFAULT_EXPRESSION_STATE_SETTINGS, ...this.settings.get<Partial<ExpressionStateSettings>>(EXPRESSION_SETTINGS_KEY) };
  }

  /** Stores the settings and applies them to every open session at once. */
  setExpressionSettings(settings: ExpressionStateSettings): ExpressionStateSettings {
    this.settings.set(EXPRESSION_SETTINGS_KEY, settings);
    const next = this.expressionSettings();
    for (const m of this.machines) m.configure(next);
    return next;
  }

  openSession(emit: EventSink): VisionSession {
    const machine = new ExpressionStateMachine(this.expressionSettings(), performance.now());
    this.machines.add(machine);
    let followed: Followed | null = null;
    let last: Pick<VideoFrameData, 'frameId' | 'width' | 'height'> | undefined;
    const worker = new LatestFrameWorker<VideoFrameData>(async (frame) => {
      const started = performance.now();
      // Frame ids start again at 1 when the camera is turned back on, and a new size is a new camera:
      // a box from the old stream says nothing about who is in this one.
      if (last && (frame.frameId <= last.frameId || frame.width !== last.width || frame.height !== last.height)) followed = null;
      last = { frameId: frame.frameId, width: frame.width, height: frame.height };
      try {
        const image = { width: frame.width, height: frame.height, data: frame.rgba };
        const { followed: next, ...analysis } = await this.host.analyse(image, { followed, at: started });
        followed = next ?? null;
        const state = machine.update(performance.now(), analysis.expression?.probabilities ?? null);
        emit('vision.faces', {
          frameId: frame.frameId,
          width: frame.width,
          height: frame.height,
          ...analysis,
          state,
          elapsedMs: performance.now() - started,
        });
      } catch (error) {
        emit('vision.error', { frameId: frame.frameId, message: (error as Error).message });
      }
    });
    return {
      submit: (frame) => worker.submit(frame),
      close: () => {
        worker.close();
        this.machines.delete(machine);
      },
    };
  }

  close(): void {
    this.host.close();
  }
}
