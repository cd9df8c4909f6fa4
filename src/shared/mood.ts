/**
 * Music moods on the valence-arousal plane (both in [-1, 1]) and the default policy that maps a
 * stable expression to the mood to play. The policy is data: the user edits it in settings.
 */
import type { z } from 'zod';
import type { moodPolicySchema, policyModeSchema } from './schemas.js';
import type { ExpressionState } from './expressions.js';

export const MOODS = ['happy', 'energetic', 'calm', 'sad', 'tense', 'neutral'] as const;

export type Mood = (typeof MOODS)[number];

export interface ValenceArousal {
  valence: number;
  arousal: number;
}

/** The centre of each mood's region (Russell's circumplex, coarsely). */
export const MOOD_CENTRES: Record<Mood, ValenceArousal> = {
  happy: { valence: 0.7, arousal: 0.35 },
  energetic: { valence: 0.45, arousal: 0.85 },
  calm: { valence: 0.4, arousal: -0.6 },
  sad: { valence: -0.65, arousal: -0.45 },
  tense: { valence: -0.6, arousal: 0.7 },
  neutral: { valence: 0, arousal: 0 },
};

/**
 * Where a track's mood came from, most trusted first: your own tag, what your listening taught the
 * app (skips, "not this mood", plays you chose), the file's tag, the estimate from the audio.
 */
export const MOOD_SOURCES = ['user', 'listener', 'file', 'audio'] as const;

export type MoodSource = (typeof MOOD_SOURCES)[number];

export function isMood(value: unknown): value is Mood {
  return typeof value === 'string' && (MOODS as readonly string[]).includes(value);
}

export function vaDistance(a: ValenceArousal, b: ValenceArousal): number {
  return Math.hypot(a.valence - b.valence, a.arousal - b.arousal);
}

/**
 * Words that music taggers (Picard, MusicBrainz, AcousticBrainz, iTunes users) put in MOOD tags,
 * mapped onto our moods. Matching is case-insensitive on whole words.
 */
export const MOOD_SYNONYMS: Record<Mood, readonly string[]> = {
  happy: ['happy', 'joyful', 'cheerful', 'upbeat', 'uplifting', 'feel good', 'feel-good', 'sunny', 'positive', 'fun'],
  energetic: ['energetic', 'party', 'excited', 'exciting', 'powerful', 'energy', 'danceable', 'dance', 'hype', 'intense'],
  calm: ['calm', 'relaxed', 'relaxing', 'chill', 'chillout', 'peaceful', 'mellow', 'dreamy', 'soothing', 'ambient', 'serene'],
  sad: ['sad', 'melancholy', 'melancholic', 'gloomy', 'sombre', 'somber', 'depressing', 'blue', 'heartbreak', 'lonely'],
  tense: ['tense', 'angry', 'aggressive', 'dark', 'anxious', 'agitated', 'furious', 'menacing', 'fierce', 'nervous'],
  neutral: ['neutral', 'moderate', 'balanced'],
};

/** Reads a free-text MOOD tag; undefined when no word of it names a mood we know. */
export function moodFromTag(text: string): Mood | undefined {
  const normal = text.toLowerCase().trim();
  for (const mood of MOODS) {
    if (MOOD_SYNONYMS[mood].some((w) => new RegExp(`(^|[^a-z])${w.replace(/[-\s]/g, '[-\\s]?')}($|[^a-z])`).test(normal))) return mood;
  }
  return undefined;
}

export type PolicyMode = z.infer<typeof policyModeSchema>;

/** null: keep the queue as it is (no face, uncertain). */
export type MoodPolicy = z.infer<typeof moodPolicySchema>;

export const DEFAULT_MOOD_POLICY: MoodPolicy = {
  // Play what the face shows.
  match: {
    neutral: 'neutral',
    happiness: 'happy',
    surprise: 'energetic',
    sadness: 'sad',
    anger: 'tense',
    disgust: 'tense',
    fear: 'tense',
    contempt: 'neutral',
    uncertain: null,
    'no-face': null,
  },
  // Move one step towards feeling better: soothe the negative-aroused, warm the low.
  lift: {
    neutral: 'happy',
    happiness: 'happy',
    surprise: 'happy',
    sadness: 'calm',
    anger: 'calm',
    disgust: 'calm',
    fear: 'calm',
    contempt: 'happy',
    uncertain: null,
    'no-face': null,
  },
};

/**
 * How sure an audio estimate is, in words. The model's confidence is a calibrated probability of its
 * quadrant (temperature fitted out of fold), but on a few hundred songs a word is what it supports:
 * on held-out songs the "likely" ones were right four times in five, "a guess" about one in three.
 */
export function estimateWord(confidence: number): 'likely' | 'a guess' {
  return confidence >= 0.6 ? 'likely' : 'a guess';
}

/** One day of listening: how many plays, the listener's expression at each, and the music's mood. */
export interface MoodHistoryDay {
  /** Local date, YYYY-MM-DD. */
  date: string;
  plays: number;
  /** Plays by the listener's stable expression when the track was chosen (absent: not known). */
  expressions: Partial<Record<ExpressionState, number>>;
  /** Plays by the mood the track had when it played. */
  moods: Partial<Record<Mood, number>>;
}

export interface MoodHistory {
  days: MoodHistoryDay[];
}
