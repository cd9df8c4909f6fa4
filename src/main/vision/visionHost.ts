/**
 * The main side of the vision worker: starts it, sends frames, and turns replies into promises. It
 * supervises the worker: one that dies is started again after a back-off, and one that takes too
 * long on a frame is stopped and started again; meanwhile each frame fails with a message that says
 * so (which the session passes to the UI as a vision error).
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { RgbaImage } from './rgbaImage.js';
import type { VisionInfo } from '../../shared/vision.js';
import type { FrameAnalysis, StreamFrame, VisionEngineOptions } from './visionEngine.js';
import type { FromVisionWorker, VisionChannel } from './visionProtocol.js';

export interface VisionSupervision {
  /** A frame not answered in this time fails, and the worker is restarted. */
  frameTimeoutMs?: number;
  /** Waits before each restart in a row; the last one repeats. */
  restartDelaysMs?: readonly number[];
}

const DEFAULT_SUPERVISION: Required<VisionSupervision> = { frameTimeoutMs: 10_000, restartDelaysMs: [250, 1000, 5000, 30_000] };

/** Starts a worker and waits until it has loaded its models. */
function boot(open: () => VisionChannel, options: VisionEngineOptions): Promise<{ channel: VisionChannel; info: VisionInfo }> {
  return new Promise((resolve, reject) => {
    let channel: VisionChannel;
    try {
      channel = open();
    } catch (error) {
      reject(error as Error);
      return;
    }
    let settled = false;
    channel.onMessage((m) => {
      if (settled) return;
      if (m.type === 'ready') {
        settled = true;
        resolve({ channel, info: m.info });
      } else if (m.type === 'failed') {
        settled = true;
        channel.terminate();
        reject(new Error(m.message));
      }
    });
    channel.onExit((reason) => {
      if (!settled) reject(new Error(`the vision worker stopped before it was ready: ${reason}`));
      settled = true;
    });
    channel.post({ type: 'init', options });
  });
}

export class VisionHost {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: FrameAnalysis) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  /** Why the worker is down (it is being restarted), or undefined while it runs. */
  private down: string | undefined;
  private restartsInARow = 0;
  private closed = false;
  /** How many times the worker has been started again. */
  restarts = 0;

  private constructor(
    private readonly open: () => VisionChannel,
    private readonly options: VisionEngineOptions,
    private readonly supervision: Required<VisionSupervision>,
    private channel: VisionChannel,
    readonly info: VisionInfo,
  ) {
    this.attach(channel);
  }

  /** The first start fails as it always did (no models, bad card): the app reports that at once. */
  static async start(open: () => VisionChannel, options: VisionEngineOptions, supervision: VisionSupervision = {}): Promise<VisionHost> {
    const { channel, info } = await boot(open, options);
    return new VisionHost(open, options, { ...DEFAULT_SUPERVISION, ...supervision }, channel, info);
  }

  private attach(channel: VisionChannel): void {
    channel.onMessage((m) => {
      if (channel === this.channel) this.onMessage(m);
    });
    channel.onExit((reason) => {
      if (channel === this.channel) this.onDown(reason);
    });
  }

  private onDown(reason: string): void {
    if (this.down !== undefined || this.closed) return;
    this.down = reason;
    this.failPending(`the vision worker stopped (${reason}); it is being restarted`);
    const delays = this.supervision.restartDelaysMs;
    const delay = delays[Math.min(this.restartsInARow, delays.length - 1)]!;
    this.restartsInARow++;
    setTimeout(() => void this.restart(), delay).unref();
  }

  private async restart(): Promise<void> {
    if (this.closed) return;
    try {
      const { channel } = await boot(this.open, this.options);
      if (this.closed) {
        channel.terminate();
        return;
      }
      this.channel = channel;
      this.attach(channel);
      this.down = undefined;
      this.restarts++;
    } catch (error) {
      // Still down: try again after the next, longer wait.
      this.down = undefined;
      this.onDown((error as Error).message);
    }
  }

  private failPending(message: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(message));
    }
    this.pending.clear();
  }

  analyse(image: RgbaImage, stream?: StreamFrame): Promise<FrameAnalysis> {
    if (this.closed) return Promise.reject(new Error('the vision worker has been closed'));
    if (this.down !== undefined) return Promise.reject(new Error(`the vision worker is being restarted after it stopped (${this.down})`));
    const id = this.nextId++;
    const channel = this.channel;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // A worker stuck on one frame would hold every later frame: stop it; onDown restarts it.
        const ms = this.supervision.frameTimeoutMs;
        if (channel === this.channel) this.onDown(`it took longer than ${ms} ms on a frame`);
        channel.terminate();
      }, this.supervision.frameTimeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      channel.post({ type: 'analyse', id, width: image.width, height: image.height, rgba: image.data, stream });
    });
  }

  private onMessage(message: FromVisionWorker): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    clearTimeout(p.timer);
    this.restartsInARow = 0;
    if (message.type === 'result') p.resolve(message.analysis);
    else p.reject(new Error(message.message));
  }

  close(): void {
    this.closed = true;
    this.failPending('the vision worker has been closed');
    this.channel.terminate();
  }
}

/** A worker thread running the compiled worker entry. */
export function workerThreadChannel(entry: string): VisionChannel {
  if (!existsSync(entry)) throw new Error(`the vision worker ${entry} is not built: run \`npm run build:main\``);
  const worker = new Worker(entry);
  // The worker is idle between frames; it must not keep the process alive on its own.
  worker.unref();
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onExit: (listener) => {
      worker.on('error', (error) => listener(error.message));
      worker.on('exit', (code) => listener(`exit code ${code}`));
    },
    terminate: () => void worker.terminate(),
  };
}
