/**
 * Cuts the face out of a frame the way the expression model was trained: a square around the
 * detector box, widened by the card's margin and shifted by its offsets, turned so the eyes are
 * level, resampled to the model's size with 2x2 supersampling, and padded with black outside
 * the frame.
 */
import type { Face } from '../../shared/vision.js';
import type { RgbaImage } from './rgbaImage.js';

export interface CropSpec {
  margin: number;
  offsetX: number;
  offsetY: number;
  size: number;
  /** Level the eyes using the first two keypoints (subject's right eye, left eye). */
  align: boolean;
}

/** Returns size*size*3 RGB bytes. */
export function cropFace(image: RgbaImage, face: Face, spec: CropSpec): Uint8Array {
  const { box } = face;
  const side = Math.max(box.width, box.height) * (1 + 2 * spec.margin);
  const angle = spec.align ? eyeAngle(face) : 0;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  // Offsets are along the face's own axes, so they turn with it.
  const dx = spec.offsetX * box.width;
  const dy = spec.offsetY * box.height;
  const cx = box.x + box.width / 2 + dx * cos - dy * sin;
  const cy = box.y + box.height / 2 + dx * sin + dy * cos;
  const out = new Uint8Array(spec.size * spec.size * 3);
  const step = side / spec.size;
  const samples = [0.25, 0.75];
  for (let v = 0; v < spec.size; v++) {
    for (let u = 0; u < spec.size; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const sy of samples) {
        for (const sx of samples) {
          const lx = (u + sx) * step - side / 2;
          const ly = (v + sy) * step - side / 2;
          const [pr, pg, pb] = bilinear(image, cx + lx * cos - ly * sin, cy + lx * sin + ly * cos);
          r += pr;
          g += pg;
          b += pb;
        }
      }
      const o = (v * spec.size + u) * 3;
      out[o] = Math.round(r / 4);
      out[o + 1] = Math.round(g / 4);
      out[o + 2] = Math.round(b / 4);
    }
  }
  return out;
}

/** The roll of the face: the angle of the line from the subject's right eye to the left eye. */
export function eyeAngle(face: Face): number {
  const [right, left] = face.keypoints;
  if (!right || !left) return 0;
  return Math.atan2(left.y - right.y, left.x - right.x);
}

function bilinear(image: RgbaImage, x: number, y: number): [number, number, number] {
  const fx = x - 0.5;
  const fy = y - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const ax = fx - x0;
  const ay = fy - y0;
  const out: [number, number, number] = [0, 0, 0];
  for (const [px, py, w] of [
    [x0, y0, (1 - ax) * (1 - ay)],
    [x0 + 1, y0, ax * (1 - ay)],
    [x0, y0 + 1, (1 - ax) * ay],
    [x0 + 1, y0 + 1, ax * ay],
  ] as const) {
    if (px < 0 || py < 0 || px >= image.width || py >= image.height || w === 0) continue;
    const i = (py * image.width + px) * 4;
    out[0] += image.data[i]! * w;
    out[1] += image.data[i + 1]! * w;
    out[2] += image.data[i + 2]! * w;
  }
  return out;
}
