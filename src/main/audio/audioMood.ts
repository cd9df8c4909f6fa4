/**
 * A coarse mood estimate from the audio itself, for tracks with no mood tag: tempo (onset
 * autocorrelation), loudness, spectral brightness and mode (major/minor key-profile match)
 * placed on the valence-arousal plane. Its confidence stays below a tag's on purpose.
 */
import { nearestMood, type Mood } from '../../shared/mood.js';
import { fft } from './fft.js';
import type { PcmAudio } from './wav.js';

export interface AudioFeatures {
  bpm: number;
  /** 0 (very soft) to 1 (very loud). */
  loudness: number;
  /** 0 (dark) to 1 (bright). */
  brightness: number;
  /** +1 clearly major, -1 clearly minor. */
  mode: number;
  /** How clear the beat is, 0 to 1. */
  pulse: number;
}

export interface AudioMoodEstimate {
  mood: Mood;
  valence: number;
  arousal: number;
  confidence: number;
  features: AudioFeatures;
}

// Krumhansl-Kessler key profiles, C first.
const MAJOR_PROFILE = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR_PROFILE = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

export function extractFeatures({ sampleRate, samples }: PcmAudio): AudioFeatures {
  const size = 1 << Math.round(Math.log2(sampleRate * 0.093));
  const hop = size / 2;
  const window = Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const chroma = new Float64Array(12);
  let rmsSum = 0;
  let centroidSum = 0;
  let centroidWeight = 0;
  let frames = 0;
  for (let start = 0; start + size <= samples.length; start += hop) {
    let energy = 0;
    for (let i = 0; i < size; i++) {
      const s = samples[start + i]!;
      energy += s * s;
      re[i] = s * window[i]!;
      im[i] = 0;
    }
    const rms = Math.sqrt(energy / size);
    rmsSum += rms;
    fft(re, im);
    let weighted = 0;
    let total = 0;
    for (let k = 1; k < size / 2; k++) {
      const m = Math.hypot(re[k]!, im[k]!);
      const freq = (k * sampleRate) / size;
      weighted += freq * m;
      total += m;
      if (freq >= 100 && freq <= 1000) {
        const pitchClass = (((Math.round(12 * Math.log2(freq / 440)) + 9) % 12) + 12) % 12;
        chroma[pitchClass] = chroma[pitchClass]! + m * m;
      }
    }
    if (total > 0) {
      centroidSum += (weighted / total) * rms;
      centroidWeight += rms;
    }
    frames++;
  }
  if (frames < 8) throw new Error('the audio is too short to estimate a mood');
  const { bpm, pulse } = estimateTempo(onsetEnvelope(samples, ONSET_HOP), sampleRate / ONSET_HOP);
  const meanRms = rmsSum / frames;
  const db = 20 * Math.log10(Math.max(meanRms, 1e-6));
  const centroid = centroidWeight > 0 ? centroidSum / centroidWeight : 0;
  return {
    bpm,
    pulse,
    loudness: clamp01((db + 40) / 30),
    brightness: clamp01((centroid - 400) / 2600),
    mode: estimateMode(chroma),
  };
}

export function estimateMood(features: AudioFeatures): AudioMoodEstimate {
  const tempo = clamp01((features.bpm - 60) / 110);
  const valence = clamp(0.6 * features.mode + 0.25 * (2 * features.brightness - 1) + 0.15 * (2 * tempo - 1), -1, 1);
  const arousal = clamp(0.5 * (2 * features.loudness - 1) + 0.3 * (2 * tempo - 1) + 0.2 * (2 * features.brightness - 1), -1, 1);
  const confidence = Math.min(0.75, 0.25 + 0.3 * Math.abs(features.mode) + 0.2 * features.pulse);
  return { mood: nearestMood({ valence, arousal }), valence, arousal, confidence, features };
}

/** Samples per onset-envelope step: fine enough to tell 140 from 150 beats per minute. */
const ONSET_HOP = 256;

/** Rises in log energy, step by step: where notes and beats start. */
function onsetEnvelope(samples: Float32Array, hop: number): number[] {
  const out: number[] = [];
  let previous = 0;
  for (let start = 0; start + hop <= samples.length; start += hop) {
    let energy = 0;
    for (let i = start; i < start + hop; i++) energy += samples[i]! * samples[i]!;
    const level = Math.log(1e-9 + energy / hop);
    out.push(Math.max(0, level - previous));
    previous = level;
  }
  return out;
}

function estimateTempo(flux: number[], framesPerSecond: number): { bpm: number; pulse: number } {
  const mean = flux.reduce((a, b) => a + b, 0) / flux.length;
  const centred = flux.map((f) => f - mean);
  const energy = centred.reduce((a, b) => a + b * b, 0) || 1;
  const scores: { bpm: number; score: number }[] = [];
  const minLag = Math.max(1, Math.floor((60 * framesPerSecond) / 200));
  const maxLag = Math.min(centred.length - 1, Math.ceil((60 * framesPerSecond) / 50));
  for (let lag = minLag; lag <= maxLag; lag++) {
    let sum = 0;
    for (let i = 0; i + lag < centred.length; i++) sum += centred[i]! * centred[i + lag]!;
    const bpm = (60 * framesPerSecond) / lag;
    // A mild preference for moderate tempi resolves half/double-tempo ambiguity.
    const score = (sum / energy) * Math.exp(-0.5 * Math.log2(bpm / 110) ** 2);
    scores.push({ bpm, score });
  }
  let best = scores.reduce((a, b) => (b.score > a.score ? b : a), { bpm: 100, score: -Infinity });
  // Beats of every other bar also correlate: take double the tempo when it is nearly as strong.
  const double = scores.filter((s) => Math.abs(s.bpm / best.bpm - 2) < 0.08).sort((a, b) => b.score - a.score)[0];
  if (double && double.score >= 0.7 * best.score) best = double;
  return { bpm: best.bpm, pulse: clamp01(best.score * 2) };
}

function estimateMode(chroma: Float64Array): number {
  let major = -Infinity;
  let minor = -Infinity;
  for (let key = 0; key < 12; key++) {
    const rotated = Array.from({ length: 12 }, (_, i) => chroma[(i + key) % 12]!);
    major = Math.max(major, correlation(rotated, MAJOR_PROFILE));
    minor = Math.max(minor, correlation(rotated, MINOR_PROFILE));
  }
  return clamp((major - minor) * 4, -1, 1);
}

function correlation(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function clamp01(v: number): number {
  return clamp(v, 0, 1);
}
