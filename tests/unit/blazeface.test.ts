import { describe, expect, it } from 'vitest';
import {
  decodeDetections,
  generateAnchors,
  intersectionOverUnion,
  sigmoid,
  weightedNonMaxSuppression,
  type RawDetection,
} from '../../src/main/vision/blazeface.js';

const FRONT_LAYERS = [
  { grid: 16, anchorsPerCell: 2 },
  { grid: 8, anchorsPerCell: 6 },
];

function det(xMin: number, yMin: number, xMax: number, yMax: number, score: number, kp: number[] = []): RawDetection {
  return { xMin, yMin, xMax, yMax, score, keypoints: kp };
}

describe('generateAnchors', () => {
  const anchors = generateAnchors(FRONT_LAYERS);

  it('makes the 896 anchors of BlazeFace in output order', () => {
    expect(anchors).toHaveLength(16 * 16 * 2 + 8 * 8 * 6);
    // First cell of the 16x16 layer, both anchors.
    expect(anchors[0]).toEqual({ x: 0.5 / 16, y: 0.5 / 16 });
    expect(anchors[1]).toEqual({ x: 0.5 / 16, y: 0.5 / 16 });
    // Third anchor is the second cell of the first row.
    expect(anchors[2]).toEqual({ x: 1.5 / 16, y: 0.5 / 16 });
    // Row 1 starts after 16 cells of 2 anchors.
    expect(anchors[32]).toEqual({ x: 0.5 / 16, y: 1.5 / 16 });
    // The 8x8 layer starts at 512, six anchors per cell.
    expect(anchors[512]).toEqual({ x: 0.5 / 8, y: 0.5 / 8 });
    expect(anchors[517]).toEqual({ x: 0.5 / 8, y: 0.5 / 8 });
    expect(anchors[518]).toEqual({ x: 1.5 / 8, y: 0.5 / 8 });
    expect(anchors[895]).toEqual({ x: 7.5 / 8, y: 7.5 / 8 });
  });
});

describe('decodeDetections', () => {
  const options = { inputSize: 128, keypointCount: 2, scoreThreshold: 0.5, scoreClip: 100 };
  const anchors = [
    { x: 0.25, y: 0.5 },
    { x: 0.75, y: 0.75 },
  ];

  it('offsets boxes and keypoints from the anchor in input pixels', () => {
    // Anchor 0: centre moved by (+12.8, -6.4) px, box 32x64 px, keypoints at (+0,+0) and (-6.4,+12.8) px.
    const regressions = [12.8, -6.4, 32, 64, 0, 0, -6.4, 12.8, /* anchor 1 */ 0, 0, 10, 10, 0, 0, 0, 0];
    const [d, ...rest] = decodeDetections([3, -3], regressions, anchors, options);
    expect(rest).toHaveLength(0); // sigmoid(-3) = 0.047 is below the threshold
    expect(d!.score).toBeCloseTo(sigmoid(3), 10);
    // centre (0.35, 0.45), size (0.25, 0.5)
    expect(d!.xMin).toBeCloseTo(0.225, 10);
    expect(d!.xMax).toBeCloseTo(0.475, 10);
    expect(d!.yMin).toBeCloseTo(0.2, 10);
    expect(d!.yMax).toBeCloseTo(0.7, 10);
    expect(d!.keypoints[0]).toBeCloseTo(0.25, 10);
    expect(d!.keypoints[1]).toBeCloseTo(0.5, 10);
    expect(d!.keypoints[2]).toBeCloseTo(0.2, 10);
    expect(d!.keypoints[3]).toBeCloseTo(0.6, 10);
  });

  it('clips huge logits instead of producing NaN', () => {
    const regressions = new Array(16).fill(0);
    const out = decodeDetections([1e9, -1e9], regressions, anchors, options);
    expect(out).toHaveLength(1);
    expect(out[0]!.score).toBeCloseTo(1, 10);
  });

  it('rejects outputs that do not match the anchors', () => {
    expect(() => decodeDetections([0], new Array(8).fill(0), anchors, options)).toThrow(/do not match 2 anchors/);
  });
});

describe('intersectionOverUnion', () => {
  it('is 1/7 for two unit squares overlapping by a quarter', () => {
    // Overlap 0.5x0.5 = 0.25; union 1 + 1 - 0.25 = 1.75.
    expect(intersectionOverUnion(det(0, 0, 1, 1, 1), det(0.5, 0.5, 1.5, 1.5, 1))).toBeCloseTo(0.25 / 1.75, 10);
  });
  it('is 0 for disjoint and degenerate boxes', () => {
    expect(intersectionOverUnion(det(0, 0, 1, 1, 1), det(2, 2, 3, 3, 1))).toBe(0);
    expect(intersectionOverUnion(det(0, 0, 0, 0, 1), det(0, 0, 0, 0, 1))).toBe(0);
  });
});

describe('weightedNonMaxSuppression', () => {
  it('blends overlapping detections by score and keeps the best score', () => {
    const a = det(0, 0, 1, 1, 0.9, [0.2, 0.2]);
    const b = det(0.1, 0, 1.1, 1, 0.6, [0.4, 0.2]);
    const out = weightedNonMaxSuppression([b, a], 0.3);
    expect(out).toHaveLength(1);
    // Weighted mean: (0.9 * 0 + 0.6 * 0.1) / 1.5 = 0.04 and (0.9 * 1 + 0.6 * 1.1) / 1.5 = 1.04.
    expect(out[0]!.xMin).toBeCloseTo(0.04, 10);
    expect(out[0]!.xMax).toBeCloseTo(1.04, 10);
    expect(out[0]!.keypoints[0]).toBeCloseTo((0.9 * 0.2 + 0.6 * 0.4) / 1.5, 10);
    expect(out[0]!.score).toBe(0.9);
  });

  it('keeps separate faces apart, best first', () => {
    const left = det(0, 0, 0.3, 0.3, 0.7);
    const right = det(0.6, 0.6, 0.9, 0.9, 0.95);
    const out = weightedNonMaxSuppression([left, right], 0.3);
    expect(out.map((d) => d.score)).toEqual([0.95, 0.7]);
  });

  it('does not merge boxes whose overlap is at or below the threshold', () => {
    // IoU = 1/7 = 0.143 < 0.3
    const out = weightedNonMaxSuppression([det(0, 0, 1, 1, 0.9), det(0.5, 0.5, 1.5, 1.5, 0.8)], 0.3);
    expect(out).toHaveLength(2);
  });

  it('terminates on degenerate boxes', () => {
    expect(weightedNonMaxSuppression([det(0.5, 0.5, 0.5, 0.5, 0.9), det(0.5, 0.5, 0.5, 0.5, 0.8)], 0.3)).toHaveLength(2);
  });
});
