/**
 * The expression card's headline. It never contradicts the face state: with no face in the latest
 * frame it says so first, and the stable expression (which outlasts a face for a moment, by design)
 * is named as what the music still follows, not as how the listener looks now.
 */
import { EXPRESSION_ADJECTIVES, type Expression } from '../../shared/expressions.js';
import type { DetectionResult } from '../../shared/vision.js';

/** One word per expression, for the bars, "Not sad" and "reads you as sad". */
export const EXPRESSION_WORDS: Record<Expression, string> = {
  neutral: 'neutral',
  happiness: 'happy',
  surprise: 'surprised',
  sadness: 'sad',
  anger: 'angry',
  disgust: 'disgusted',
  fear: 'afraid',
  contempt: 'unimpressed',
};

export interface Headline {
  main: string;
  /** The emphasised word after `main` ("You look" **happy**). */
  strong?: string;
  /** A second, quieter line. */
  aside?: string;
}

export function expressionHeadline(
  result: DetectionResult | undefined,
  { cameraOn, paused }: { cameraOn: boolean; paused: boolean },
): Headline {
  if (!cameraOn) return { main: 'Camera off', aside: 'Hands-free goes on with the queue.' };
  if (paused) return { main: 'Camera paused', aside: 'while Emotune reconnects' };
  if (!result) return { main: 'Looking for your face…' };
  const stable = result.state.stable;
  if (result.faces.length === 0) {
    if (stable === 'no-face' || stable === 'uncertain') return { main: 'No face in view' };
    return { main: 'No face in view', aside: `The music still follows your last look: ${EXPRESSION_ADJECTIVES[stable]}.` };
  }
  if (stable === 'no-face') return { main: 'Face found', aside: 'Reading your expression…' };
  if (stable === 'uncertain') return { main: 'Expression unclear', aside: 'The queue goes on as it is.' };
  return { main: 'You look', strong: EXPRESSION_ADJECTIVES[stable] };
}
