import { describe, expect, it } from 'vitest';
import { downscalePlanar, type PlanarSource } from '../../src/renderer/lib/planarFrame.js';

/** A 4:2:0 picture whose every sample is given by position, with rows padded to `pad` extra bytes. */
function i420(width: number, height: number, sample: (plane: number, x: number, y: number) => number, pad = 0): PlanarSource {
  const planes = [
    { w: width, h: height },
    { w: width / 2, h: height / 2 },
    { w: width / 2, h: height / 2 },
  ];
  const layout: { offset: number; stride: number }[] = [];
  let offset = 0;
  for (const p of planes) {
    layout.push({ offset, stride: p.w + pad });
    offset += (p.w + pad) * p.h;
  }
  const bytes = new Uint8Array(offset);
  planes.forEach((p, i) => {
    for (let y = 0; y < p.h; y++) for (let x = 0; x < p.w; x++) bytes[layout[i]!.offset + y * layout[i]!.stride + x] = sample(i, x, y);
  });
  return { bytes, layout, interleaved: false, width, height };
}

/** The same picture with U and V interleaved in one plane, as NV12 holds them. */
function nv12(source: PlanarSource): PlanarSource {
  const { width, height } = source;
  const [y, u, v] = source.layout;
  const luma = width * height;
  const bytes = new Uint8Array(luma + luma / 2);
  for (let r = 0; r < height; r++)
    bytes.set(source.bytes.subarray(y!.offset + r * y!.stride, y!.offset + r * y!.stride + width), r * width);
  for (let r = 0; r < height / 2; r++)
    for (let x = 0; x < width / 2; x++) {
      bytes[luma + r * width + 2 * x] = source.bytes[u!.offset + r * u!.stride + x]!;
      bytes[luma + r * width + 2 * x + 1] = source.bytes[v!.offset + r * v!.stride + x]!;
    }
  return {
    bytes,
    layout: [
      { offset: 0, stride: width },
      { offset: luma, stride: width },
    ],
    interleaved: true,
    width,
    height,
  };
}

const at = (out: { width: number; height: number; i420: Uint8Array }, plane: number, x: number, y: number) => {
  const luma = out.width * out.height;
  const offset = [0, luma, luma + luma / 4][plane]!;
  const stride = plane === 0 ? out.width : out.width / 2;
  return out.i420[offset + y * stride + x];
};

describe('downscalePlanar', () => {
  it('halves a 640 x 480 picture, each sample the mean of the 2 x 2 block it covers, rows padded or not', () => {
    const sample = (plane: number, x: number, y: number) => (plane * 50 + x * 3 + y * 7) % 256;
    for (const pad of [0, 32]) {
      const out = downscalePlanar(i420(640, 480, sample, pad), 320);
      expect([out.width, out.height, out.i420.length]).toEqual([320, 240, (320 * 240 * 3) / 2]);
      const mean = (plane: number, x: number, y: number) =>
        Math.round(
          (sample(plane, 2 * x, 2 * y) +
            sample(plane, 2 * x + 1, 2 * y) +
            sample(plane, 2 * x, 2 * y + 1) +
            sample(plane, 2 * x + 1, 2 * y + 1)) /
            4,
        );
      for (const [x, y] of [
        [0, 0],
        [5, 9],
        [100, 50],
      ] as const)
        expect(at(out, 0, x, y)).toBe(mean(0, x, y));
      for (const [x, y] of [
        [0, 0],
        [7, 3],
        [150, 110],
      ] as const) {
        expect(at(out, 1, x, y)).toBe(mean(1, x, y));
        expect(at(out, 2, x, y)).toBe(mean(2, x, y));
      }
    }
  });

  it('averages 4 x 4 blocks of a 1280 px camera', () => {
    const sample = (plane: number, x: number, y: number) => (plane * 40 + x * 5 + y * 3) % 256;
    const out = downscalePlanar(i420(1280, 960, sample), 320);
    const mean = (plane: number, x: number, y: number) => {
      let sum = 0;
      for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) sum += sample(plane, 4 * x + dx, 4 * y + dy);
      return Math.round(sum / 16);
    };
    expect(at(out, 0, 33, 71)).toBe(mean(0, 33, 71));
    expect(at(out, 1, 20, 40)).toBe(mean(1, 20, 40));
    expect(at(out, 2, 150, 100)).toBe(mean(2, 150, 100));
  });

  it('reads NV12 as the same picture as I420', () => {
    const source = i420(64, 48, (plane, x, y) => (plane === 0 ? x * 4 : plane === 1 ? 60 + y : 200 - x));
    expect(downscalePlanar(nv12(source), 32).i420).toEqual(downscalePlanar(source, 32).i420);
  });

  it('scales by whole factors only, to an even size at least the width asked', () => {
    const flat = () => 128;
    const size = (w: number, h: number) => {
      const out = downscalePlanar(i420(w, h, flat), 320);
      return [out.width, out.height];
    };
    expect(size(1280, 720)).toEqual([320, 180]);
    expect(size(800, 600)).toEqual([400, 300]);
    expect(size(1024, 768)).toEqual([340, 256]);
    expect(size(320, 240)).toEqual([320, 240]);
    expect(size(160, 120)).toEqual([160, 120]);
  });

  it('copies a picture already the size asked unchanged', () => {
    const source = i420(320, 240, (plane, x, y) => (plane * 31 + x + y) % 256, 16);
    const out = downscalePlanar(source, 320);
    expect(at(out, 0, 17, 33)).toBe((17 + 33) % 256);
    expect(at(out, 2, 100, 90)).toBe((62 + 100 + 90) % 256);
  });
});
