/**
 * Rhythm from an onset-strength envelope: log-mel spectral flux at 43 frames per second (as librosa's
 * onset_strength), which follows note and drum attacks but not the slow beating of a held chord, and
 * from it the number of onsets per second and the tempo with how clear its beat is.
 */
import { forEachSpectrum, melFilterBank, melPower } from './spectrum.js';

const FRAME = 1024;
const HOP = 512;
const BANDS = 40;
/** Quieter than this below the loudest band of the track is silence, whose noise would fake onsets. */
const FLOOR_DB = 80;

export interface Rhythm {
  envelope: Float64Array;
  framesPerSecond: number;
}

const filters = new Map<number, ReturnType<typeof melFilterBank>>();

export function onsetEnvelope(samples: Float32Array, sampleRate: number): Rhythm {
  const bank = filters.get(sampleRate) ?? melFilterBank(FRAME, BANDS, sampleRate);
  filters.set(sampleRate, bank);
  const frames = Math.max(0, Math.floor((samples.length - FRAME) / HOP) + 1);
  const mel = new Float64Array(frames * BANDS);
  let loudest = -Infinity;
  forEachSpectrum(samples, FRAME, HOP, (f, _start, magnitude) => {
    for (let b = 0; b < BANDS; b++) {
      const db = 10 * Math.log10(1e-12 + melPower(bank[b]!, magnitude));
      mel[f * BANDS + b] = db;
      if (db > loudest) loudest = db;
    }
  });
  const floor = loudest - FLOOR_DB;
  const envelope = new Float64Array(frames);
  for (let f = 1; f < frames; f++) {
    let rise = 0;
    for (let b = 0; b < BANDS; b++) {
      const now = Math.max(floor, mel[f * BANDS + b]!);
      const before = Math.max(floor, mel[(f - 1) * BANDS + b]!);
      if (now > before) rise += now - before;
    }
    envelope[f] = rise / BANDS;
  }
  return { envelope, framesPerSecond: sampleRate / HOP };
}

/** Local maxima of the envelope that stand out from their second-long neighbourhood, at most one per 50 ms. */
export function onsetRate({ envelope, framesPerSecond }: Rhythm): number {
  const radius = Math.round(0.5 * framesPerSecond);
  const gap = Math.max(1, Math.round(0.05 * framesPerSecond));
  let count = 0;
  let lastPeak = -Infinity;
  for (let i = 1; i + 1 < envelope.length; i++) {
    const v = envelope[i]!;
    if (v <= envelope[i - 1]! || v < envelope[i + 1]!) continue;
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, i - radius); j < Math.min(envelope.length, i + radius); j++, n++) sum += envelope[j]!;
    if (v > 1.5 * (sum / n) + 0.5 && i - lastPeak >= gap) {
      count++;
      lastPeak = i;
    }
  }
  return count / (envelope.length / framesPerSecond);
}

/** The tempo whose beat period the envelope repeats best (autocorrelation), and how clearly, 0 to 1. */
export function estimateTempo({ envelope, framesPerSecond }: Rhythm): { bpm: number; pulse: number } {
  const m = envelope.reduce((a, b) => a + b, 0) / envelope.length;
  const centred = envelope.map((f) => f - m);
  const energy = centred.reduce((a, b) => a + b * b, 0) || 1;
  const minLag = Math.max(2, Math.floor((60 * framesPerSecond) / 200));
  const maxLag = Math.min(centred.length - 2, Math.ceil((60 * framesPerSecond) / 50));
  const raw = new Float64Array(maxLag + 2);
  for (let lag = minLag - 1; lag <= maxLag + 1; lag++) {
    let sum = 0;
    for (let i = 0; i + lag < centred.length; i++) sum += centred[i]! * centred[i + lag]!;
    raw[lag] = sum / energy;
  }
  // The beat period rarely falls on a whole frame: place the peak between frames (parabola).
  const peakLag = (lag: number) => {
    const [a, b, c] = [raw[lag - 1]!, raw[lag]!, raw[lag + 1]!];
    const d = a - 2 * b + c;
    return d < 0 ? lag + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / d)) : lag;
  };
  const scores: { bpm: number; score: number; strength: number }[] = [];
  for (let lag = minLag; lag <= maxLag; lag++) {
    if (raw[lag]! < raw[lag - 1]! || raw[lag]! < raw[lag + 1]!) continue;
    const bpm = (60 * framesPerSecond) / peakLag(lag);
    // A mild preference for moderate tempi resolves half/double-tempo ambiguity.
    scores.push({ bpm, score: raw[lag]! * Math.exp(-0.5 * Math.log2(bpm / 110) ** 2), strength: raw[lag]! });
  }
  if (scores.length === 0) return { bpm: 100, pulse: 0 };
  let best = scores.reduce((a, b) => (b.score > a.score ? b : a));
  // Beats of every other bar also correlate: take double the tempo when it is nearly as strong.
  const double = scores.filter((s) => Math.abs(s.bpm / best.bpm - 2) < 0.08).sort((a, b) => b.score - a.score)[0];
  if (double && double.score >= 0.7 * best.score) best = double;
  return { bpm: best.bpm, pulse: Math.min(1, Math.max(0, best.strength)) };
}
