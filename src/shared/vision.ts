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
  /** The stable state after this frame. */
  state: ExpressionSnapshot;
  /** Wall time the backend spent on this frame, pre- and post-processing included. */
  elapsedMs: number;
  timings: { detectMs: number; classifyMs: number };
}

/** An RGBA frame from the camera, already downscaled by the renderer. */
export type VideoFrameData = z.infer<typeof videoFrameSchema>;

/** Frames larger than this are rejected: the renderer downsizes before sending. */
export const MAX_FRAME_WIDTH = 1280;
export const MAX_FRAME_HEIGHT = 960;

/** The models the vision worker runs, and where. */
export interface VisionInfo {
  detector: { model: string; inputSize: number; executionProvider: string };
  /** The expression model, or why there is none. */
  expression: { model: string; version: string | null; executionProvider: string; classes: string[] } | { error: string };
}
