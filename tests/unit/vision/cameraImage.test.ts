/** The worker's conversion of the camera's YUV frames to the RGB the models read. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cameraImage, toRgba, type I420Image } from '../../../src/main/vision/cameraImage.js';
import { rgbaToI420 } from '../../fixtures/yuvFrames.js';

const run = promisify(execFile);

/** A 2 x 2 picture of one colour. */
function flat(y: number, u: number, v: number, matrix: I420Image['matrix'] = 'bt601', fullRange = false): I420Image {
  return { width: 2, height: 2, i420: Uint8Array.from([y, y, y, y, u, v]), matrix, fullRange };
}

const pixel = (image: I420Image) => [...toRgba(image).data.subarray(0, 4)];

/** A smooth picture with colour in it: gradients and a soft disc, as a face at webcam size is. */
function scene(width: number, height: number) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const d = Math.hypot(x - width / 2, y - height / 2) / (height / 2);
      data[o] = Math.round(60 + 150 * (x / width));
      data[o + 1] = Math.round(40 + 120 * (y / height));
      data[o + 2] = Math.round(200 * Math.max(0, 1 - d));
      data[o + 3] = 255;
    }
  return { width, height, data };
}

describe('toRgba', () => {
  it('reads limited-range black, white and grey as a camera means them', () => {
    expect(pixel(flat(16, 128, 128))).toEqual([0, 0, 0, 255]);
    expect(pixel(flat(235, 128, 128))).toEqual([255, 255, 255, 255]);
    expect(pixel(flat(126, 128, 128))).toEqual([128, 128, 128, 255]);
    expect(pixel(flat(0, 128, 128, 'bt601', true))).toEqual([0, 0, 0, 255]);
    expect(pixel(flat(255, 128, 128, 'bt709', true))).toEqual([255, 255, 255, 255]);
  });

  it('decodes pure red by the matrix the camera names', () => {
    const near = (got: number[], want: number[]) =>
      got.slice(0, 3).forEach((c, i) => expect(Math.abs(c - want[i]!)).toBeLessThanOrEqual(2));
    near(pixel(flat(81, 90, 240, 'bt601')), [255, 0, 0]);
    near(pixel(flat(63, 102, 240, 'bt709')), [255, 0, 0]);
    // Read with the wrong matrix the same bytes are another colour: the matrix is not ignored.
    expect(pixel(flat(81, 90, 240, 'bt709'))[1]).toBeGreaterThan(20);
  });

  it('shares each chroma sample between the 2 x 2 pixels it covers', () => {
    const image: I420Image = {
      width: 4,
      height: 2,
      i420: Uint8Array.from([126, 126, 126, 126, 126, 126, 126, 126, 128, 200, 128, 60]),
      matrix: 'bt601',
      fullRange: false,
    };
    const { data } = toRgba(image);
    expect([...data.subarray(0, 3)]).toEqual([...data.subarray(20, 23)]); // (0,0) and (1,1): one block
    // The right-hand block (U 200, V 60) is bluer and less red than the grey left-hand one.
    expect(data[10]).toBeGreaterThan(data[2]! + 50);
    expect(data[8]).toBeLessThan(data[0]! - 50);
    expect([...data.subarray(8, 11)]).toEqual([...data.subarray(28, 31)]);
  });

  it('writes into the buffer it is given when that is large enough, and into a new one otherwise', () => {
    const reuse = new Uint8Array(64);
    expect(toRgba(flat(16, 128, 128), reuse).data.buffer).toBe(reuse.buffer);
    expect(toRgba(flat(16, 128, 128), new Uint8Array(8)).data.byteLength).toBe(16);
    const rgba = { width: 1, height: 1, data: new Uint8Array(4) };
    expect(toRgba(rgba)).toBe(rgba);
  });

  it("gives back within a level or two the picture that ffmpeg encoded as the camera's I420", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emotune-yuv-'));
    const original = scene(320, 240);
    writeFileSync(join(dir, 'in.rgba'), original.data);
    // ffmpeg's default for RGB to YUV: BT.601, limited range, as a webcam's stream.
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-s',
      '320x240',
      '-i',
      join(dir, 'in.rgba'),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      join(dir, 'out.yuv'),
    ]);
    const i420 = new Uint8Array(readFileSync(join(dir, 'out.yuv')));
    const { data } = toRgba({ width: 320, height: 240, i420, matrix: 'bt601', fullRange: false });
    let error = 0;
    for (let i = 0; i < data.length; i++) if (i % 4 !== 3) error += Math.abs(data[i]! - original.data[i]!);
    expect(error / (320 * 240 * 3)).toBeLessThan(2);
  });

  it('round-trips the test encoder in both matrices and ranges', () => {
    const original = scene(64, 48);
    for (const matrix of ['bt601', 'bt709'] as const)
      for (const fullRange of [false, true]) {
        const { data } = toRgba(rgbaToI420(original, matrix, fullRange));
        let error = 0;
        for (let i = 0; i < data.length; i++) if (i % 4 !== 3) error += Math.abs(data[i]! - original.data[i]!);
        expect(error / (64 * 48 * 3)).toBeLessThan(2);
      }
  });
});

describe('cameraImage', () => {
  it('keeps what each kind of frame carries', () => {
    const rgba = new Uint8Array(16 * 16 * 4);
    expect(cameraImage({ width: 16, height: 16, format: 'rgba', rgba })).toEqual({ width: 16, height: 16, data: rgba });
    const i420 = new Uint8Array((16 * 16 * 3) / 2);
    expect(cameraImage({ width: 16, height: 16, format: 'i420', i420, matrix: 'bt709', fullRange: true })).toEqual({
      width: 16,
      height: 16,
      i420,
      matrix: 'bt709',
      fullRange: true,
    });
  });
});
