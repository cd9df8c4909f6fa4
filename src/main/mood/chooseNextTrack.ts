/**
 * The mood policy at work: a stable expression and a mode give a target mood, and the next
 * track is one of that mood, not played recently, and as small a step in valence/arousal from
 * the current song as the library allows. Every choice carries its reason in words.
 */
import { EXPRESSION_ADJECTIVES, type ExpressionState } from '../../shared/expressions.js';
import type { Track, TrackMood } from '../../shared/library.js';
import {
  estimateWord,
  MOOD_CENTRES,
  vaDistance,
  type Mood,
  type MoodPolicy,
  type PolicyMode,
  type ValenceArousal,
} from '../../shared/mood.js';

export interface ChoiceRequest {
  expression: ExpressionState;
  mode: PolicyMode;
  policy: MoodPolicy;
  tracks: readonly Track[];
  /** Ids of recently played tracks, newest first. */
  recent: readonly number[];
  current?: Track | null;
  /** How many recent plays to avoid repeating. */
  avoidRepeats?: number;
  /** Moods the listener has ruled out for a track (by skipping it, or "not this mood"). */
  ruledOut?: (trackId: number, mood: Mood) => boolean;
  /**
   * The demo library's tracks: a stand-in for the listener's own music, chosen only for a mood that
   * none of their own playable tracks has.
   */
  demoTrackIds?: ReadonlySet<number>;
}

export interface TrackChoice {
  track: Track;
  targetMood: Mood;
  reason: string;
}

export function targetMood(policy: MoodPolicy, mode: PolicyMode, expression: ExpressionState): Mood | null {
  return policy[mode][expression];
}

export function chooseNextTrack(request: ChoiceRequest): TrackChoice | null {
  const target = targetMood(request.policy, request.mode, request.expression);
  if (target === null) return null;
  const fits = (t: Track) => t.error === null && t.mood?.mood === target && !request.ruledOut?.(t.id, target);
  const demo = request.demoTrackIds;
  // Where the listener's own music covers the mood, the demo pieces are out of the running (even
  // when the one track of their own that fits is the one playing now).
  const ownCovers = demo !== undefined && demo.size > 0 && request.tracks.some((t) => !demo.has(t.id) && fits(t));
  const candidates = request.tracks.filter((t) => fits(t) && t.id !== request.current?.id && !(ownCovers && demo.has(t.id)));
  if (candidates.length === 0) return null;
  // Avoid the recent plays, but never so many that nothing is left.
  const avoid = new Set(request.recent.slice(0, Math.min(request.avoidRepeats ?? 20, candidates.length - 1)));
  const fresh = candidates.filter((t) => !avoid.has(t.id));
  const from = request.current ? trackPoint(request.current) : null;
  const lastPlayed = new Map(request.recent.map((id, i) => [id, i]));
  const ranked = [...fresh].sort((a, b) => {
    if (from) {
      const step = vaDistance(from, trackPoint(a)) - vaDistance(from, trackPoint(b));
      if (Math.abs(step) > 1e-9) return step;
    }
    // Never played first, then the longest ago.
    const ago = (lastPlayed.get(b.id) ?? Infinity) - (lastPlayed.get(a.id) ?? Infinity);
    return Number.isNaN(ago) || ago === 0 ? a.id - b.id : ago;
  });
  const track = ranked[0]!;
  return { track, targetMood: target, reason: describeChoice(request.expression, request.mode, track.mood!) };
}

/** Where a track sits on the valence-arousal plane: its own estimate, or its mood's centre. */
export function trackPoint(track: Track): ValenceArousal {
  const m = track.mood;
  if (m?.valence !== undefined && m.arousal !== undefined) return { valence: m.valence, arousal: m.arousal };
  return MOOD_CENTRES[m?.mood ?? 'neutral'];
}

export function describeChoice(expression: ExpressionState, mode: PolicyMode, mood: TrackMood): string {
  return `you look ${EXPRESSION_ADJECTIVES[expression]}; ${mode} mode; ${describeMoodSource(mood)}`;
}

export function describeMoodSource(mood: TrackMood): string {
  switch (mood.source) {
    case 'user':
      return `tagged ${mood.mood} by you`;
    case 'file':
      return `tagged ${mood.mood} in the file${mood.raw && mood.raw.toLowerCase() !== mood.mood ? ` ("${mood.raw}")` : ''}`;
    case 'listener':
      return `learned ${mood.mood} from your listening (${mood.raw ?? 'your plays'})`;
    case 'audio':
      return `sounds ${mood.mood} (estimated from the audio, ${estimateWord(mood.confidence)})`;
  }
}
