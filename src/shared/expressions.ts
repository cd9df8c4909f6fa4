/**
 * Facial expressions as the app speaks of them: the eight FERPlus classes, plus the two
 * states that are not an expression. A model's own class order lives in its card.
 */
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
