/**
 * Facial expressions as the app speaks of them: the eight FERPlus classes, plus the two
 * states that are not an expression. A model's own class order lives in its card.
 */
import type { z } from 'zod';
import type { expressionStateSettingsSchema } from './schemas.js';
export const EXPRESSIONS = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt'] as const;

export type Expression = (typeof EXPRESSIONS)[number];

/** What the temporal state machine reports: an expression, or why there is none. */
export type ExpressionState = Expression | 'uncertain' | 'no-face';

export const EXPRESSION_STATES: readonly ExpressionState[] = [...EXPRESSIONS, 'uncertain', 'no-face'];

/** Words for the UI ("you look happy"). */
export const EXPRESSION_ADJECTIVES: Record<ExpressionState, string> = {
  neutral: 'calm and neutral',
  happiness: 'happy',
  surprise: 'surprised',
  sadness: 'sad',
  anger: 'angry',
  disgust: 'disgusted',
  fear: 'afraid',
  contempt: 'unimpressed',
  uncertain: 'hard to read',
  'no-face': 'away',
};

/** How the stable expression follows the frames (the schema says what each number means). */
export type ExpressionStateSettings = z.infer<typeof expressionStateSettingsSchema>;

export const DEFAULT_EXPRESSION_STATE_SETTINGS: ExpressionStateSettings = {
  smoothingMs: 600,
  uncertainBelow: 0.45,
  noFaceAfterMs: 2500,
  hysteresis: 0.1,
  minDwellMs: 1500,
};

/** The state after one frame. */
export interface ExpressionSnapshot {
  stable: ExpressionState;
  /** When the stable state began (ms, the frames' clock). */
  stableSince: number;
  /** A state waiting out its dwell time, if any. */
  pending: ExpressionState | null;
  smoothed: Record<Expression, number> | null;
  /** True on the frame where `stable` changed. */
  changed: boolean;
}
