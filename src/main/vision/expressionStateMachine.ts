/**
 * From per-frame probabilities to a stable expression: exponential smoothing, an `uncertain`
 * state below a confidence threshold, `no-face` after a timeout, hysteresis against flapping
 * between close classes, and a minimum dwell time before any change of the stable state.
 */
import {
  DEFAULT_EXPRESSION_STATE_SETTINGS,
  EXPRESSIONS,
  type Expression,
  type ExpressionSnapshot,
  type ExpressionState,
  type ExpressionStateSettings,
} from '../../shared/expressions.js';

export class ExpressionStateMachine {
  private stable: ExpressionState = 'no-face';
  private stableSince: number;
  private pending: ExpressionState | null = null;
  private pendingSince = 0;
  private smoothed: Record<Expression, number> | null = null;
  private lastFrameAt: number | undefined;
  private lastFaceAt: number | undefined;

  constructor(
    private settings: ExpressionStateSettings = DEFAULT_EXPRESSION_STATE_SETTINGS,
    startedAt = 0,
  ) {
    this.stableSince = startedAt;
  }

  configure(settings: ExpressionStateSettings): void {
    this.settings = settings;
  }

  /** Feeds one frame: the main face's probabilities, or null when no face was found. */
  update(now: number, probabilities: Record<Expression, number> | null): ExpressionSnapshot {
    const s = this.settings;
    let candidate: ExpressionState;
    if (probabilities === null) {
      const absentFor = this.lastFaceAt === undefined ? Infinity : now - this.lastFaceAt;
      // A face lost for a moment (a turn of the head) changes nothing.
      candidate = absentFor >= s.noFaceAfterMs ? 'no-face' : (this.pending ?? this.stable);
      if (candidate === 'no-face') this.smoothed = null;
    } else {
      this.smooth(now, probabilities);
      this.lastFaceAt = now;
      candidate = this.candidate();
    }
    this.lastFrameAt = now;
    return this.settle(now, candidate);
  }

  private smooth(now: number, p: Record<Expression, number>): void {
    const previous = this.smoothed;
    if (!previous || this.lastFrameAt === undefined) {
      this.smoothed = { ...p };
      return;
    }
    // No smoothing is a time constant of 0: each frame replaces the last. (0 / 0 would be NaN for good
    // when two frames share a timestamp.)
    const alpha = this.settings.smoothingMs > 0 ? 1 - Math.exp(-Math.max(0, now - this.lastFrameAt) / this.settings.smoothingMs) : 1;
    const next = {} as Record<Expression, number>;
    for (const e of EXPRESSIONS) next[e] = previous[e] + alpha * ((p[e] ?? 0) - previous[e]);
    this.smoothed = next;
  }

  private candidate(): ExpressionState {
    const p = this.smoothed!;
    const top = EXPRESSIONS.reduce((a, b) => (p[b] > p[a] ? b : a));
    if (p[top] < this.settings.uncertainBelow) return 'uncertain';
    const current = this.stable;
    if (isExpression(current) && top !== current && p[top] - p[current] < this.settings.hysteresis) return current;
    return top;
  }

  private settle(now: number, candidate: ExpressionState): ExpressionSnapshot {
    let changed = false;
    if (candidate === this.stable) {
      this.pending = null;
    } else {
      if (candidate !== this.pending) {
        this.pending = candidate;
        this.pendingSince = now;
      }
      // Losing the face is settled by its own timeout; other changes wait out the dwell time.
      if (candidate === 'no-face' || now - this.pendingSince >= this.settings.minDwellMs) {
        this.stable = candidate;
        this.stableSince = now;
        this.pending = null;
        changed = true;
      }
    }
    return {
      stable: this.stable,
      stableSince: this.stableSince,
      pending: this.pending,
      smoothed: this.smoothed && { ...this.smoothed },
      changed,
    };
  }
}

function isExpression(state: ExpressionState): state is Expression {
  return (EXPRESSIONS as readonly string[]).includes(state);
}
