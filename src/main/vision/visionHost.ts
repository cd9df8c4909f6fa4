/** The main side of the vision worker: starts it, sends frames, and turns replies into promises. */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { RgbaImage } from './rgbaImage.js';
import type { FrameAnalysis, VisionEngineOptions, VisionInfo } from './visionEngine.js';
import type { FromVisionWorker, VisionChannel } from './visionProtocol.js';

export class VisionHost {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: FrameAnalysis) => void; reject: (e: Error) => void }>();
  private exitReason: string | undefined;

  private constructor(
    private readonly channel: VisionChannel,
    readonly info: VisionInfo,
  ) {
    channel.onMessage((m) => this.onMessage(m));
    channel.onExit((reason) => {
      this.exitReason = reason;
      for (const p of this.pending.values()) p.reject(new Error(`the vision worker stopped: ${reason}`));
      this.pending.clear();
    });
  }

  static start(channel: VisionChannel, options: VisionEngineOptions): Promise<VisionHost> {
    return new Promise((resolve, reject) => {
      let settled = false;
      channel.onMessage((m) => {
        if (settled) return;
        if (m.type === 'ready') {
          settled = true;
          resolve(new VisionHost(channel, m.info));
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

  analyse(image: RgbaImage): Promise<FrameAnalysis> {
    if (this.exitReason !== undefined) return Promise.reject(new Error(`the vision worker stopped: ${this.exitReason}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.channel.post({ type: 'analyse', id, width: image.width, height: image.height, rgba: image.data });
    });
  }

  private onMessage(message: FromVisionWorker): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    if (message.type === 'result') p.resolve(message.analysis);
    else p.reject(new Error(message.message));
  }

  close(): void {
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
