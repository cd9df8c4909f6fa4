/**
 * How often the camera is read. At the full rate while the face moves, a stable expression has just
 * changed or one is on its way; at about two frames a second once the face has been still for a
 * while, since every frame then reads the same. The backend's state machine measures its smoothing,
 * hold time and "away" timeout in time, not in frames, so a slower rate does not slow a change down:
 * the first frame after a still stretch carries the whole gap's weight, and the rate is full again
 * from the moment anything moves, so the hold time is counted at the full rate.
 * Pure: no timers and no DOM; the frame sender asks it for the next interval.
 */
import { EXPRESSIONS, type Expression, type ExpressionState } from '../../shared/expressions.js';
import type { DetectionResult } from '../../shared/vision.js';

export interface FrameRateSettings {
  /** Between frames while anything moves: 10 a second, the rate before adaptive rates existed. */
  fullIntervalMs: number;
  /** Between frames once all is still. */
  steadyIntervalMs: number;
  /** How long all must be still before the rate drops. */
  steadyAfterMs: number;
  /** A probability that moves further than this from its recent average (0 to 1) is a move. */
  moveThreshold: number;
  /** Time constant of that recent average: camera noise averages out, a real change does not. */
  averageMs: number;
}

export const DEFAULT_FRAME_RATE: FrameRateSettings = {
  fullIntervalMs: 100,
  steadyIntervalMs: 500,
  steadyAfterMs: 2000,
  moveThreshold: 0.1,
  averageMs: 300,
};

/** `fixed` keeps the full rate always (the benchmark compares it against `adaptive`). */
export type FrameRateMode = 'adaptive' | 'fixed';

export class FrameRate {
  private lastActiveAt = -Infinity;
  private seen = false;
  private hadFace = false;
  private lastStable: ExpressionState | undefined;
  private average: Record<Expression, number> | null = null;
  private lastAt = 0;

  constructor(
    readonly mode: FrameRateMode = 'adaptive',
    private readonly settings: FrameRateSettings = DEFAULT_FRAME_RATE,
  ) {}

  /** Forgets what was seen: after a pause the first frames go at the full rate. */
  reset(): void {
    this.lastActiveAt = -Infinity;
    this.seen = false;
    this.average = null;
    this.lastStable = undefined;
  }

  /** Takes in the backend's answer to a frame, at `now` (ms, any steady clock). */
  observe(result: DetectionResult, now: number): void {
    const face = result.mainFace !== null;
    const probabilities = face ? (result.expression?.probabilities ?? null) : null;
    const { stable, pending, changed } = result.state;
    const moved = this.moved(probabilities, now);
    const active =
      !this.seen ||
      face !== this.hadFace ||
      changed ||
      stable !== this.lastStable ||
      // A new expression is waiting out its hold time: follow it at the full rate.
      pending !== null ||
      // The face is gone but the state machine has not yet counted it away: keep its timeout sharp.
      (!face && stable !== 'no-face') ||
      moved;
    if (active) this.lastActiveAt = now;
    this.seen = true;
    this.hadFace = face;
    this.lastStable = stable;
  }

  /** True once all has been still long enough for the low rate. */
  steady(now: number): boolean {
    return this.mode === 'adaptive' && now - this.lastActiveAt >= this.settings.steadyAfterMs;
  }

  /** How long after the last frame the next one should go. */
  intervalMs(now: number): number {
    return this.steady(now) ? this.settings.steadyIntervalMs : this.settings.fullIntervalMs;
  }

  private moved(p: Record<Expression, number> | null, now: number): boolean {
    const previous = this.average;
    const dt = Math.max(0, now - this.lastAt);
    this.lastAt = now;
    if (!p) {
      this.average = null;
      return false;
    }
    if (!previous) {
      this.average = { ...p };
      return false;
    }
    let largest = 0;
    const alpha = 1 - Math.exp(-dt / this.settings.averageMs);
    const next = {} as Record<Expression, number>;
    for (const e of EXPRESSIONS) {
      const value = p[e] ?? 0;
      largest = Math.max(largest, Math.abs(value - previous[e]));
      next[e] = previous[e] + alpha * (value - previous[e]);
    }
    this.average = next;
    return largest > this.settings.moveThreshold;
  }
}

/** Whether frames should be read with the page in this state. */
export function watchesNow(visibility: DocumentVisibilityState, watchInBackground: boolean): boolean {
  return visibility !== 'hidden' || watchInBackground;
}

/**
 * `?frame-rate=fixed` in the address forces the full rate: only the CPU benchmark uses it, to
 * measure the rate before adaptive rates in the same run.
 */
export function frameRateModeFrom(search: string | undefined): FrameRateMode {
  return new URLSearchParams(search ?? '').get('frame-rate') === 'fixed' ? 'fixed' : 'adaptive';
}
