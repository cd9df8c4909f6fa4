/**
 * Camera pictures as they reach the vision worker: RGBA from a canvas, or the camera's own planar
 * YUV 4:2:0 (I420), which the renderer sends unconverted because reading it costs the page a
 * copy instead of a colour conversion and it is 40% of the bytes. The models want RGB: the worker
 * converts here, off the thread that serves the UI.
 */
import type { FramePicture } from '../../shared/vision.js';
import type { RgbaImage } from './rgbaImage.js';

/** An I420 frame's picture as the shared schema defines it (planes, matrix, range), without its tag. */
export type I420Image = Omit<Extract<FramePicture, { format: 'i420' }>, 'format'>;

export type CameraImage = RgbaImage | I420Image;

/** Luma weights of each matrix (ITU-R BT.601 and BT.709). */
const WEIGHTS: Record<I420Image['matrix'], { kr: number; kb: number }> = {
  bt601: { kr: 0.299, kb: 0.114 },
  bt709: { kr: 0.2126, kb: 0.0722 },
};

/**
 * The picture as RGBA. An I420 picture is converted into `reuse` when it is large enough (the worker
 * reads one frame at a time, so one buffer serves them all), otherwise into a new buffer.
 */
export function toRgba(image: CameraImage, reuse?: Uint8Array): RgbaImage {
  if ('data' in image) return image;
  const { width, height, i420, matrix, fullRange } = image;
  const pixels = width * height;
  const data = reuse && reuse.byteLength >= pixels * 4 ? reuse.subarray(0, pixels * 4) : new Uint8Array(pixels * 4);
  // A clamped view rounds and clips each channel as it is written.
  const out = new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
  const { kr, kb } = WEIGHTS[matrix];
  const kg = 1 - kr - kb;
  const yScale = fullRange ? 1 : 255 / 219;
  const yOffset = fullRange ? 0 : 16;
  const cScale = fullRange ? 1 : 255 / 224;
  const rCr = 2 * (1 - kr) * cScale;
  const bCb = 2 * (1 - kb) * cScale;
  const gCb = (-kb * 2 * (1 - kb) * cScale) / kg;
  const gCr = (-kr * 2 * (1 - kr) * cScale) / kg;
  const half = width >> 1;
  const uStart = pixels;
  const vStart = pixels + (pixels >> 2);
  for (let y = 0; y < height; y++) {
    const chromaRow = (y >> 1) * half;
    let o = y * width * 4;
    for (let x = 0; x < width; x++) {
      const c = chromaRow + (x >> 1);
      const luma = (i420[y * width + x]! - yOffset) * yScale;
      const cb = i420[uStart + c]! - 128;
      const cr = i420[vStart + c]! - 128;
      out[o] = luma + rCr * cr;
      out[o + 1] = luma + gCb * cb + gCr * cr;
      out[o + 2] = luma + bCb * cb;
      out[o + 3] = 255;
      o += 4;
    }
  }
  return { width, height, data };
}

/** A frame from the renderer as the vision code takes it. */
export function cameraImage(frame: FramePicture): CameraImage {
  if (frame.format === 'rgba') return { width: frame.width, height: frame.height, data: frame.rgba };
  return { width: frame.width, height: frame.height, i420: frame.i420, matrix: frame.matrix, fullRange: frame.fullRange };
}
