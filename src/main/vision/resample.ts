/**
 * Resizes RGBA pixels into a float tensor in one pass per axis, with a triangle filter widened
 * by the scale factor when shrinking (as PIL's antialiased bilinear does), so small faces keep
 * their detail and large frames do not alias. Written here because a call into sharp costs
 * several milliseconds per frame on a busy machine.
 */

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

function taps(srcSize: number, dstSize: number): Taps {
  const scale = srcSize / dstSize;
  const support = Math.max(1, scale);
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dstSize);
  const count = new Int32Array(dstSize);
  const weights = new Float32Array(dstSize * maxTaps);
  for (let i = 0; i < dstSize; i++) {
    const centre = (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support));
    const hi = Math.min(srcSize, Math.ceil(centre + support));
    let total = 0;
    let n = 0;
    for (let j = lo; j < hi && n < maxTaps; j++, n++) {
      const w = Math.max(0, 1 - Math.abs(j + 0.5 - centre) / support);
      weights[i * maxTaps + n] = w;
      total += w;
    }
    for (let k = 0; k < n; k++) weights[i * maxTaps + k]! /= total || 1;
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, weights, maxTaps };
}

/**
 * Writes the RGB of `src` (RGBA, srcW x srcH) resized to dstW x dstH into `out`, an NHWC tensor
 * of rowStride pixels per row, mapping bytes through `lo + byte * k`.
 */
export function resizeRgbaToNhwc(
  source: Uint8Array,
  sourceW: number,
  sourceH: number,
  dstW: number,
  dstH: number,
  out: Float32Array,
  rowStride: number,
  lo: number,
  k: number,
): void {
  let src = source;
  let srcW = sourceW;
  let srcH = sourceH;
  // Halve by 2x2 averages while the image is more than twice the target: cheap, and it keeps
  // the filter below short.
  while (srcW >= 2 * dstW && srcH >= 2 * dstH) {
    src = halve(src, srcW, srcH);
    srcW >>= 1;
    srcH >>= 1;
  }
  const { start: hStart, count: hCount, weights: hWeights, maxTaps: hMax } = taps(srcW, dstW);
  const { start: vStart, count: vCount, weights: vWeights, maxTaps: vMax } = taps(srcH, dstH);
  // Horizontal pass into a float buffer of srcH rows.
  const mid = new Float32Array(srcH * dstW * 3);
  for (let y = 0; y < srcH; y++) {
    const row = y * srcW * 4;
    for (let x = 0; x < dstW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const base = x * hMax;
      const n = hCount[x]!;
      let p = row + hStart[x]! * 4;
      for (let t = 0; t < n; t++, p += 4) {
        const w = hWeights[base + t]!;
        r += src[p]! * w;
        g += src[p + 1]! * w;
        b += src[p + 2]! * w;
      }
      const o = (y * dstW + x) * 3;
      mid[o] = r;
      mid[o + 1] = g;
      mid[o + 2] = b;
    }
  }
  for (let y = 0; y < dstH; y++) {
    const base = y * vMax;
    const n = vCount[y]!;
    const first = vStart[y]!;
    for (let x = 0; x < dstW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let p = (first * dstW + x) * 3;
      for (let t = 0; t < n; t++, p += dstW * 3) {
        const w = vWeights[base + t]!;
        r += mid[p]! * w;
        g += mid[p + 1]! * w;
        b += mid[p + 2]! * w;
      }
      const o = (y * rowStride + x) * 3;
      out[o] = lo + r * k;
      out[o + 1] = lo + g * k;
      out[o + 2] = lo + b * k;
    }
  }
}

function halve(src: Uint8Array, w: number, h: number): Uint8Array {
  const hw = w >> 1;
  const hh = h >> 1;
  const out = new Uint8Array(hw * hh * 4);
  for (let y = 0; y < hh; y++) {
    const r0 = 2 * y * w * 4;
    const r1 = r0 + w * 4;
    for (let x = 0; x < hw; x++) {
      const a = r0 + 8 * x;
      const b = r1 + 8 * x;
      const o = (y * hw + x) * 4;
      out[o] = (src[a]! + src[a + 4]! + src[b]! + src[b + 4]! + 2) >> 2;
      out[o + 1] = (src[a + 1]! + src[a + 5]! + src[b + 1]! + src[b + 5]! + 2) >> 2;
      out[o + 2] = (src[a + 2]! + src[a + 6]! + src[b + 2]! + src[b + 6]! + 2) >> 2;
    }
  }
  return out;
}
