/** Vision contracts shared by the Node services and the renderer. */
import type { z } from 'zod';
import type { videoFrameSchema } from './schemas.js';
import type { Expression, ExpressionSnapshot } from './expressions.js';

/** MediaPipe BlazeFace keypoint order, as the model emits them (subject's left/right). */
export const FACE_KEYPOINTS = ['rightEye', 'leftEye', 'noseTip', 'mouthCenter', 'rightEarTragion', 'leftEarTragion'] as const;

export interface Point {
  x: number;
  y: number;
}

/** A rectangle in pixels of the frame it was found in. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Face {
  box: Box;
  /** Keypoints in pixels, in FACE_KEYPOINTS order. */
  keypoints: Point[];
  /** Detector confidence in [0, 1]. */
  score: number;
}

export interface FaceExpression {
  /** Calibrated probabilities of this frame alone. */
  probabilities: Record<Expression, number>;
  top: Expression;
}

export interface DetectionResult {
  frameId: number;
  width: number;
  height: number;
  faces: Face[];
  /**
   * Index in `faces` of the listener's face, or null. The listener is the face followed since it
   * was first chosen (then the largest, most central one), even when a larger or more central face
   * comes into view; null too while the followed face is briefly lost, until it returns or, after
   * a moment, the main face is chosen again.
   */
  mainFace: number | null;
  /** The main face's expression in this frame; absent when no expression model is loaded. */
  expression: FaceExpression | null;
  /** The expression's probabilities were adjusted by the listener's calibration. */
  calibrated?: boolean;
  /** The stable state after this frame. */
  state: ExpressionSnapshot;
  /** Wall time the backend spent on this frame, pre- and post-processing included. */
  elapsedMs: number;
  timings: { detectMs: number; classifyMs: number };
}

/** A frame from the camera, already downscaled by the renderer: RGBA, or planar YUV 4:2:0. */
export type VideoFrameData = z.infer<typeof videoFrameSchema>;
/** A frame's picture: what the renderer grabs before numbering it. */
export type FramePicture = WithoutFrameId<VideoFrameData>;
type WithoutFrameId<F> = F extends unknown ? Omit<F, 'frameId'> : never;

/** Frames larger than this are rejected: the renderer downsizes before sending. */
export const MAX_FRAME_WIDTH = 1280;
export const MAX_FRAME_HEIGHT = 960;

/** The models the vision worker runs, and where. */
export interface VisionInfo {
  detector: { model: string; inputSize: number; executionProvider: string };
  /** The expression model, or why there is none. */
  expression: { model: string; version: string | null; executionProvider: string; classes: string[] } | { error: string };
}

/**
 * The expression models Emotune ships, by what they are for: the standard one reads faces best; the
 * low-power one (a narrower student of it) costs a fraction of the time, for laptops on battery and older computers.
 */
export const EXPRESSION_MODEL_CHOICES = ['standard', 'low-power'] as const;
export type ExpressionModelChoice = (typeof EXPRESSION_MODEL_CHOICES)[number];

/** One shipped expression model, as its card describes it. */
export interface ExpressionModelOption {
  choice: ExpressionModelChoice;
  /** The card's name and version; null when the card cannot be read. */
  model: string | null;
  version: string | null;
  /** Measured when it was made, from its card (0 to 1): accuracy on FERPlus test, balanced accuracy on the posed validation faces. */
  ferplusTest: number | null;
  posedBalanced: number | null;
  /** Why it cannot be used, in plain words; null when it can. */
  problem: string | null;
}

export interface ExpressionModels {
  /** The model reading the face now. */
  current: ExpressionModelChoice;
  options: ExpressionModelOption[];
  /** Why the model asked for is not the one in use (it failed to load at start), in plain words; else null. */
  problem: string | null;
}

/**
 * The poses of the guided calibration, in the order they are asked for: the first two always, the
 * others when the listener asks for them. Each pose is the expression it asks the face to show.
 */
export const CALIBRATION_POSES = ['neutral', 'happiness', 'surprise', 'sadness'] as const;
export type CalibrationPose = (typeof CALIBRATION_POSES)[number];
export const REQUIRED_CALIBRATION_POSES: readonly CalibrationPose[] = ['neutral', 'happiness'];
/** What each pose asks of the face, to follow "Please …" or "while you were asked to …". */
export const CALIBRATION_POSE_PROMPTS: Record<CalibrationPose, string> = {
  neutral: 'look relaxed',
  happiness: 'smile',
  surprise: 'look surprised',
  sadness: 'look sad',
};

/** What the listener's calibration holds, and whether it is in use. */
export interface CalibrationStatus {
  /** Expression recognition is on, so there is something to calibrate. */
  available: boolean;
  /** The calibration is applied to every frame's probabilities now. */
  active: boolean;
  /** The poses kept, one per kind (the latest), with when and how many frames of the model's scores. */
  poses: { pose: CalibrationPose; at: number; frames: number }[];
  /** "Not this expression" corrections kept, oldest first. */
  corrections: { not: Expression; at: number; frames: number }[];
  /** Per class of the model, what is added to its log-probability (nats; 0: nothing). */
  offsets: Partial<Record<Expression, number>>;
  /** The most any offset may be, either way. */
  cap: number;
  /** Why a calibration kept on disk is not in use (damaged, made for another model), in plain words. */
  problem: string | null;
}

export type CalibrationFailure = 'unavailable' | 'not-started' | 'no-frames' | 'no-face' | 'several-faces' | 'not-saved' | 'no-expression';

/** The answer to a calibration step: on failure, why in plain words; the calibration before it stays. */
export type CalibrationOutcome =
  { ok: true; status: CalibrationStatus } | { ok: false; reason: CalibrationFailure; message: string; status: CalibrationStatus };

/** The face exactly as the expression model receives it (its input, turned back into bytes), for the privacy view only. */
export interface FaceCropImage {
  width: number;
  height: number;
  /** 1: grey, one byte a pixel; 3: RGB. */
  channels: 1 | 3;
  data: Uint8Array;
  /** When the frame it came from was read (ms, the backend's clock). */
  at: number;
}
