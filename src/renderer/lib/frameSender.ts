/**
 * Grabs downscaled frames from the preview and sends them to the backend. A new frame goes
 * out only when the last one has been answered (or has timed out), so a slow backend lowers
 * the frame rate instead of building a queue. Frames never leave this machine.
 */
import type { EmotuneApi } from '../../shared/api.js';

export interface FrameSenderOptions {
  /** Frames are scaled to this width; the height follows the camera's aspect ratio. */
  width: number;
  maxFps: number;
  /** Send again after this long even if the last frame got no answer. */
  answerTimeoutMs: number;
}

export const DEFAULT_FRAME_OPTIONS: FrameSenderOptions = { width: 320, maxFps: 10, answerTimeoutMs: 1000 };

export class FrameSender {
  private readonly canvas: OffscreenCanvas;
  private readonly context: OffscreenCanvasRenderingContext2D;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private nextFrameId = 1;
  private awaiting: { frameId: number; sentAt: number } | undefined;
  private running = false;

  constructor(
    private readonly api: EmotuneApi,
    private readonly video: HTMLVideoElement,
    private readonly options: FrameSenderOptions = DEFAULT_FRAME_OPTIONS,
  ) {
    this.canvas = new OffscreenCanvas(options.width, Math.round((options.width * 3) / 4));
    const context = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('2D canvas is not available');
    this.context = context;
  }

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
      const elapsed = performance.now() - this.awaiting.sentAt;
      this.awaiting = undefined;
      this.schedule(Math.max(0, 1000 / this.options.maxFps - elapsed));
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.running) this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    if (!this.running) return;
    if (this.awaiting && performance.now() - this.awaiting.sentAt < this.options.answerTimeoutMs) {
      this.schedule(this.options.answerTimeoutMs);
      return;
    }
    if (this.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || this.video.videoWidth === 0) {
      this.schedule(100);
      return;
    }
    const started = performance.now();
    const frame = this.capture();
    this.awaiting = { frameId: frame.frameId, sentAt: performance.now() };
    this.api.vision.submitFrame(frame).catch(() => {
      this.awaiting = undefined;
      this.schedule(this.options.answerTimeoutMs);
    });
    // Capture, copy and hand-off on the renderer's thread: what a frame costs the UI (npm run bench reads it).
    performance.measure('emotune:frame-send', { start: started, end: performance.now() });
    // If no answer comes, try again after the timeout.
    this.schedule(this.options.answerTimeoutMs);
  }

  private capture() {
    const width = this.options.width;
    const height = Math.max(1, Math.round((width * this.video.videoHeight) / this.video.videoWidth));
    if (this.canvas.height !== height) this.canvas.height = height;
    this.context.drawImage(this.video, 0, 0, width, height);
    const pixels = this.context.getImageData(0, 0, width, height).data;
    return {
      frameId: this.nextFrameId++,
      width,
      height,
      rgba: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength),
    };
  }
}
