/** Plays and the listener's feedback on them: what mood history and listener learning read. */
import type { Db } from '../database.js';

export interface PlayDetails {
  expression?: string;
  mode?: string;
  reason?: string;
  targetMood?: string;
  musicMood?: string;
}

export interface FeedbackRow {
  mood: string;
  kind: string;
  weight: number;
  expression: string | null;
}

export class PlayStore {
  constructor(private readonly db: Db) {}

  record(trackId: number, details: PlayDetails = {}, at = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO plays (track_id, played_at, expression, mode, reason, target_mood, music_mood)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        trackId,
        at,
        details.expression ?? null,
        details.mode ?? null,
        details.reason ?? null,
        details.targetMood ?? null,
        details.musicMood ?? null,
      );
  }

  /** Plays since a time, oldest first: when, the listener's expression then, and the music's mood. */
  since(since: number): { playedAt: number; expression: string | null; musicMood: string | null }[] {
    return this.db
      .prepare(
        `SELECT played_at AS playedAt, expression, music_mood AS musicMood FROM plays
         WHERE played_at >= ? ORDER BY played_at, id`,
      )
      .all(since) as { playedAt: number; expression: string | null; musicMood: string | null }[];
  }

  /** The track's latest play: when, and the expression and target mood if the loop chose it. */
  last(trackId: number): { playedAt: number; expression: string | null; targetMood: string | null } | undefined {
    return this.db
      .prepare(
        `SELECT played_at AS playedAt, expression, target_mood AS targetMood FROM plays
         WHERE track_id = ? ORDER BY played_at DESC, id DESC LIMIT 1`,
      )
      .get(trackId) as { playedAt: number; expression: string | null; targetMood: string | null } | undefined;
  }

  /** Ids of the most recently played tracks, newest first. */
  recent(limit: number): number[] {
    return this.db.prepare('SELECT track_id FROM plays ORDER BY played_at DESC, id DESC LIMIT ?').pluck().all(limit) as number[];
  }

  addFeedback(trackId: number, row: FeedbackRow): void {
    this.db
      .prepare('INSERT INTO listener_feedback (track_id, mood, kind, weight, expression, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(trackId, row.mood, row.kind, row.weight, row.expression, Date.now());
  }

  feedbackFor(trackId: number): FeedbackRow[] {
    return this.db
      .prepare('SELECT mood, kind, weight, expression FROM listener_feedback WHERE track_id = ? ORDER BY at, id')
      .all(trackId) as FeedbackRow[];
  }

  /** Net feedback per track and mood, for every track that has any. */
  feedbackTotals(): { trackId: number; mood: string; net: number }[] {
    return this.db.prepare('SELECT track_id AS trackId, mood, sum(weight) AS net FROM listener_feedback GROUP BY track_id, mood').all() as {
      trackId: number;
      mood: string;
      net: number;
    }[];
  }
}
