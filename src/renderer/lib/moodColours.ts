/** One colour per mood and per expression, shared by the charts so a colour means one thing. */
import type { ExpressionState } from '../../shared/expressions.js';
import type { Mood } from '../../shared/mood.js';

export const MOOD_COLOURS: Record<Mood, string> = {
  happy: '#eab308',
  energetic: '#f97316',
  calm: '#06b6d4',
  sad: '#6366f1',
  tense: '#e11d48',
  neutral: '#a1a1aa',
};

export const EXPRESSION_COLOURS: Record<ExpressionState, string> = {
  neutral: '#a1a1aa',
  happiness: '#eab308',
  surprise: '#f97316',
  sadness: '#6366f1',
  anger: '#e11d48',
  disgust: '#84cc16',
  fear: '#a855f7',
  contempt: '#78716c',
  uncertain: '#d4d4d8',
  'no-face': '#e4e4e7',
};
