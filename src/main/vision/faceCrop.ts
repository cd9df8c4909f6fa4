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
  const acc = new Float64Array(3);
  for (let v = 0; v < spec.size; v++) {
    for (let u = 0; u < spec.size; u++) {
      acc.fill(0);
      for (let sy = 0.25; sy < 1; sy += 0.5) {
        for (let sx = 0.25; sx < 1; sx += 0.5) {
          const lx = (u + sx) * step - side / 2;
          const ly = (v + sy) * step - side / 2;
          addBilinear(image, cx + lx * cos - ly * sin, cy + lx * sin + ly * cos, acc);
        }
      }
      const o = (v * spec.size + u) * 3;
      out[o] = Math.round(acc[0]! / 4);
      out[o + 1] = Math.round(acc[1]! / 4);
      out[o + 2] = Math.round(acc[2]! / 4);
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

/** Adds the bilinear sample at (x, y) to acc[0..2]; outside the frame counts as black. */
function addBilinear(image: RgbaImage, x: number, y: number, acc: Float64Array): void {
  const fx = x - 0.5;
  const fy = y - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const ax = fx - x0;
  const ay = fy - y0;
  const { width, height, data } = image;
  for (let dy = 0; dy < 2; dy++) {
    const py = y0 + dy;
    if (py < 0 || py >= height) continue;
    const wy = dy === 0 ? 1 - ay : ay;
    for (let dx = 0; dx < 2; dx++) {
      const px = x0 + dx;
      if (px < 0 || px >= width) continue;
      const w = wy * (dx === 0 ? 1 - ax : ax);
      const i = (py * width + px) * 4;
      acc[0] = acc[0]! + data[i]! * w;
      acc[1] = acc[1]! + data[i + 1]! * w;
      acc[2] = acc[2]! + data[i + 2]! * w;
    }
  }
}
