/** The calibration in plain words: the poses, and what each offset does to the reading of a face. */
import type { Expression } from '../../shared/expressions.js';
import { EXPRESSION_WORDS } from './expressionWords.js';
import { CALIBRATION_POSE_PROMPTS, type CalibrationPose, type CalibrationStatus } from '../../shared/vision.js';

/** The name of a pose in a list ("Relaxed", "Smile"). */
export const POSE_NAMES: Record<CalibrationPose, string> = {
  neutral: 'Relaxed',
  happiness: 'Smile',
  surprise: 'Surprised',
  sadness: 'Sad',
};

/** "Look relaxed", "Smile": the instruction on screen. */
export function posePrompt(pose: CalibrationPose): string {
  const text = CALIBRATION_POSE_PROMPTS[pose];
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Offsets smaller than this change nothing one would notice, and are not listed. */
const NOTICEABLE = 0.05;

/** Each noticeable offset in words, the largest first: "reads you as sad less readily (−0.62)". */
export function offsetPhrases(status: CalibrationStatus): string[] {
  return (Object.entries(status.offsets) as [Expression, number][])
    .filter(([, b]) => Math.abs(b) >= NOTICEABLE)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .map(([expression, b]) => {
      const much = Math.abs(b) >= 0.75 * status.cap ? 'much ' : Math.abs(b) < 0.3 ? 'a little ' : '';
      const sign = b > 0 ? '+' : '−';
      return `reads you as ${EXPRESSION_WORDS[expression]} ${much}${b > 0 ? 'more' : 'less'} readily (${sign}${Math.abs(b).toFixed(2)})`;
    });
}

export function formatWhen(at: number): string {
  return new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
