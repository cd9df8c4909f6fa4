import { describe, expect, it } from 'vitest';
import { cropFace, eyeAngle } from '../../../src/main/vision/faceCrop.js';
import { resizeRgbaToNhwc } from '../../../src/main/vision/resample.js';
import type { Face } from '../../../src/shared/vision.js';

function image(width: number, height: number, paint: (x: number, y: number) => [number, number, number]) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b] = paint(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  return { width, height, data };
}

function face(x: number, y: number, size: number, rightEye: [number, number], leftEye: [number, number]): Face {
  return {
    box: { x, y, width: size, height: size },
    score: 1,
    keypoints: [
      { x: rightEye[0], y: rightEye[1] },
      { x: leftEye[0], y: leftEye[1] },
    ],
  };
}

const at = (crop: Uint8Array, size: number, u: number, v: number) => crop[(v * size + u) * 3]!;

describe('cropFace', () => {
  it('takes the box widened by the margin, shifted by the offset', () => {
    // White square 40..80 on black; the box is exactly the square.
    const img = image(120, 120, (x, y) => (x >= 40 && x < 80 && y >= 40 && y < 80 ? [255, 255, 255] : [0, 0, 0]));
    const f = face(40, 40, 40, [50, 55], [70, 55]);
    const tight = cropFace(img, f, { margin: 0, offsetX: 0, offsetY: 0, size: 20, align: true });
    expect(at(tight, 20, 1, 1)).toBe(255);
    expect(at(tight, 20, 18, 18)).toBe(255);
    // margin 0.5: side doubles, so the outer quarter on each side is black.
    const wide = cropFace(img, f, { margin: 0.5, offsetX: 0, offsetY: 0, size: 20, align: true });
    expect(at(wide, 20, 1, 10)).toBe(0);
    expect(at(wide, 20, 10, 10)).toBe(255);
    expect(at(wide, 20, 6, 6)).toBe(255);
    // Shifted up by half the box: the bottom half of the crop is below the square... black.
    const up = cropFace(img, f, { margin: 0, offsetX: 0, offsetY: -0.5, size: 20, align: true });
    expect(at(up, 20, 10, 2)).toBe(0);
    expect(at(up, 20, 10, 15)).toBe(255);
  });

  it('levels the eyes: a face tilted by 30 degrees comes out upright', () => {
    // A bright bar along the eye line of a face turned 30 degrees.
    const angle = Math.PI / 6;
    const [cx, cy] = [60, 60];
    const img = image(120, 120, (x, y) => {
      const along = (x - cx) * Math.cos(angle) + (y - cy) * Math.sin(angle);
      const across = -(x - cx) * Math.sin(angle) + (y - cy) * Math.cos(angle);
      return Math.abs(across) < 3 && Math.abs(along) < 25 ? [255, 255, 255] : [0, 0, 0];
    });
    const f = face(
      40,
      40,
      40,
      [cx - 15 * Math.cos(angle), cy - 15 * Math.sin(angle)],
      [cx + 15 * Math.cos(angle), cy + 15 * Math.sin(angle)],
    );
    expect(eyeAngle(f)).toBeCloseTo(angle, 6);
    const crop = cropFace(img, f, { margin: 0, offsetX: 0, offsetY: 0, size: 40, align: true });
    // Upright, the bar is a horizontal line through the middle row.
    expect(at(crop, 40, 5, 20)).toBeGreaterThan(200);
    expect(at(crop, 40, 34, 20)).toBeGreaterThan(200);
    expect(at(crop, 40, 20, 5)).toBe(0);
    expect(at(crop, 40, 20, 34)).toBe(0);
  });

  it('pads with black outside the frame', () => {
    const img = image(50, 50, () => [200, 200, 200]);
    const crop = cropFace(img, face(-25, -25, 50, [0, 0], [10, 0]), { margin: 0, offsetX: 0, offsetY: 0, size: 10, align: false });
    expect(at(crop, 10, 1, 1)).toBe(0);
    expect(at(crop, 10, 8, 8)).toBe(200);
  });
});

describe('resizeRgbaToNhwc', () => {
  it('keeps a flat image flat and maps bytes to the value range', () => {
    const img = image(64, 48, () => [255, 0, 51]);
    const out = new Float32Array(32 * 32 * 3).fill(-9);
    resizeRgbaToNhwc(img.data, 64, 48, 32, 24, out, 32, -1, 2 / 255);
    expect(out[0]).toBeCloseTo(1, 5);
    expect(out[1]).toBeCloseTo(-1, 5);
    expect(out[2]).toBeCloseTo(-0.6, 5);
    const lastInside = (23 * 32 + 31) * 3;
    expect(out[lastInside]).toBeCloseTo(1, 5);
    // Rows past the image are left for the caller's padding.
    expect(out[24 * 32 * 3]).toBe(-9);
  });

  it('shrinks a horizontal ramp into a ramp, averaging instead of skipping', () => {
    const img = image(640, 4, (x) => [Math.floor(x / 2.5), 0, 0]);
    const out = new Float32Array(256 * 2 * 3);
    resizeRgbaToNhwc(img.data, 640, 4, 256, 2, out, 256, 0, 1);
    for (let x = 10; x < 246; x += 20) expect(out[x * 3]).toBeCloseTo(x, 0);
  });
});
