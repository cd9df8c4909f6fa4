/**
 * The vision feature behind the API: the supervised models (shared by every renderer), the
 * expression smoothing settings, and per renderer a frame queue that keeps only the latest frame,
 * the face it follows and a state machine of its own, so two windows never follow or smooth each
 * other's faces.
 */
import {
  DEFAULT_EXPRESSION_STATE_SETTINGS,
  EXPRESSION_ADJECTIVES,
  type Expression,
  type ExpressionState,
  type ExpressionStateSettings,
} from '../../shared/expressions.js';
import {
  CALIBRATION_POSE_PROMPTS,
  type CalibrationOutcome,
  type CalibrationPose,
  type CalibrationStatus,
  EXPRESSION_MODEL_CHOICES,
  type ExpressionModelChoice,
  type ExpressionModels,
  type FaceCropImage,
  type VideoFrameData,
  type VisionInfo,
} from '../../shared/vision.js';
import type { EventSink } from '../api/eventSink.js';
import type { SettingsStore } from '../library/store/settingsStore.js';
import { EXPRESSION_CARDS } from '../appPaths.js';
import { cameraImage } from './cameraImage.js';
import { describeExpressionModel, EXPRESSION_MODEL_KEY } from './expressionModels.js';
import { ExpressionStateMachine } from './expressionStateMachine.js';
import type { Followed } from './faceTracker.js';
import { LatestFrameWorker } from './latestFrameWorker.js';
import { ListenerCalibration, MAX_FRAMES_KEPT } from './listenerCalibration.js';
import type { VisionHost } from './visionHost.js';

const EXPRESSION_SETTINGS_KEY = 'expressionState';
/** A pose needs at least this many frames with the listener alone in view (the camera may be at 2 a second then). */
export const MIN_POSE_FRAMES = 3;
/** A pose with another face in this share of its frames or more is not the listener's alone. */
const SEVERAL_FACES_SHARE = 0.25;
/** A pose never started and finished collects no longer than this. */
const POSE_LIMIT_MS = 30_000;
/** "Not sad" is about the frames of the last few seconds: those that made the expression shown. */
const CORRECTION_WINDOW_MS = 3000;
/** After the privacy view's last request the face crop is no longer taken, and the last one is dropped. */
const CROP_KEEP_MS = 2000;

export interface VisionSession {
  /** Queues a frame (a newer one replaces any still waiting); false once the session is closed. */
  submit(frame: VideoFrameData): boolean;
  /** This session's next frames are a calibration pose, until it is finished or cancelled. */
  startPose(pose: CalibrationPose): CalibrationOutcome;
  /** Fits and saves the pose's frames; no face, or several, fails and changes nothing. */
  finishPose(pose: CalibrationPose): Promise<CalibrationOutcome>;
  cancelPose(): boolean;
  /** "Not sad" about the stable expression this session shows. */
  correct(not: Expression): Promise<CalibrationOutcome>;
  /** The face the model received from this session's latest frame; asking keeps it coming for a moment. */
  faceCrop(): FaceCropImage | null;
  close(): void;
}

/** The frames of one pose under way. */
interface PoseFrames {
  pose: CalibrationPose;
  startedAt: number;
  frames: number;
  noFace: number;
  severalFaces: number;
  /** The model's scores of the listener's face, from frames where it was alone in view. */
  scores: number[][];
}

function poseFailure(pose: PoseFrames, status: CalibrationStatus): CalibrationOutcome | null {
  const asked = `while you were asked to ${CALIBRATION_POSE_PROMPTS[pose.pose]}`;
  const kept = 'Your calibration is as it was before.';
  if (pose.frames === 0) {
    return {
      ok: false,
      reason: 'no-frames',
      message: `No picture came from the camera ${asked}: check that the camera is on, and try again. ${kept}`,
      status,
    };
  }
  if (pose.severalFaces > 0 && pose.severalFaces >= pose.frames * SEVERAL_FACES_SHARE) {
    return {
      ok: false,
      reason: 'several-faces',
      message: `More than one face was in view ${asked}: for this step only you should be in front of the camera. ${kept}`,
      status,
    };
  }
  if (pose.scores.length < MIN_POSE_FRAMES) {
    return {
      ok: false,
      reason: 'no-face',
      message: `No face was seen ${asked}: sit in front of the camera, in good light, and try again. ${kept}`,
      status,
    };
  }
  return null;
}

/** What the service needs of the models: the supervised worker, or anything that answers like it (changing model optional). */
export type FrameAnalyser = Pick<VisionHost, 'info' | 'analyse' | 'close'> & Partial<Pick<VisionHost, 'useExpressionModel'>>;

export interface VisionServiceOptions {
  /** Where the listener's calibration is kept; without it, it lasts as long as the service. */
  dataDir?: string;
  /** The shipped models' cards by choice (default: those in models/). */
  expressionCards?: Record<ExpressionModelChoice, string>;
  /** The model the host was started with (default: standard), and why it is not the one stored, if it is not. */
  expressionModel?: { choice: ExpressionModelChoice; problem: string | null };
}

export class VisionService {
  private readonly machines = new Set<ExpressionStateMachine>();
  /** One listener per device: every window reads the face with the same calibration. */
  readonly calibration: ListenerCalibration;
  private readonly cards: Record<ExpressionModelChoice, string>;
  private modelChoice: ExpressionModelChoice;
  private modelProblem: string | null;
  /** Changes of model, one after another: two at once would race for the worker. */
  private modelChange: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: FrameAnalyser,
    private readonly settings: SettingsStore,
    options: VisionServiceOptions = {},
  ) {
    this.calibration = new ListenerCalibration(options.dataDir, () => this.host.info.expression);
    this.cards = options.expressionCards ?? EXPRESSION_CARDS;
    this.modelChoice = options.expressionModel?.choice ?? 'standard';
    this.modelProblem = options.expressionModel?.problem ?? null;
  }

  async expressionModels(): Promise<ExpressionModels> {
    const options = await Promise.all(EXPRESSION_MODEL_CHOICES.map((c) => describeExpressionModel(c, this.cards[c])));
    return { current: this.modelChoice, options, problem: this.modelProblem };
  }

  /** Reads the face with that model from the next frame on, and keeps the choice; on failure the model before stays. */
  setExpressionModel(choice: ExpressionModelChoice): Promise<ExpressionModels> {
    const change = this.modelChange.then(() => this.changeModel(choice));
    this.modelChange = change.catch(() => undefined);
    return change;
  }

  private async changeModel(choice: ExpressionModelChoice): Promise<ExpressionModels> {
    if (choice !== this.modelChoice) {
      if (!this.host.useExpressionModel) throw new Error('The expression model cannot be changed in this build.');
      try {
        await this.host.useExpressionModel(this.cards[choice]);
      } catch (error) {
        throw new Error(
          `The ${choice} model could not be loaded, so the ${this.modelChoice} model is still in use: ${(error as Error).message}`,
          { cause: error },
        );
      }
      this.modelChoice = choice;
    }
    this.modelProblem = null;
    this.settings.set(EXPRESSION_MODEL_KEY, choice);
    return this.expressionModels();
  }

  get info(): VisionInfo {
    return this.host.info;
  }

  calibrationStatus(): CalibrationStatus {
    return this.calibration.status();
  }

  forgetCalibration(): Promise<CalibrationStatus> {
    return this.calibration.forget();
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
    let stable: ExpressionState = 'no-face';
    let pose: PoseFrames | null = null;
    /** The main face's scores over the last few seconds, for a correction. */
    let recent: { at: number; scores: number[] }[] = [];
    // The privacy view's face crop: taken only while it asks, held in memory only, dropped soon after.
    let cropWantedUntil = -Infinity;
    let crop: FaceCropImage | null = null;
    let cropTimer: NodeJS.Timeout | undefined;
    const dropCrop = () => {
      clearTimeout(cropTimer);
      cropWantedUntil = -Infinity;
      crop = null;
    };
    const worker = new LatestFrameWorker<VideoFrameData>(async (frame) => {
      const started = performance.now();
      // Frame ids start again at 1 when the camera is turned back on, and a new size is a new camera:
      // a box from the old stream says nothing about who is in this one.
      if (last && (frame.frameId <= last.frameId || frame.width !== last.width || frame.height !== last.height)) followed = null;
      last = { frameId: frame.frameId, width: frame.width, height: frame.height };
      try {
        const wantCrop = started < cropWantedUntil;
        const {
          followed: next,
          scores,
          crop: faceCrop,
          ...analysis
        } = await this.host.analyse(cameraImage(frame), { followed, at: started, ...(wantCrop && { crop: true }) });
        followed = next ?? null;
        // The listener's calibration, where probabilities are made: the state machine, the renderer
        // and the music all see the calibrated expression.
        const calibrated = scores ? this.calibration.apply(scores) : null;
        const expression = calibrated ?? analysis.expression;
        if (wantCrop && faceCrop !== undefined) crop = faceCrop && { ...faceCrop, at: started };
        if (pose && started - pose.startedAt <= POSE_LIMIT_MS) {
          pose.frames++;
          const faces = analysis.faces.length;
          if (faces > 1) pose.severalFaces++;
          else if (faces === 0 || !scores) pose.noFace++;
          else pose.scores = [...pose.scores, scores].slice(-MAX_FRAMES_KEPT);
        }
        recent = recent.filter((r) => started - r.at <= CORRECTION_WINDOW_MS);
        if (scores) recent.push({ at: started, scores });
        const state = machine.update(performance.now(), expression?.probabilities ?? null);
        stable = state.stable;
        emit('vision.faces', {
          frameId: frame.frameId,
          width: frame.width,
          height: frame.height,
          ...analysis,
          expression,
          ...(calibrated && { calibrated: true }),
          state,
          elapsedMs: performance.now() - started,
        });
      } catch (error) {
        emit('vision.error', { frameId: frame.frameId, message: (error as Error).message });
      }
    });
    const unavailable = (): CalibrationOutcome => ({
      ok: false,
      reason: 'unavailable',
      message: 'Expressions cannot be read on this computer, so there is nothing to calibrate.',
      status: this.calibration.status(),
    });
    return {
      submit: (frame) => worker.submit(frame),
      startPose: (next) => {
        const status = this.calibration.status();
        if (!status.available) return unavailable();
        pose = { pose: next, startedAt: performance.now(), frames: 0, noFace: 0, severalFaces: 0, scores: [] };
        return { ok: true, status };
      },
      finishPose: async (name) => {
        const done = pose;
        if (!done || done.pose !== name) {
          return {
            ok: false,
            reason: 'not-started',
            message: `No “${CALIBRATION_POSE_PROMPTS[name]}” step was under way: start it again.`,
            status: this.calibration.status(),
          };
        }
        pose = null;
        return poseFailure(done, this.calibration.status()) ?? this.calibration.addPose(done.pose, done.scores);
      },
      cancelPose: () => {
        const was = pose !== null;
        pose = null;
        return was;
      },
      correct: async (not) => {
        if (!this.calibration.status().available) return unavailable();
        const frames = recent.filter((r) => performance.now() - r.at <= CORRECTION_WINDOW_MS).map((r) => r.scores);
        if (stable !== not || frames.length === 0) {
          return {
            ok: false,
            reason: 'no-expression',
            message: `Emotune no longer reads you as ${EXPRESSION_ADJECTIVES[not]}, so there was nothing to correct.`,
            status: this.calibration.status(),
          };
        }
        return this.calibration.addCorrection(not, frames);
      },
      faceCrop: () => {
        const now = performance.now();
        cropWantedUntil = now + CROP_KEEP_MS;
        clearTimeout(cropTimer);
        cropTimer = setTimeout(dropCrop, CROP_KEEP_MS);
        cropTimer.unref();
        return crop && now - crop.at <= CROP_KEEP_MS ? crop : null;
      },
      close: () => {
        worker.close();
        this.machines.delete(machine);
        pose = null;
        recent = [];
        dropCrop();
      },
    };
  }

  close(): void {
    this.host.close();
  }
}
