/**
 * Estimates moods from the audio with the shipped model. The work runs in a worker thread
 * (audioMoodWorker.ts) that lives while there are tracks to estimate; a file that crashes it fails
 * alone, and the next track gets a fresh worker. A model that cannot be read fails each estimate
 * with a message that says so, and the signature it leaves on the track makes the estimate run
 * again once the model, the decoders or the estimator change.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { estimateTrackMood, type AudioMoodEstimate } from '../audio/audioMood.js';
import { AudioMoodModel } from '../audio/audioMoodModel.js';
import { decoderSignature } from '../audio/decodeAudio.js';

export interface EstimateRequest {
  id: number;
  path: string;
  cardPath: string;
}

export type EstimateReply = { id: number; ok: true; estimate: AudioMoodEstimate } | { id: number; ok: false; message: string };

/** The built worker; the sources run under vitest, the worker always from dist (npm run build). */
export const AUDIO_MOOD_WORKER_ENTRY = `${fileURLToPath(new URL('../../../', import.meta.url))}dist/main/mood/audioMoodWorker.js`;

export class AudioMoodEstimator {
  private model: Promise<AudioMoodModel> | undefined;
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(e: AudioMoodEstimate): void; reject(e: Error): void }>();

  /** `worker: false` estimates on this thread (the command line, which has no one else to serve). */
  constructor(
    readonly cardPath: string,
    private readonly options: { worker?: boolean; workerEntry?: string } = {},
  ) {}

  private loadModel(): Promise<AudioMoodModel> {
    this.model ??= AudioMoodModel.load(this.cardPath);
    return this.model;
  }

  /** What an estimate is made with: estimator, decoders and model version, in a few words. */
  async signature(): Promise<string> {
    const version = await this.loadModel().then(
      (m) => m.card.version,
      () => 'unreadable',
    );
    return `${decoderSignature()}, model ${version}`;
  }

  async estimate(path: string): Promise<AudioMoodEstimate> {
    await this.loadModel().catch((error: unknown) => {
      throw new Error(`the audio mood model could not be read (${(error as Error).message})`, { cause: error });
    });
    if (this.options.worker === false) return estimateTrackMood(path, await this.loadModel());
    const worker = this.startWorker();
    const id = this.nextId++;
    return new Promise<AudioMoodEstimate>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, path, cardPath: this.cardPath } satisfies EstimateRequest);
    });
  }

  /** Ends the worker (it is started again by the next estimate). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private startWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.workerEntry ?? AUDIO_MOOD_WORKER_ENTRY);
    worker.on('message', (reply: EstimateReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiting?.resolve(reply.estimate);
      else waiting?.reject(new Error(reply.message));
    });
    const fail = (why: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const { reject } of this.pending.values()) reject(new Error(why));
      this.pending.clear();
    };
    worker.on('error', (error) => fail(`the mood analysis stopped on this file: ${error.message}`));
    worker.on('exit', (code) => fail(`the mood analysis stopped on this file (exit code ${code})`));
    this.worker = worker;
    return worker;
  }
}
