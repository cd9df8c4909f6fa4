import { describe, expect, it } from 'vitest';
import { ExpressionStateMachine } from '../../../src/main/vision/expressionStateMachine.js';
import { DEFAULT_EXPRESSION_STATE_SETTINGS, EXPRESSIONS, type Expression, type ExpressionState } from '../../../src/shared/expressions.js';

const SETTINGS = { smoothingMs: 300, uncertainBelow: 0.45, noFaceAfterMs: 2000, hysteresis: 0.1, minDwellMs: 1500 };
const FRAME_MS = 100;

/** A probability vector with `p` on one class and the rest spread evenly. */
function peaked(top: Expression, p: number, second?: [Expression, number]): Record<Expression, number> {
  const rest = (1 - p - (second?.[1] ?? 0)) / (EXPRESSIONS.length - (second ? 2 : 1));
  const out = Object.fromEntries(EXPRESSIONS.map((e) => [e, rest])) as Record<Expression, number>;
  out[top] = p;
  if (second) out[second[0]] = second[1];
  return out;
}

/** Runs frames every 100 ms from `start`; returns the stable state after each and when it changed. */
function play(machine: ExpressionStateMachine, start: number, frames: (Record<Expression, number> | null)[]) {
  const stable: ExpressionState[] = [];
  const changes: { at: number; to: ExpressionState }[] = [];
  frames.forEach((p, i) => {
    const now = start + i * FRAME_MS;
    const snap = machine.update(now, p);
    stable.push(snap.stable);
    if (snap.changed) changes.push({ at: now, to: snap.stable });
  });
  return { stable, changes, end: start + frames.length * FRAME_MS };
}

const repeat = <T>(value: T, n: number): T[] => Array.from({ length: n }, () => value);

describe('ExpressionStateMachine', () => {
  it('with smoothing off, follows each frame, even two frames with the same timestamp', () => {
    const m = new ExpressionStateMachine({ ...SETTINGS, smoothingMs: 0 });
    m.update(0, peaked('happiness', 0.9));
    const same = m.update(0, peaked('sadness', 0.8));
    expect(same.smoothed!.sadness).toBeCloseTo(0.8, 12);
    const { changes } = play(m, 100, repeat(peaked('sadness', 0.8), 20));
    expect(Object.values(m.update(2100, peaked('sadness', 0.8)).smoothed!).every(Number.isFinite)).toBe(true);
    expect(changes).toEqual([{ at: 1500, to: 'sadness' }]);
  });

  it('starts with no face and settles on a steady expression after the dwell time, not before', () => {
    const m = new ExpressionStateMachine(SETTINGS);
    const { changes } = play(m, 0, repeat(peaked('happiness', 0.9), 30));
    expect(changes).toEqual([{ at: 1500, to: 'happiness' }]);
  });

  it('does not switch on a flapping sequence between two close expressions', () => {
    const m = new ExpressionStateMachine(SETTINGS);
    play(m, 0, repeat(peaked('neutral', 0.8), 25));
    // Frame by frame the top class alternates, but smoothed the two stay within the hysteresis.
    const flapping = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0 ? peaked('sadness', 0.55, ['neutral', 0.35]) : peaked('neutral', 0.55, ['sadness', 0.35]),
    );
    const { changes, stable } = play(m, 2500, flapping);
    expect(changes).toEqual([]);
    expect(new Set(stable)).toEqual(new Set(['neutral']));
  });

  it('does not switch on a short burst of another expression', () => {
    const m = new ExpressionStateMachine(SETTINGS);
    play(m, 0, repeat(peaked('neutral', 0.85), 25));
    const { changes } = play(m, 2500, [...repeat(peaked('surprise', 0.95), 10), ...repeat(peaked('neutral', 0.85), 30)]);
    expect(changes).toEqual([]);
  });

  it('switches on a real change once the new expression has held for the dwell time', () => {
    const m = new ExpressionStateMachine(SETTINGS);
    play(m, 0, repeat(peaked('neutral', 0.85), 25));
    const { changes } = play(m, 2500, repeat(peaked('happiness', 0.9), 40));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.to).toBe('happiness');
    // The smoothed happiness overtakes neutral (plus hysteresis) within a few frames; then 1.5 s of dwell.
    expect(changes[0]!.at).toBeGreaterThanOrEqual(2500 + SETTINGS.minDwellMs);
    expect(changes[0]!.at).toBeLessThanOrEqual(2500 + SETTINGS.minDwellMs + 500);
  });

  it('reports uncertain when no class is confident, after the dwell time', () => {
    const m = new ExpressionStateMachine(SETTINGS);
    play(m, 0, repeat(peaked('neutral', 0.85), 25));
    const { changes } = play(m, 2500, repeat(peaked('fear', 0.3, ['surprise', 0.28]), 30));
    expect(changes.map((c) => c.to)).toEqual(['uncertain']);
  });

  it('keeps the expression through a brief loss of the face, and says no-face after the timeout', () => {
    const m = new ExpressionStateMachine(SETTINGS);
    play(m, 0, repeat(peaked('happiness', 0.9), 20));
    const brief = play(m, 2000, [...repeat(null, 10), ...repeat(peaked('happiness', 0.9), 5)]);
    expect(brief.changes).toEqual([]);
    const gone = play(m, 3500, repeat(null, 30));
    // The face was last seen at 3400 ms (the fifth frame after 3000).
    expect(gone.changes).toEqual([{ at: 3400 + SETTINGS.noFaceAfterMs, to: 'no-face' }]);
  });

  it('forgets old probabilities after the face was gone', () => {
    const m = new ExpressionStateMachine(SETTINGS);
    play(m, 0, repeat(peaked('anger', 0.9), 20));
    play(m, 2000, repeat(null, 25));
    const back = m.update(4600, peaked('happiness', 0.9));
    expect(back.smoothed?.happiness).toBeCloseTo(0.9, 5);
    expect(back.stable).toBe('no-face');
    expect(back.pending).toBe('happiness');
  });

  it('uses the settings it is given', () => {
    const m = new ExpressionStateMachine({ ...DEFAULT_EXPRESSION_STATE_SETTINGS, minDwellMs: 200, smoothingMs: 100 });
    const { changes } = play(m, 0, repeat(peaked('sadness', 0.9), 5));
    expect(changes).toEqual([{ at: 200, to: 'sadness' }]);
  });
});
