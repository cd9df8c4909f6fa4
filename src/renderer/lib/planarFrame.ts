/**
 * Reads the camera's picture in its own planar YUV 4:2:0 through WebCodecs, and scales it down in
 * the page. Drawing the video into a canvas and reading it back converted every frame to RGB and
 * waited on the compositor: 4-5 ms of the page's main thread a frame here against 0.1 ms for the
 * copy, and 307 KB to send against 115 KB. Pictures in any other layout (RGB frames of a GPU
 * capture, say) return undefined, and the caller draws them through a canvas as before.
 */
import type { FramePicture } from '../../shared/vision.js';

type PlanarPicture = Extract<FramePicture, { i420: Uint8Array }>;

/** What `VideoFrame.copyTo` wrote: the visible picture's planes, where each starts and its row length. */
export interface PlanarSource {
  bytes: Uint8Array;
  layout: readonly { offset: number; stride: number }[];
  /** Chroma interleaved in one plane (U, V, U, V...) rather than in two. */
  interleaved: boolean;
  width: number;
  height: number;
}

/**
 * Averages blocks of k x k pixels, k the largest whole factor that keeps the width at least
 * `targetWidth` (640 -> 320 by 2, 1280 -> 320 by 4, 800 -> 400 by 2), into packed I420 with an even
 * width and height. A whole factor keeps each output pixel a plain mean of the pixels it covers.
 */
export function downscalePlanar(source: PlanarSource, targetWidth: number): Pick<PlanarPicture, 'width' | 'height' | 'i420'> {
  const k = Math.max(1, Math.floor(source.width / targetWidth));
  const width = Math.floor(source.width / k) & ~1;
  const height = Math.floor(source.height / k) & ~1;
  const i420 = new Uint8Array((width * height * 3) / 2);
  const [luma, chroma, second] = source.layout;
  if (!luma || !chroma || (!source.interleaved && !second)) throw new Error('the frame lacks a plane');
  const quarter = (width >> 1) * (height >> 1);
  averageBlocks(source.bytes, luma.offset, luma.stride, 1, k, width, height, i420, 0);
  if (source.interleaved) {
    averageBlocks(source.bytes, chroma.offset, chroma.stride, 2, k, width >> 1, height >> 1, i420, width * height);
    averageBlocks(source.bytes, chroma.offset + 1, chroma.stride, 2, k, width >> 1, height >> 1, i420, width * height + quarter);
  } else {
    averageBlocks(source.bytes, chroma.offset, chroma.stride, 1, k, width >> 1, height >> 1, i420, width * height);
    averageBlocks(source.bytes, second!.offset, second!.stride, 1, k, width >> 1, height >> 1, i420, width * height + quarter);
  }
  return { width, height, i420 };
}

/** One plane: samples `step` bytes apart in rows `stride` apart, each output the mean of a k x k block. */
function averageBlocks(
  src: Uint8Array,
  offset: number,
  stride: number,
  step: number,
  k: number,
  width: number,
  height: number,
  dst: Uint8Array,
  dstOffset: number,
): void {
  const area = k * k;
  const half = area >> 1;
  for (let y = 0; y < height; y++) {
    const out = dstOffset + y * width;
    const top = offset + y * k * stride;
    if (k === 1 && step === 1) {
      dst.set(src.subarray(top, top + width), out);
      continue;
    }
    if (k === 2) {
      // A 640 px camera's case, unrolled: the general loop below costs the page about 1 ms a frame.
      for (let x = 0, p = top; x < width; x++, p += 2 * step) {
        dst[out + x] = (src[p]! + src[p + step]! + src[p + stride]! + src[p + stride + step]! + 2) >> 2;
      }
      continue;
    }
    for (let x = 0; x < width; x++) {
      let sum = 0;
      const left = top + x * k * step;
      for (let dy = 0; dy < k; dy++) {
        const row = left + dy * stride;
        for (let dx = 0; dx < k; dx++) sum += src[row + dx * step]!;
      }
      dst[out + x] = ((sum + half) / area) | 0;
    }
  }
}

const PLANAR_FORMATS = new Set(['I420', 'I420A', 'NV12']);

/**
 * Returns a reader of the video's current picture, scaled to about `targetWidth`, or undefined from it
 * when this browser or this camera's frames cannot be read that way. The reader keeps one copy
 * buffer for its video: call it for one frame at a time.
 */
export function planarReader(video: HTMLVideoElement, targetWidth: number): () => Promise<PlanarPicture | undefined> {
  let bytes = new Uint8Array(0);
  return async () => {
    if (typeof VideoFrame !== 'function') return undefined;
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(video);
    } catch {
      return undefined;
    }
    try {
      const rect = frame.visibleRect;
      if (!frame.format || !PLANAR_FORMATS.has(frame.format) || !rect) return undefined;
      // Pixels that are not square would need a resample the canvas does better.
      if (frame.displayWidth !== rect.width || frame.displayHeight !== rect.height) return undefined;
      const size = frame.allocationSize();
      if (bytes.byteLength < size) bytes = new Uint8Array(size);
      const layout = await frame.copyTo(bytes);
      const picture = downscalePlanar(
        { bytes, layout, interleaved: frame.format === 'NV12', width: rect.width, height: rect.height },
        targetWidth,
      );
      if (picture.width < 16 || picture.height < 16) return undefined;
      // Unknown colours are BT.601 in limited range, as Chromium draws them.
      const { matrix, fullRange } = frame.colorSpace;
      return { ...picture, format: 'i420', matrix: matrix === 'bt709' ? 'bt709' : 'bt601', fullRange: fullRange === true };
    } catch {
      return undefined;
    } finally {
      frame.close();
    }
  };
}
