/**
 * Calibration to the listener: small per-class offsets added to the expression model's
 * log-probabilities, fitted to frames of the listener's own face. A face that the general model
 * reads as a little sad at rest is a bias of this face, not a sadness: a few frames of that face
 * posing "relaxed" say so, and the offsets take the bias back out.
 *
 * The fit is deliberately small and cannot turn the model upside down: each offset is capped (by
 * default at 1 nat, a change of the odds between two classes of at most e^2 ≈ 7.4), an L2 pull
 * towards 0 keeps an offset at 0 unless the frames ask for it, and frames the model already reads
 * as their pose ask for nothing. A face the model reads with a margin larger than twice the cap
 * keeps its reading whatever the calibration says.
 *
 * Pure: numbers in, numbers out. The samples are the model's log-probabilities in its card's class
 * order (log softmax(logits / T)); since softmax(log softmax(z) + b) = softmax(z + b), adding the
 * offsets to them is adding them to the logits.
 */
import { EXPRESSIONS, type Expression } from '../../shared/expressions.js';
import type { FaceExpression } from '../../shared/vision.js';

export interface CalibrationSample {
  /** The model's log-probabilities for one frame of the main face, in the card's class order. */
  scores: readonly number[];
  /** The class the evidence is about (index into the card's classes). */
  classIndex: number;
  /** `is`: the face shows this class (a calibration pose); `not`: the listener said it does not (a correction). */
  kind: 'is' | 'not';
  /** How much this frame counts; a pose's frames share one pose's worth. */
  weight: number;
}

export interface FitOptions {
  /** No offset goes beyond ±cap (nats). */
  cap: number;
  /** Strength of the pull of each offset towards 0 (λ in λ/2·|b|²). */
  l2: number;
  /**
   * A pose's frame asks for nothing more once the model gives its class at least this probability,
   * and a correction once the corrected class has at most 1 - target: evidence the model already
   * agrees with moves no offset, so a listener whom the model reads well keeps the model as it is.
   */
  target: number;
  /** How sharply a frame stops counting as it passes the target (the gate's slope, in 1/nats). */
  sharpness: number;
  steps: number;
  learningRate: number;
}

/**
 * Fixed before any measurement (training/README.md, "Calibration to the listener"): a cap of 1 nat,
 * a pull that costs a full-cap offset 0.05 of mean loss, a target of 70% (well above the 45% under
 * which the expression reads as unclear), and enough projected gradient steps for the fit to settle
 * (the loss is smooth with curvature at most about 1/2 + λ, so a step of 1 is safe).
 */
export const DEFAULT_FIT: FitOptions = { cap: 1, l2: 0.1, target: 0.7, sharpness: 8, steps: 300, learningRate: 1 };

function logSumExp(values: readonly number[], skip = -1): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (i !== skip && values[i]! > max) max = values[i]!;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) if (i !== skip) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}

/** log softmax(scores + offsets). */
export function applyOffsets(scores: readonly number[], offsets: readonly number[]): number[] {
  const shifted = scores.map((s, i) => s + (offsets[i] ?? 0));
  const norm = logSumExp(shifted);
  return shifted.map((s) => s - norm);
}

const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * One frame's loss, and `weight ×` its gradient with respect to the offsets added into `grad`.
 * For a pose, the loss is a smooth hinge on the cross-entropy: softplus(κ·(log τ − log p_k)) / κ,
 * whose gradient is the cross-entropy's (p − onehot(k)) times a gate σ(κ·(log τ − log p_k)) that
 * closes as p_k passes τ. A correction ("not k") is the same on 1 − p_k.
 */
function addGradient(sample: CalibrationSample, offsets: readonly number[], weight: number, grad: number[], options: FitOptions): number {
  const z = sample.scores.map((s, i) => s + offsets[i]!);
  const all = logSumExp(z);
  const k = sample.classIndex;
  const { sharpness: kappa } = options;
  const logTarget = Math.log(options.target);
  if (sample.kind === 'is') {
    const margin = kappa * (logTarget - (z[k]! - all));
    const gate = sigmoid(margin);
    for (let j = 0; j < z.length; j++) grad[j]! += weight * gate * (Math.exp(z[j]! - all) - (j === k ? 1 : 0));
    return (weight * softplus(margin)) / kappa;
  }
  // log(1 - p_k) is the log-sum-exp over the other classes, less the whole one: exact even when the
  // model is sure of k and 1 - p_k underflows. Gradient of -log(1 - p_k): p_j - q_j, q the softmax
  // over the other classes.
  const rest = logSumExp(z, k);
  const margin = kappa * (logTarget - (rest - all));
  const gate = sigmoid(margin);
  for (let j = 0; j < z.length; j++) {
    const p = Math.exp(z[j]! - all);
    const q = j === k ? 0 : Math.exp(z[j]! - rest);
    grad[j]! += weight * gate * (p - q);
  }
  return (weight * softplus(margin)) / kappa;
}

/**
 * Per-class offsets (nats, card class order) that make the samples more likely under the model,
 * each within ±cap. No samples, or samples of the wrong width: all zeros.
 */
export function fitOffsets(samples: readonly CalibrationSample[], classCount: number, options: FitOptions = DEFAULT_FIT): number[] {
  const offsets = new Array<number>(classCount).fill(0);
  const usable = samples.filter(
    (s) =>
      s.scores.length === classCount &&
      s.weight > 0 &&
      s.classIndex >= 0 &&
      s.classIndex < classCount &&
      s.scores.every((x) => Number.isFinite(x)),
  );
  const total = usable.reduce((sum, s) => sum + s.weight, 0);
  if (usable.length === 0 || total <= 0) return offsets;
  for (let step = 0; step < options.steps; step++) {
    const grad = offsets.map((b) => options.l2 * b);
    for (const sample of usable) addGradient(sample, offsets, sample.weight / total, grad, options);
    for (let j = 0; j < classCount; j++) {
      const next = offsets[j]! - options.learningRate * grad[j]!;
      offsets[j] = Math.max(-options.cap, Math.min(options.cap, next));
    }
  }
  // The pull towards 0 also settles the one freedom a softmax leaves (adding the same number to every
  // offset changes nothing): the offsets come out with a mean near 0.
  return offsets.map((b) => (Math.abs(b) < 1e-6 ? 0 : b));
}

/** The mean loss of the samples under the offsets (for tests: the fit must lower it). */
export function calibrationLoss(
  samples: readonly CalibrationSample[],
  offsets: readonly number[],
  options: FitOptions = DEFAULT_FIT,
): number {
  const total = samples.reduce((sum, s) => sum + s.weight, 0);
  if (total <= 0) return 0;
  const scratch = new Array<number>(offsets.length).fill(0);
  return samples.reduce((sum, s) => sum + addGradient(s, offsets, s.weight / total, scratch, options), 0);
}

/** Probabilities keyed by expression from log-probabilities in card order, with the offsets added. */
export function calibratedExpression(
  scores: readonly number[],
  offsets: readonly number[],
  classes: readonly Expression[],
): FaceExpression {
  const log = applyOffsets(scores, offsets);
  // Classes a model lacks (RAF-DB has no contempt) read as probability 0, as uncalibrated.
  const probabilities = Object.fromEntries(EXPRESSIONS.map((e) => [e, 0])) as Record<Expression, number>;
  let top = classes[0]!;
  classes.forEach((name, i) => {
    probabilities[name] = Math.exp(log[i]!);
    if (probabilities[name] > probabilities[top]) top = name;
  });
  return { probabilities, top };
}
