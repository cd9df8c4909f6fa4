/**
 * Grabs downscaled frames from the preview and sends them to the backend. A new frame goes
 * out only when the last one has been answered (or has timed out), so a slow backend lowers
 * the frame rate instead of building a queue. A pace, when given, sets the gap between frames
 * (the adaptive rate); it is never shorter than `maxFps` allows. Frames never leave this machine.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { FramePicture } from '../../shared/vision.js';
import { planarReader } from './planarFrame.js';
import { measure } from './timeline.js';

export interface FrameSenderOptions {
  maxFps: number;
  /** Send again after this long even if the last frame got no answer. */
  answerTimeoutMs: number;
}

export const DEFAULT_FRAME_OPTIONS: FrameSenderOptions = { maxFps: 10, answerTimeoutMs: 1000 };

/** Frames are scaled to this width; the height follows the camera's aspect ratio. */
export const FRAME_WIDTH = 320;

/** The gap to leave before the next frame, asked after each answer. */
export interface FramePace {
  intervalMs(now: number): number;
}

/** A frame's picture, or undefined while the camera has none yet. */
export type FrameGrabber = () => Promise<FramePicture | undefined>;

/** The 2D context calls a frame needs: an OffscreenCanvas's in the app, a fake in a test. */
export interface FrameCanvas {
  height: number;
  getContext(
    contextId: '2d',
    options: { willReadFrequently: boolean },
  ): {
    drawImage(image: HTMLVideoElement, dx: number, dy: number, dw: number, dh: number): void;
    getImageData(sx: number, sy: number, sw: number, sh: number): { readonly data: Uint8ClampedArray<ArrayBuffer> };
  } | null;
}

/**
 * Reads the video's current picture, scaled to about `width`: in the camera's own YUV where the
 * browser can copy it (planarFrame.ts), otherwise drawn through one reused canvas as RGBA.
 */
export function grabFrom(
  video: HTMLVideoElement,
  width = FRAME_WIDTH,
  canvas: FrameCanvas = new OffscreenCanvas(width, Math.round((width * 3) / 4)),
): FrameGrabber {
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('2D canvas is not available');
  const planar = planarReader(video, width);
  return async () => {
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) return undefined;
    const picture = await planar();
    if (picture) return picture;
    const height = Math.max(1, Math.round((width * video.videoHeight) / video.videoWidth));
    if (canvas.height !== height) canvas.height = height;
    context.drawImage(video, 0, 0, width, height);
    const pixels = context.getImageData(0, 0, width, height).data;
    return { width, height, format: 'rgba', rgba: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength) };
  };
}

export class FrameSender {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private nextFrameId = 1;
  private awaiting: { frameId: number; sentAt: number } | undefined;
  private running = false;
  /** A picture is being read: a tick that comes meanwhile (a quick stop and start) leaves it be. */
  private grabbing = false;

  constructor(
    private readonly api: EmotuneApi,
    private readonly grab: FrameGrabber,
    private readonly options: FrameSenderOptions = DEFAULT_FRAME_OPTIONS,
    private readonly pace?: FramePace,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.awaiting = undefined;
  }

  /** Call when the backend answered a frame, so the next one can go. */
  answered(frameId: number): void {
    if (this.awaiting && frameId >= this.awaiting.frameId) {
      const now = performance.now();
      const elapsed = now - this.awaiting.sentAt;
      this.awaiting = undefined;
      const interval = Math.max(1000 / this.options.maxFps, this.pace?.intervalMs(now) ?? 0);
      this.schedule(Math.max(0, interval - elapsed));
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.running) this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (!this.running || this.grabbing) return;
    if (this.awaiting && performance.now() - this.awaiting.sentAt < this.options.answerTimeoutMs) {
      this.schedule(this.options.answerTimeoutMs);
      return;
    }
    const started = performance.now();
    this.grabbing = true;
    let picture: FramePicture | undefined;
    try {
      picture = await this.grab();
    } catch {
      picture = undefined;
    } finally {
      this.grabbing = false;
    }
    if (!this.running) return;
    if (!picture) {
      this.schedule(100);
      return;
    }
    const frame = { frameId: this.nextFrameId++, ...picture };
    this.awaiting = { frameId: frame.frameId, sentAt: performance.now() };
    this.api.vision.submitFrame(frame).catch(() => {
      this.awaiting = undefined;
      this.schedule(this.options.answerTimeoutMs);
    });
    // Read, scale and hand-off in the page: what a frame costs the UI (npm run bench reads it).
    measure('emotune:frame-send', { start: started, end: performance.now(), detail: { format: picture.format } });
    // If no answer comes, try again after the timeout.
    this.schedule(this.options.answerTimeoutMs);
  }
}
