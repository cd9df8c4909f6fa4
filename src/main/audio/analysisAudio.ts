/**
 * What every decoder hands the mood analysis: mono audio at one rate, at most a minute of it. The
 * decoders push what they decode into a MonoCollector, which mixes the channels down as it goes and
 * says when it has enough; the resampling happens once, at the end.
 */
import { resample } from './resample.js';
import type { PcmAudio } from './wav.js';

export const ANALYSIS_SAMPLE_RATE = 22050;
/** Enough to judge tempo and key; keeps a long track's analysis short. */
export const ANALYSIS_SECONDS = 60;

export class AudioDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AudioDecodeError';
  }
}

/** A decoder's own complaint about its input, in plain words; the caller adds the file and format. */
export class BadAudio extends Error {}

/**
 * The frames (or pages) of a stream that fail their checks. A few are skipped, as a player would;
 * more than two and 5% of them all make the file a damaged one (said by `check()` at the end, or
 * at once when most of what was read so far is damaged).
 */
export class DamageCount {
  private good = 0;
  private bad = 0;
  private first: Error | undefined;

  constructor(private readonly units: string) {}

  passed(): void {
    this.good++;
  }

  failed(error: Error): void {
    this.bad++;
    this.first ??= error;
    if (this.bad > 20 && this.bad > this.good) this.check();
  }

  check(): void {
    if (this.bad > 2 + 0.05 * (this.good + this.bad)) {
      throw new BadAudio(`${this.bad} of the ${this.good + this.bad} ${this.units} read are damaged (${this.first!.message})`);
    }
  }
}

export class MonoCollector {
  private readonly buffer: Float32Array;
  private frames = 0;
  private toSkip: number;
  /** How many frames are wanted in all: the buffer's length, or less once the stream says where it ends. */
  private end: number;

  /**
   * @param sampleRate the decoded audio's own rate
   * @param skip frames to drop from the start (an encoder's delay, where the container says it)
   * @param maxFrames the most frames wanted, when the container says the audio is shorter than the
   *   analysed minute (an edit list, a granule position)
   */
  constructor(
    readonly sampleRate: number,
    skip = 0,
    maxFrames = Infinity,
  ) {
    if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 768_000) {
      throw new BadAudio(`its sample rate (${sampleRate} Hz) is not one audio uses`);
    }
    this.buffer = new Float32Array(Math.min(Math.ceil(sampleRate * ANALYSIS_SECONDS), maxFrames));
    this.toSkip = Math.max(0, Math.floor(skip));
    this.end = this.buffer.length;
  }

  /** The audio ends after `frames` frames (counted after the skipped ones), wherever the decoder stops. */
  limit(frames: number): void {
    this.end = Math.max(0, Math.min(this.end, Math.floor(frames)));
    this.frames = Math.min(this.frames, this.end);
  }

  get length(): number {
    return this.frames;
  }

  get full(): boolean {
    return this.frames >= this.end;
  }

  /** Frames still wanted, after any still to be skipped. */
  get wanted(): number {
    return this.end - this.frames + this.toSkip;
  }

  /** Planar channels, mixed down to their mean. */
  push(channels: readonly Float32Array[], frames = channels[0]?.length ?? 0): void {
    const count = channels.length;
    if (count === 0 || frames <= 0) return;
    const from = Math.min(frames, this.toSkip);
    this.toSkip -= from;
    const take = Math.max(0, Math.min(frames - from, this.end - this.frames));
    const out = this.buffer;
    const at = this.frames;
    if (count === 1) {
      out.set(channels[0]!.subarray(from, from + take), at);
    } else if (count === 2) {
      const l = channels[0]!;
      const r = channels[1]!;
      for (let i = 0; i < take; i++) out[at + i] = (l[from + i]! + r[from + i]!) * 0.5;
    } else {
      for (let i = 0; i < take; i++) {
        let sum = 0;
        for (let c = 0; c < count; c++) sum += channels[c]![from + i]!;
        out[at + i] = sum / count;
      }
    }
    this.frames += take;
  }

  /** What was collected, resampled to the analysis rate. */
  finish(): PcmAudio {
    if (this.frames === 0) throw new BadAudio('it holds no audio');
    const mono = this.buffer.subarray(0, this.frames);
    const samples = resample(mono, this.sampleRate, ANALYSIS_SAMPLE_RATE);
    return { sampleRate: ANALYSIS_SAMPLE_RATE, samples: samples === mono ? mono.slice() : samples };
  }
}
