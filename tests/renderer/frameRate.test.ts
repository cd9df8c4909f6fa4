import { describe, expect, it } from 'vitest';
import { ExpressionStateMachine } from '../../src/main/vision/expressionStateMachine.js';
import { DEFAULT_FRAME_RATE, FrameRate, frameRateModeFrom, watchesNow, type FrameRateMode } from '../../src/renderer/lib/frameRate.js';
import { DEFAULT_EXPRESSION_STATE_SETTINGS, type Expression, type ExpressionState } from '../../src/shared/expressions.js';
import type { DetectionResult } from '../../src/shared/vision.js';
import { faceDetection, looksLike } from './fakes.js';

const FULL = DEFAULT_FRAME_RATE.fullIntervalMs;
const STEADY = DEFAULT_FRAME_RATE.steadyIntervalMs;

type Probabilities = Record<Expression, number>;

/** Feeds the same answer every `every` ms from `from` to `to`; returns the time after the last. */
function feed(rate: FrameRate, result: DetectionResult, from: number, to: number, every = FULL): number {
  let t = from;
  for (; t < to; t += every) rate.observe(result, t);
  return t;
}

describe('FrameRate', () => {
  it('starts at the full rate and drops to 2 frames a second once the face has been still for a while', () => {
    const rate = new FrameRate();
    const still = faceDetection(looksLike('happiness'));
    rate.observe(still, 0);
    expect(rate.intervalMs(0)).toBe(FULL);
    feed(rate, still, 100, 1900);
    expect(rate.intervalMs(1900)).toBe(FULL);
    expect(rate.intervalMs(DEFAULT_FRAME_RATE.steadyAfterMs)).toBe(STEADY);
    expect(1000 / STEADY).toBe(2);
  });

  it('goes back to the full rate at once when the probabilities move', () => {
    const rate = new FrameRate();
    const t = feed(rate, faceDetection(looksLike('happiness')), 0, 3000);
    expect(rate.intervalMs(t)).toBe(STEADY);
    rate.observe(faceDetection(looksLike('happiness', 0.7)), t + STEADY);
    expect(rate.intervalMs(t + STEADY)).toBe(FULL);
  });

  it('stays at the low rate through camera noise smaller than the threshold', () => {
    const rate = new FrameRate();
    let t = feed(rate, faceDetection(looksLike('happiness')), 0, 3000);
    for (let i = 0; i < 20; i++, t += STEADY) rate.observe(faceDetection(looksLike('happiness', i % 2 ? 0.86 : 0.93)), t);
    expect(rate.intervalMs(t)).toBe(STEADY);
  });

  it('goes back to the full rate on a change of the stable expression, and while a new one waits out its hold time', () => {
    const rate = new FrameRate();
    let t = feed(rate, faceDetection(looksLike('happiness')), 0, 3000);
    rate.observe(faceDetection(looksLike('happiness'), { stable: 'uncertain', changed: true }), t);
    expect(rate.intervalMs(t)).toBe(FULL);

    const pending = new FrameRate();
    t = feed(pending, faceDetection(looksLike('happiness')), 0, 3000);
    t = feed(pending, faceDetection(looksLike('happiness'), { stable: 'happiness', pending: 'neutral' }), t, t + 3000, STEADY);
    expect(pending.intervalMs(t)).toBe(FULL);
  });

  it('goes back to the full rate when a face appears or leaves', () => {
    const rate = new FrameRate();
    let t = feed(rate, faceDetection(null), 0, 5000);
    expect(rate.intervalMs(t)).toBe(STEADY); // nobody there for a long while: the low rate
    rate.observe(faceDetection(looksLike('neutral'), { stable: 'no-face' }), t);
    expect(rate.intervalMs(t)).toBe(FULL);

    t = feed(rate, faceDetection(looksLike('neutral')), t, t + 3000);
    expect(rate.intervalMs(t)).toBe(STEADY);
    rate.observe(faceDetection(null, { stable: 'neutral' }), t);
    expect(rate.intervalMs(t)).toBe(FULL);
    // Until the state machine counts the listener away, its timeout is followed at the full rate.
    t = feed(rate, faceDetection(null, { stable: 'neutral' }), t, t + 2400);
    expect(rate.intervalMs(t)).toBe(FULL);
  });

  it('starts again at the full rate after a reset', () => {
    const rate = new FrameRate();
    const t = feed(rate, faceDetection(looksLike('happiness')), 0, 3000);
    rate.reset();
    rate.observe(faceDetection(looksLike('happiness')), t);
    expect(rate.intervalMs(t)).toBe(FULL);
  });

  it('keeps the full rate always in fixed mode, and only `?frame-rate=fixed` asks for it', () => {
    const rate = new FrameRate('fixed');
    const t = feed(rate, faceDetection(looksLike('happiness')), 0, 10_000);
    expect(rate.intervalMs(t)).toBe(FULL);
    expect(frameRateModeFrom('?frame-rate=fixed')).toBe('fixed');
    expect(frameRateModeFrom('?frame-rate=other')).toBe('adaptive');
    expect(frameRateModeFrom('')).toBe('adaptive');
    expect(frameRateModeFrom(undefined)).toBe('adaptive');
  });
});

describe('watchesNow', () => {
  it('stops while the window is hidden, unless the listener asked to be watched in the background', () => {
    expect(watchesNow('visible', false)).toBe(true);
    expect(watchesNow('hidden', false)).toBe(false);
    expect(watchesNow('hidden', true)).toBe(true);
    expect(watchesNow('visible', true)).toBe(true);
  });
});

/**
 * The real state machine fed at the rate the policy asks for, as the sender does (the next frame
 * goes once the interval has passed and the last one was answered, 20 ms after it was sent). The
 * face changes at `changeAt`; returns how long after that the stable state became `target`.
 */
function follow(mode: FrameRateMode, before: Probabilities | null, after: Probabilities | null, changeAt: number, target: ExpressionState) {
  const machine = new ExpressionStateMachine(DEFAULT_EXPRESSION_STATE_SETTINGS, 0);
  const rate = new FrameRate(mode);
  const latency = 20;
  let steadyBefore = false;
  for (let sentAt = 0; sentAt < changeAt + 10_000;) {
    const shown = sentAt < changeAt ? before : after;
    const answeredAt = sentAt + latency;
    const state = machine.update(answeredAt, shown);
    const result = faceDetection(shown, state);
    if (sentAt >= changeAt && state.stable === target) return { lag: answeredAt - changeAt, steadyBefore };
    rate.observe(result, answeredAt);
    if (sentAt < changeAt) steadyBefore = rate.steady(answeredAt);
    sentAt += Math.max(latency, rate.intervalMs(answeredAt));
  }
  throw new Error(`never became ${target}`);
}

describe('the stable expression at the adaptive rate', () => {
  // Where in the low rate's half second the change falls.
  const phases = Array.from({ length: 10 }, (_, i) => 8000 + i * 50);

  it('follows a change of expression as fast as at the full rate, and never sooner than the hold time', () => {
    for (const changeAt of phases) {
      const fixed = follow('fixed', looksLike('neutral'), looksLike('happiness'), changeAt, 'happiness');
      const adaptive = follow('adaptive', looksLike('neutral'), looksLike('happiness'), changeAt, 'happiness');
      expect(adaptive.steadyBefore, `${changeAt}`).toBe(true);
      expect(adaptive.lag, `${changeAt}`).toBeLessThanOrEqual(fixed.lag + FULL);
      expect(adaptive.lag, `${changeAt}`).toBeGreaterThanOrEqual(DEFAULT_EXPRESSION_STATE_SETTINGS.minDwellMs);
    }
  });

  it('follows the listener leaving as fast as at the full rate', () => {
    for (const changeAt of phases) {
      const fixed = follow('fixed', looksLike('neutral'), null, changeAt, 'no-face');
      const adaptive = follow('adaptive', looksLike('neutral'), null, changeAt, 'no-face');
      expect(adaptive.steadyBefore).toBe(true);
      expect(adaptive.lag, `${changeAt}`).toBeLessThanOrEqual(fixed.lag + FULL);
    }
  });

  it('follows the listener coming back at most one low-rate frame later', () => {
    for (const changeAt of phases) {
      const fixed = follow('fixed', null, looksLike('happiness'), changeAt, 'happiness');
      const adaptive = follow('adaptive', null, looksLike('happiness'), changeAt, 'happiness');
      expect(adaptive.steadyBefore).toBe(true);
      expect(adaptive.lag, `${changeAt}`).toBeLessThanOrEqual(fixed.lag + STEADY - FULL);
    }
  });
});
