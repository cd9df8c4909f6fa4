/**
 * Everything about moods that is not storage: the estimates from the audio after each scan, the
 * policy from expression to mood, the choice of the next track, the plays that record why, and
 * what the listener's skips and choices teach it. The library stores; this decides.
 */
import { EXPRESSION_STATES, type ExpressionState } from '../../shared/expressions.js';
import {
  DEFAULT_MOOD_POLICY,
  isMood,
  type Mood,
  type MoodHistory,
  type MoodHistoryDay,
  type MoodPolicy,
  type PolicyMode,
} from '../../shared/mood.js';
import { DEFAULT_AUDIO_MOOD_CARD } from '../appPaths.js';
import type { LibraryService } from '../library/libraryService.js';
import type { LibraryStore } from '../library/libraryStore.js';
import { AudioMoodEstimator } from './audioMoodEstimator.js';
import { chooseNextTrack, targetMood, type TrackChoice } from './chooseNextTrack.js';
import {
  FEEDBACK_KINDS,
  FEEDBACK_WEIGHT,
  LEARNED_AT,
  listenerMood,
  SKIP_WINDOW_SECONDS,
  type FeedbackKind,
  type FeedbackRow,
} from './listenerFeedback.js';

const POLICY_KEY = 'moodPolicy';

export class MoodService {
  private readonly store: LibraryStore;
  private readonly estimator: AudioMoodEstimator;

  constructor(
    private readonly library: LibraryService,
    options: { audioMoodCard?: string } = {},
  ) {
    this.store = library.store;
    this.estimator = new AudioMoodEstimator(options.audioMoodCard ?? DEFAULT_AUDIO_MOOD_CARD);
    library.afterEachScan(async () => {
      if ((await this.estimateMissingMoods()) > 0) library.notifyChanged();
    });
  }

  /**
   * Estimates a mood from the audio for readable tracks that have no mood yet, and again for those
   * whose estimate failed with other means than this process has (a new decoder or model, say).
   */
  async estimateMissingMoods(): Promise<number> {
    let estimated = 0;
    let signature: string | undefined;
    try {
      for (const track of this.store.tracks.awaitingMoodEstimate()) {
        signature ??= await this.estimator.signature();
        if (failedUnder(track.failedRaw) === signature) continue;
        try {
          const { mood, valence, arousal, confidence } = await this.estimator.estimate(track.path);
          this.store.tracks.setMood(track.id, 'audio', { mood, valence, arousal, confidence });
          estimated++;
        } catch (error) {
          // Recorded with no mood and what was tried, so the track is analysed again only when that changes.
          this.store.tracks.setMood(track.id, 'audio', {
            mood: null,
            confidence: 0,
            raw: `no estimate [${signature}]: ${(error as Error).message}`,
          });
        }
      }
    } finally {
      // The worker is not kept for a library that has nothing left to estimate.
      await this.estimator.close();
    }
    return estimated;
  }

  moodPolicy(): MoodPolicy {
    return this.store.settings.get<MoodPolicy>(POLICY_KEY) ?? DEFAULT_MOOD_POLICY;
  }

  setMoodPolicy(policy: MoodPolicy): void {
    this.store.settings.set(POLICY_KEY, policy);
  }

  /** Picks the next track for a stable expression; nothing is recorded until it plays. */
  chooseNext(expression: ExpressionState, mode: PolicyMode, currentTrackId?: number): TrackChoice | null {
    const current = currentTrackId === undefined ? null : (this.store.tracks.get(currentTrackId) ?? null);
    // Moods the listener has ruled out for a track, by their skips and "not this mood".
    const ruledOut = new Set(this.store.plays.feedbackTotals().flatMap((f) => (f.net <= -LEARNED_AT ? [`${f.trackId}:${f.mood}`] : [])));
    const policy = this.moodPolicy();
    const target = targetMood(policy, mode, expression);
    if (target === null) return null;
    return chooseNextTrack({
      expression,
      mode,
      policy,
      // Only the candidates: reading the whole library for each choice took ~0.7 s at 50,000 tracks.
      tracks: this.store.tracks.list({ mood: target, unreadable: false }),
      recent: this.store.plays.recent(50),
      current,
      ruledOut: (trackId, mood) => ruledOut.has(`${trackId}:${mood}`),
      demoTrackIds: this.store.tracks.demoTrackIds(),
    });
  }

  /**
   * Records a play: a loop pick with the mood it was chosen for; a track the listener started
   * themselves (`byHand`) also counts for the mood the policy asks of their face at that moment.
   */
  recordPlay(trackId: number, details: { expression?: ExpressionState; mode?: PolicyMode; reason?: string; byHand?: boolean }): boolean {
    const track = this.store.tracks.get(trackId);
    if (!track) return false;
    const asked = details.expression && details.mode ? this.moodPolicy()[details.mode][details.expression] : null;
    const { byHand, ...play } = details;
    const musicMood = track.mood?.mood;
    this.store.plays.record(trackId, {
      ...play,
      ...(asked && !byHand ? { targetMood: asked } : {}),
      ...(musicMood ? { musicMood } : {}),
    });
    if (byHand && asked) this.learn(trackId, { mood: asked, kind: 'played-by-hand', expression: details.expression ?? null });
    return true;
  }

  /**
   * Feedback from the player: `skipped` (the listener moved on after `playedSeconds`) counts only
   * against a hands-free pick and only early on; `not-this-mood` counts against the mood the track
   * has now. Returns whether it taught anything.
   */
  feedback(trackId: number, kind: Exclude<FeedbackKind, 'played-by-hand'>, playedSeconds = 0): boolean {
    const track = this.store.tracks.get(trackId);
    if (!track) return false;
    if (kind === 'skipped') {
      const play = this.store.plays.last(trackId);
      if (!play || !isMood(play.targetMood) || playedSeconds > SKIP_WINDOW_SECONDS) return false;
      this.learn(trackId, { mood: play.targetMood, kind, expression: asExpression(play.expression) });
      return true;
    }
    const mood = track.mood?.mood;
    if (!mood) return false;
    this.learn(trackId, { mood, kind, expression: null });
    return true;
  }

  /** The last `days` local days of listening, one entry per day (empty days included), oldest first. */
  history(days: number, now = new Date()): MoodHistory {
    const first = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
    const out: MoodHistoryDay[] = [];
    const byDate = new Map<string, MoodHistoryDay>();
    for (let i = 0; i < days; i++) {
      const day = {
        date: localDate(new Date(first.getFullYear(), first.getMonth(), first.getDate() + i)),
        plays: 0,
        expressions: {},
        moods: {},
      };
      out.push(day);
      byDate.set(day.date, day);
    }
    for (const play of this.store.plays.since(first.getTime())) {
      const day = byDate.get(localDate(new Date(play.playedAt)));
      if (!day) continue;
      day.plays++;
      const expression = asExpression(play.expression);
      if (expression) day.expressions[expression] = (day.expressions[expression] ?? 0) + 1;
      if (isMood(play.musicMood)) day.moods[play.musicMood] = (day.moods[play.musicMood] ?? 0) + 1;
    }
    return { days: out };
  }

  private learn(trackId: number, row: { mood: Mood; kind: FeedbackKind; expression: ExpressionState | null }): void {
    this.store.plays.addFeedback(trackId, { ...row, weight: FEEDBACK_WEIGHT[row.kind] });
    const rows: FeedbackRow[] = this.store.plays
      .feedbackFor(trackId)
      .flatMap((r) =>
        isMood(r.mood) && (FEEDBACK_KINDS as readonly string[]).includes(r.kind)
          ? [{ mood: r.mood, kind: r.kind as FeedbackKind, weight: r.weight, expression: asExpression(r.expression) }]
          : [],
      );
    const learned = listenerMood(rows);
    if (learned) this.store.tracks.setMood(trackId, 'listener', learned);
    else this.store.tracks.clearMood(trackId, 'listener');
    this.library.notifyChanged();
  }
}

function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function asExpression(value: string | null): ExpressionState | null {
  return value !== null && (EXPRESSION_STATES as readonly string[]).includes(value) ? (value as ExpressionState) : null;
}

/** What a failed estimate was tried with, from its note ("no estimate [estimator 2, ..., model 1]: ..."). */
function failedUnder(raw: string | null | undefined): string | null {
  return /^no estimate \[([^\]]*)\]/.exec(raw ?? '')?.[1] ?? null;
}
