/**
 * Everything about moods that is not storage: the estimates from the audio after each scan, the
 * policy from expression to mood, the choice of the next track, and the plays that record why.
 * The library stores; this decides.
 */
import type { ExpressionState } from '../../shared/expressions.js';
import { DEFAULT_MOOD_POLICY, type MoodPolicy, type PolicyMode } from '../../shared/mood.js';
import { DEFAULT_AUDIO_MOOD_CARD } from '../appPaths.js';
import type { LibraryService } from '../library/libraryService.js';
import type { LibraryStore } from '../library/libraryStore.js';
import { AudioMoodEstimator } from './audioMoodEstimator.js';
import { chooseNextTrack, type TrackChoice } from './chooseNextTrack.js';

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
      for (const track of this.store.listTracks()) {
        if (track.error !== null) continue;
        const failed = track.moods.length === 1 && track.moods[0]!.source === 'audio' && track.moods[0]!.mood === null;
        if (track.moods.length > 0 && !failed) continue;
        signature ??= await this.estimator.signature();
        if (failed && failedUnder(track.moods[0]!.raw) === signature) continue;
        try {
          const { mood, valence, arousal, confidence } = await this.estimator.estimate(track.path);
          this.store.setMood(track.id, 'audio', { mood, valence, arousal, confidence });
          estimated++;
        } catch (error) {
          // Recorded with no mood and what was tried, so the track is analysed again only when that changes.
          this.store.setMood(track.id, 'audio', {
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
    return this.store.getSetting<MoodPolicy>(POLICY_KEY) ?? DEFAULT_MOOD_POLICY;
  }

  setMoodPolicy(policy: MoodPolicy): void {
    this.store.setSetting(POLICY_KEY, policy);
  }

  /** Picks the next track for a stable expression; nothing is recorded until it plays. */
  chooseNext(expression: ExpressionState, mode: PolicyMode, currentTrackId?: number): TrackChoice | null {
    const current = currentTrackId === undefined ? null : (this.store.getTrack(currentTrackId) ?? null);
    return chooseNextTrack({
      expression,
      mode,
      policy: this.moodPolicy(),
      tracks: this.store.listTracks(),
      recent: this.store.recentPlays(50),
      current,
    });
  }

  recordPlay(trackId: number, details: { expression?: ExpressionState; mode?: PolicyMode; reason?: string }): boolean {
    if (!this.store.getTrack(trackId)) return false;
    this.store.recordPlay(trackId, details);
    return true;
  }
}

/** What a failed estimate was tried with, from its note ("no estimate [estimator 2, ..., model 1]: ..."). */
function failedUnder(raw: string | null | undefined): string | null {
  return /^no estimate \[([^\]]*)\]/.exec(raw ?? '')?.[1] ?? null;
}
