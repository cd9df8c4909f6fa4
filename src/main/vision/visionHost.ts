/**
 * The main side of the vision worker: starts it, sends frames, and turns replies into promises. It
 * supervises the worker: one that dies is started again after a back-off, and one that takes too
 * long on a frame is stopped and started again; meanwhile each frame fails with a message that says
 * so (which the session passes to the UI as a vision error). Another expression model is loaded in a
 * new worker, which takes over once it is ready; the old one answers the frames it already has.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { VisionInfo } from '../../shared/vision.js';
import type { CameraImage } from './cameraImage.js';
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

interface PendingFrame {
  resolve: (a: FrameAnalysis) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  /** The worker it was sent to: after a change of model, the old one still answers its own frames. */
  channel: VisionChannel;
}

export class VisionHost {
  private nextId = 1;
  private readonly pending = new Map<number, PendingFrame>();
  /** Workers replaced by a change of model, stopped once their last frame is answered. */
  private readonly retiring = new Set<VisionChannel>();
  /** Why the worker is down (it is being restarted), or undefined while it runs. */
  private down: string | undefined;
  private restartsInARow = 0;
  private closed = false;
  /** How many times the worker has been started again. */
  restarts = 0;

  private constructor(
    private readonly open: () => VisionChannel,
    private options: VisionEngineOptions,
    private readonly supervision: Required<VisionSupervision>,
    private channel: VisionChannel,
    private current: VisionInfo,
  ) {
    this.attach(channel);
  }

  get info(): VisionInfo {
    return this.current;
  }

  /** The first start fails as it always did (no models, bad card): the app reports that at once. */
  static async start(open: () => VisionChannel, options: VisionEngineOptions, supervision: VisionSupervision = {}): Promise<VisionHost> {
    const { channel, info } = await boot(open, options);
    return new VisionHost(open, options, { ...DEFAULT_SUPERVISION, ...supervision }, channel, info);
  }

  private attach(channel: VisionChannel): void {
    // Frame ids are unique across workers, so a retired worker's answers still reach their frames.
    channel.onMessage((m) => this.onMessage(m));
    channel.onExit((reason) => {
      if (channel === this.channel) this.onDown(reason);
      else this.failPending(`the vision worker stopped (${reason})`, channel);
    });
  }

  /**
   * Starts a worker with this expression model and switches to it once it is ready. The worker before
   * it answers the frames it already has, then stops. If the new one cannot start, or cannot load the
   * model, the one before stays in use and this rejects with why.
   */
  async useExpressionModel(expressionCard: string): Promise<VisionInfo> {
    if (this.closed) throw new Error('the vision worker has been closed');
    if (this.down !== undefined)
      throw new Error(`the vision worker is being restarted after it stopped (${this.down}); try again in a moment`);
    const options = { ...this.options, expressionCard };
    const { channel, info } = await boot(this.open, options);
    if (this.closed || 'error' in info.expression) {
      channel.terminate();
      throw new Error('error' in info.expression ? info.expression.error : 'the vision worker has been closed');
    }
    const old = this.channel;
    this.channel = channel;
    this.options = options;
    this.current = info;
    this.attach(channel);
    // The old worker may have died while this one booted: this one is the restart.
    this.down = undefined;
    this.retire(old);
    return info;
  }

  private retire(channel: VisionChannel): void {
    if (this.owesFrames(channel)) this.retiring.add(channel);
    else channel.terminate();
  }

  private owesFrames(channel: VisionChannel): boolean {
    for (const p of this.pending.values()) if (p.channel === channel) return true;
    return false;
  }

  private onDown(reason: string): void {
    if (this.down !== undefined || this.closed) return;
    this.down = reason;
    this.failPending(`the vision worker stopped (${reason}); it is being restarted`, this.channel);
    const delays = this.supervision.restartDelaysMs;
    const delay = delays[Math.min(this.restartsInARow, delays.length - 1)]!;
    this.restartsInARow++;
    setTimeout(() => void this.restart(), delay).unref();
  }

  private async restart(): Promise<void> {
    if (this.closed || this.down === undefined) return;
    try {
      const { channel } = await boot(this.open, this.options);
      // Closed, or a change of model brought a new worker up meanwhile.
      if (this.closed || this.down === undefined) {
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

  /** Fails the frames waiting on that worker, or on any. */
  private failPending(message: string, channel?: VisionChannel): void {
    for (const [id, p] of this.pending) {
      if (channel && p.channel !== channel) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new Error(message));
    }
    if (channel) this.retiring.delete(channel);
  }

  analyse(image: CameraImage, stream?: StreamFrame): Promise<FrameAnalysis> {
    if (this.closed) return Promise.reject(new Error('the vision worker has been closed'));
    if (this.down !== undefined) return Promise.reject(new Error(`the vision worker is being restarted after it stopped (${this.down})`));
    const id = this.nextId++;
    const channel = this.channel;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // A worker stuck on one frame would hold every later frame: stop it; onDown restarts it.
        const reason = `it took longer than ${this.supervision.frameTimeoutMs} ms on a frame`;
        if (channel === this.channel) this.onDown(reason);
        else this.failPending(`the vision worker stopped (${reason})`, channel);
        channel.terminate();
      }, this.supervision.frameTimeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer, channel });
      channel.post({ type: 'analyse', id, image, stream });
    });
  }

  private onMessage(message: FromVisionWorker): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    clearTimeout(p.timer);
    this.restartsInARow = 0;
    if (this.retiring.has(p.channel) && !this.owesFrames(p.channel)) {
      this.retiring.delete(p.channel);
      p.channel.terminate();
    }
    if (message.type === 'result') p.resolve(message.analysis);
    else p.reject(new Error(message.message));
  }

  close(): void {
    this.closed = true;
    this.failPending('the vision worker has been closed');
    this.channel.terminate();
    for (const channel of this.retiring) channel.terminate();
    this.retiring.clear();
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
