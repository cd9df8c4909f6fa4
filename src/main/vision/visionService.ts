/**
 * The vision feature behind the API: the supervised models (shared by every renderer), the
 * expression smoothing settings, and per renderer a frame queue that keeps only the latest frame
 * and a state machine of its own, so two windows never smooth each other's faces.
 */
import { DEFAULT_EXPRESSION_STATE_SETTINGS, type ExpressionStateSettings } from '../../shared/expressions.js';
import type { VideoFrameData, VisionInfo } from '../../shared/vision.js';
import type { EventSink } from '../api/eventSink.js';
import type { SettingsStore } from '../library/store/settingsStore.js';
import { ExpressionStateMachine } from './expressionStateMachine.js';
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
    const worker = new LatestFrameWorker<VideoFrameData>(async (frame) => {
      const started = performance.now();
      try {
        const analysis = await this.host.analyse({ width: frame.width, height: frame.height, data: frame.rgba });
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
