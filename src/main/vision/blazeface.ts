/**
 * BlazeFace post-processing as MediaPipe does it: SSD anchors on a square input, box and
 * keypoint regression relative to the anchor, sigmoid scores, and weighted non-maximum
 * suppression that blends overlapping detections instead of dropping them.
 */

export interface AnchorLayer {
  /** Cells per side of this feature map. */
  grid: number;
  anchorsPerCell: number;
}

export interface Anchor {
  /** Centre in [0, 1] input coordinates. */
  x: number;
  y: number;
}

export interface DecodeOptions {
  /** Side of the square model input in pixels: regressions are in these pixels. */
  inputSize: number;
  keypointCount: number;
  scoreThreshold: number;
  /** Logits are clipped to +-scoreClip before the sigmoid, as MediaPipe does. */
  scoreClip: number;
}

/** A detection in [0, 1] coordinates of the square model input. */
export interface RawDetection {
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  keypoints: number[]; // x0, y0, x1, y1, ...
  score: number;
}

/** Anchors in the order the model emits them: layer by layer, row-major, anchors within a cell. */
export function generateAnchors(layers: readonly AnchorLayer[]): Anchor[] {
  const anchors: Anchor[] = [];
  for (const { grid, anchorsPerCell } of layers) {
    for (let y = 0; y < grid; y++) {
      for (let x = 0; x < grid; x++) {
        for (let a = 0; a < anchorsPerCell; a++) anchors.push({ x: (x + 0.5) / grid, y: (y + 0.5) / grid });
      }
    }
  }
  return anchors;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Turns raw scores (one logit per anchor) and regressions (4 box values then 2 per keypoint)
 * into detections above the threshold. Boxes are centre/size with fixed unit-size anchors.
 */
export function decodeDetections(
  scores: ArrayLike<number>,
  regressions: ArrayLike<number>,
  anchors: readonly Anchor[],
  options: DecodeOptions,
): RawDetection[] {
  const stride = 4 + 2 * options.keypointCount;
  if (scores.length !== anchors.length || regressions.length !== anchors.length * stride) {
    throw new Error(
      `BlazeFace output sizes (${scores.length} scores, ${regressions.length} regressions) do not match ${anchors.length} anchors`,
    );
  }
  const scale = 1 / options.inputSize;
  const out: RawDetection[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const logit = Math.max(-options.scoreClip, Math.min(options.scoreClip, scores[i]!));
    const score = sigmoid(logit);
    if (score < options.scoreThreshold) continue;
    const anchor = anchors[i]!;
    const r = i * stride;
    const cx = anchor.x + regressions[r]! * scale;
    const cy = anchor.y + regressions[r + 1]! * scale;
    const w = regressions[r + 2]! * scale;
    const h = regressions[r + 3]! * scale;
    const keypoints: number[] = [];
    for (let k = 0; k < options.keypointCount; k++) {
      keypoints.push(anchor.x + regressions[r + 4 + 2 * k]! * scale, anchor.y + regressions[r + 5 + 2 * k]! * scale);
    }
    out.push({ xMin: cx - w / 2, yMin: cy - h / 2, xMax: cx + w / 2, yMax: cy + h / 2, keypoints, score });
  }
  return out;
}

export function intersectionOverUnion(a: RawDetection, b: RawDetection): number {
  const ix = Math.max(0, Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin));
  const iy = Math.max(0, Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin));
  const inter = ix * iy;
  const union = (a.xMax - a.xMin) * (a.yMax - a.yMin) + (b.xMax - b.xMin) * (b.yMax - b.yMin) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * MediaPipe's WEIGHTED suppression: take the best remaining detection, gather every remaining
 * one that overlaps it by more than the threshold, and replace the group by the score-weighted
 * mean of its boxes and keypoints, keeping the best score.
 */
export function weightedNonMaxSuppression(detections: readonly RawDetection[], iouThreshold: number): RawDetection[] {
  let remaining = [...detections].sort((a, b) => b.score - a.score);
  const out: RawDetection[] = [];
  while (remaining.length > 0) {
    const best = remaining[0]!;
    // The best one always leads its group, even if degenerate (zero area gives IoU 0 with itself).
    const group: RawDetection[] = [best];
    const rest: RawDetection[] = [];
    for (const d of remaining.slice(1)) (intersectionOverUnion(best, d) > iouThreshold ? group : rest).push(d);
    remaining = rest;
    if (group.length === 1) {
      out.push(best);
      continue;
    }
    const total = group.reduce((s, d) => s + d.score, 0);
    const mean = (pick: (d: RawDetection) => number) => group.reduce((s, d) => s + pick(d) * d.score, 0) / total;
    out.push({
      xMin: mean((d) => d.xMin),
      yMin: mean((d) => d.yMin),
      xMax: mean((d) => d.xMax),
      yMax: mean((d) => d.yMax),
      keypoints: best.keypoints.map((_, k) => mean((d) => d.keypoints[k]!)),
      score: best.score,
    });
  }
  return out;
}
