/** The calibration fit on synthetic scores: it takes a bias back out, never past its cap, and does nothing without evidence. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FIT,
  applyOffsets,
  calibratedExpression,
  calibrationLoss,
  fitOffsets,
  type CalibrationSample,
} from '../../../src/main/vision/calibration.js';
import type { Expression } from '../../../src/shared/expressions.js';

const CLASSES: Expression[] = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt'];
const N = CLASSES.length;
const at = (e: Expression) => CLASSES.indexOf(e);

/** Log-probabilities with `share` of the mass on each named class, the rest spread evenly. */
function logProbs(shares: Partial<Record<Expression, number>>): number[] {
  const named = Object.values(shares).reduce((a, b) => a + b, 0);
  const rest = (1 - named) / (N - Object.keys(shares).length);
  return CLASSES.map((c) => Math.log(shares[c] ?? rest));
}

/** Frames of one pose, each a little different (camera noise), sharing one pose's weight. */
function pose(expression: Expression, kind: 'is' | 'not', frames: number[][]): CalibrationSample[] {
  return frames.map((scores) => ({ scores, classIndex: at(expression), kind, weight: 1 / frames.length }));
}

function noisy(base: number[], count: number, seed = 1): number[][] {
  return Array.from({ length: count }, (_, k) => base.map((v, i) => v + 0.05 * Math.sin(seed * 7 + k * 3 + i)));
}

const top = (scores: number[]) => CLASSES[scores.indexOf(Math.max(...scores))]!;

describe('fitOffsets', () => {
  it('changes nothing without samples', () => {
    expect(fitOffsets([], N)).toEqual(new Array(N).fill(0));
    // Samples of another model's width are not evidence either.
    expect(fitOffsets(pose('neutral', 'is', [[0, 0, 0]]), N)).toEqual(new Array(N).fill(0));
  });

  it('shifts a resting face the model reads as sad back to neutral', () => {
    // This listener's relaxed face: the model says 55% sad, 30% neutral.
    const relaxed = logProbs({ sadness: 0.55, neutral: 0.3 });
    const samples = pose('neutral', 'is', noisy(relaxed, 20));
    const offsets = fitOffsets(samples, N);
    expect(offsets[at('neutral')]).toBeGreaterThan(0.2);
    expect(offsets[at('sadness')]).toBeLessThan(-0.2);
    expect(top(applyOffsets(relaxed, offsets))).toBe('neutral');
    expect(calibrationLoss(samples, offsets)).toBeLessThan(calibrationLoss(samples, new Array(N).fill(0)));
  });

  it('leaves a face the model already reads well almost as it is', () => {
    const smile = logProbs({ happiness: 0.97 });
    const offsets = fitOffsets(pose('happiness', 'is', noisy(smile, 20)), N);
    for (const b of offsets) expect(Math.abs(b)).toBeLessThan(0.1);
  });

  it('never goes past its cap, so a clear reading keeps its class', () => {
    // The model is all but certain the face is angry; the "pose" says neutral, many times over.
    const angry = logProbs({ anger: 0.98, neutral: 0.001 });
    const offsets = fitOffsets(pose('neutral', 'is', noisy(angry, 40)), N);
    for (const b of offsets) expect(Math.abs(b)).toBeLessThanOrEqual(DEFAULT_FIT.cap + 1e-12);
    expect(offsets[at('neutral')]).toBeCloseTo(DEFAULT_FIT.cap, 6);
    expect(top(applyOffsets(angry, offsets))).toBe('anger');
    // A smaller cap holds too.
    const small = fitOffsets(pose('neutral', 'is', noisy(angry, 40)), N, { ...DEFAULT_FIT, cap: 0.25 });
    for (const b of small) expect(Math.abs(b)).toBeLessThanOrEqual(0.25 + 1e-12);
  });

  it('lowers the class of a correction ("not sad"), and raises no single other class much', () => {
    const looked = logProbs({ sadness: 0.6, neutral: 0.25 });
    const offsets = fitOffsets(pose('sadness', 'not', noisy(looked, 10)), N);
    expect(offsets[at('sadness')]).toBeLessThan(-0.2);
    expect(Math.min(...offsets)).toBe(offsets[at('sadness')]);
    expect(Math.exp(applyOffsets(looked, offsets)[at('sadness')]!)).toBeLessThan(0.6);
  });

  it('weighs a correction together with the poses in one adjustment', () => {
    const relaxed = logProbs({ sadness: 0.5, neutral: 0.35 });
    const poses = [...pose('neutral', 'is', noisy(relaxed, 20)), ...pose('happiness', 'is', noisy(logProbs({ happiness: 0.9 }), 20, 2))];
    const without = fitOffsets(poses, N);
    const withCorrection = fitOffsets([...poses, ...pose('sadness', 'not', noisy(relaxed, 10, 3))], N);
    expect(withCorrection[at('sadness')]).toBeLessThan(without[at('sadness')]!);
  });
});

describe('calibratedExpression', () => {
  it('maps the card’s classes to probabilities, a class the model lacks at 0', () => {
    const classes: Expression[] = ['neutral', 'happiness', 'sadness'];
    const result = calibratedExpression([Math.log(0.2), Math.log(0.5), Math.log(0.3)], [0.5, 0, 0], classes);
    const sum = Object.values(result.probabilities).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 9);
    expect(result.probabilities.contempt).toBe(0);
    expect(result.probabilities.neutral).toBeCloseTo((0.2 * Math.exp(0.5)) / (0.2 * Math.exp(0.5) + 0.8), 9);
    expect(result.top).toBe('happiness');
  });
});
