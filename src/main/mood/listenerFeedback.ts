/**
 * What the listener's own behaviour says about a track's mood, and the record it leaves: a skip
 * soon after a hands-free pick counts against the mood it was picked for, "not this mood" counts
 * three times as much, a track the listener starts themselves counts for the mood their face asked
 * for. A mood is learned once the evidence for it nets 2, and a mood is ruled out for the track at -2;
 * either way the reason is kept in words ("you skipped it twice when you looked sad").
 */
import { EXPRESSION_ADJECTIVES, type ExpressionState } from '../../shared/expressions.js';
import { MOODS, type Mood } from '../../shared/mood.js';

export const FEEDBACK_KINDS = ['skipped', 'not-this-mood', 'played-by-hand'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const FEEDBACK_WEIGHT: Record<FeedbackKind, number> = { skipped: -1, 'not-this-mood': -3, 'played-by-hand': 1 };

/** A skip later than this into a hands-free pick is the listener moving on, not a verdict on the pick. */
export const SKIP_WINDOW_SECONDS = 30;
/** Net evidence at which a mood is learned (or, negative, ruled out) for a track. */
export const LEARNED_AT = 2;

export interface FeedbackRow {
  mood: Mood;
  kind: FeedbackKind;
  weight: number;
  expression: ExpressionState | null;
}

export interface ListenerMood {
  /** null: the evidence only rules a mood out. */
  mood: Mood | null;
  confidence: number;
  raw: string;
}

export function netScores(rows: readonly FeedbackRow[]): Map<Mood, number> {
  const scores = new Map<Mood, number>();
  for (const row of rows) scores.set(row.mood, (scores.get(row.mood) ?? 0) + row.weight);
  return scores;
}

/** The listener's record for one track, or null when the evidence is not yet enough either way. */
export function listenerMood(rows: readonly FeedbackRow[]): ListenerMood | null {
  const scores = netScores(rows);
  const ranked = MOODS.filter((m) => scores.has(m)).sort((a, b) => scores.get(b)! - scores.get(a)!);
  const best = ranked[0];
  if (best !== undefined && scores.get(best)! >= LEARNED_AT) {
    const score = scores.get(best)!;
    return { mood: best, confidence: Math.min(0.95, 0.5 + score / 10), raw: describe(rows.filter((r) => r.mood === best && r.weight > 0)) };
  }
  const worst = ranked.at(-1);
  if (worst !== undefined && scores.get(worst)! <= -LEARNED_AT) {
    return { mood: null, confidence: 0, raw: `not ${worst} for you: ${describe(rows.filter((r) => r.mood === worst && r.weight < 0))}` };
  }
  return null;
}

const TIMES = ['', 'once', 'twice'];

/** The most telling kind of evidence in words: "you skipped it twice when you looked sad". */
function describe(rows: readonly FeedbackRow[]): string {
  const groups = new Map<string, { row: FeedbackRow; count: number; weight: number }>();
  for (const row of rows) {
    const key = `${row.kind}|${row.expression ?? ''}`;
    const group = groups.get(key) ?? { row, count: 0, weight: 0 };
    group.count++;
    group.weight += Math.abs(row.weight);
    groups.set(key, group);
  }
  const top = [...groups.values()].sort((a, b) => b.weight - a.weight)[0];
  if (!top) return '';
  const { row, count } = top;
  const times = TIMES[count] ?? `${count} times`;
  const when = row.expression ? ` when you looked ${EXPRESSION_ADJECTIVES[row.expression]}` : '';
  switch (row.kind) {
    case 'skipped':
      return `you skipped it ${times}${when}`;
    case 'not-this-mood':
      return `you said it was not ${row.mood}${count > 1 ? ` ${times}` : ''}`;
    case 'played-by-hand':
      return `you played it yourself ${times}${when}`;
  }
}
