/**
 * What the mood model hears in a track: a fixed, named vector of timbre, dynamics, rhythm and
 * harmony statistics over the analysed seconds. The names are the contract with the model card,
 * which lists the features it was fitted on in this order; the training side reads these numbers
 * from the app itself (`npm run features:audio`), so there is one implementation of each feature.
 */
import { estimateTempo, onsetEnvelope, onsetRate } from './rhythm.js';
import { forEachSpectrum, melFilterBank, melPower } from './spectrum.js';
import type { PcmAudio } from './wav.js';

/** Every feature is defined for audio at this rate; other rates are refused, not silently mismeasured. */
export const FEATURE_SAMPLE_RATE = 22050;
const FRAME = 2048;
const HOP = 1024;
const MEL_BANDS = 40;
const MFCCS = 13;
/** Octave sub-bands for spectral contrast, as in Jiang et al. (2002) and librosa. */
const CONTRAST_EDGES = [0, 200, 400, 800, 1600, 3200, 6400, FEATURE_SAMPLE_RATE / 2];

// Krumhansl-Kessler key profiles, C first.
const MAJOR_PROFILE = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR_PROFILE = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

const stats = (name: string) => [`${name}_mean`, `${name}_std`];

export const AUDIO_FEATURE_NAMES = [
  ...stats('rms_db'),
  'rms_db_p10',
  'rms_db_p90',
  'low_energy_ratio',
  ...stats('centroid'),
  ...stats('bandwidth'),
  ...stats('rolloff'),
  ...stats('flatness_db'),
  ...stats('zcr'),
  ...stats('flux'),
  ...Array.from({ length: MFCCS }, (_, i) => stats(`mfcc${i}`)).flat(),
  ...Array.from({ length: CONTRAST_EDGES.length - 1 }, (_, i) => stats(`contrast${i}`)).flat(),
  'key_clarity',
  'mode',
  'chroma_change',
  'tempo_log2',
  'pulse',
  'onset_rate',
  ...stats('onset_strength'),
] as const;

export type AudioFeatureName = (typeof AUDIO_FEATURE_NAMES)[number];
export type AudioFeatureVector = Record<AudioFeatureName, number>;

/** The few numbers a person can read (shown with an estimate and printed by `emotune moods`). */
export interface AudioSummary {
  bpm: number;
  /** How clear the beat is, 0 to 1. */
  pulse: number;
  /** +1 clearly major, -1 clearly minor. */
  mode: number;
  /** Mean level in dB below full scale. */
  loudnessDb: number;
}

export interface AudioAnalysis {
  features: AudioFeatureVector;
  summary: AudioSummary;
}

const BINS = FRAME / 2 + 1;
const binHz = (k: number) => (k * FEATURE_SAMPLE_RATE) / FRAME;
const melFilters = melFilterBank(FRAME, MEL_BANDS, FEATURE_SAMPLE_RATE);
const dctMatrix = Array.from({ length: MFCCS }, (_, i) =>
  Float64Array.from(
    { length: MEL_BANDS },
    (_, j) => Math.cos((Math.PI * i * (j + 0.5)) / MEL_BANDS) * Math.sqrt((i === 0 ? 1 : 2) / MEL_BANDS),
  ),
);
const contrastBands = CONTRAST_EDGES.slice(0, -1).map((lo, b) => {
  const hi = CONTRAST_EDGES[b + 1]!;
  const first = Math.max(1, Math.ceil((lo * FRAME) / FEATURE_SAMPLE_RATE));
  const last = Math.min(BINS - 1, Math.floor((hi * FRAME) / FEATURE_SAMPLE_RATE));
  return { first, last };
});
const chromaBins = Array.from({ length: BINS }, (_, k) => {
  const hz = binHz(k);
  return hz >= 65 && hz <= 2100 ? (((Math.round(12 * Math.log2(hz / 440)) + 9) % 12) + 12) % 12 : -1;
});

export function analyseAudio({ sampleRate, samples }: PcmAudio): AudioAnalysis {
  if (sampleRate !== FEATURE_SAMPLE_RATE) {
    throw new Error(`audio features need ${FEATURE_SAMPLE_RATE} Hz audio, got ${sampleRate} Hz`);
  }
  const frames = Math.floor((samples.length - FRAME) / HOP) + 1;
  if (!(frames >= 8)) throw new Error('the audio is too short to estimate a mood');
  const per = {
    rms: new Float64Array(frames),
    centroid: new Float64Array(frames),
    bandwidth: new Float64Array(frames),
    rolloff: new Float64Array(frames),
    flatness: new Float64Array(frames),
    zcr: new Float64Array(frames),
    flux: new Float64Array(frames),
    mfcc: Array.from({ length: MFCCS }, () => new Float64Array(frames)),
    contrast: Array.from({ length: contrastBands.length }, () => new Float64Array(frames)),
  };
  const mel = new Float64Array(MEL_BANDS);
  const previousMel = new Float64Array(MEL_BANDS);
  const chromaTotal = new Float64Array(12);
  const chroma = new Float64Array(12);
  const previousChroma = new Float64Array(12);
  let chromaChange = 0;
  const sorted = new Float64Array(BINS);
  forEachSpectrum(samples, FRAME, HOP, (f, start, magnitude) => {
    let energy = 0;
    let crossings = 0;
    for (let i = 0; i < FRAME; i++) {
      const s = samples[start + i]!;
      energy += s * s;
      if (i > 0 && s >= 0 !== samples[start + i - 1]! >= 0) crossings++;
    }
    per.rms[f] = 10 * Math.log10(1e-10 + energy / FRAME);
    per.zcr[f] = crossings / FRAME;
    let total = 0;
    let weighted = 0;
    let logSum = 0;
    let powerSum = 0;
    for (let k = 0; k < BINS; k++) {
      const m = magnitude[k]!;
      total += m;
      weighted += binHz(k) * m;
      const power = m * m + 1e-12;
      logSum += Math.log(power);
      powerSum += power;
    }
    const centroid = total > 0 ? weighted / total : 0;
    let spread = 0;
    for (let k = 0; k < BINS; k++) spread += magnitude[k]! * (binHz(k) - centroid) ** 2;
    per.centroid[f] = centroid / 1000;
    per.bandwidth[f] = (total > 0 ? Math.sqrt(spread / total) : 0) / 1000;
    let cumulative = 0;
    let rolloffBin = BINS - 1;
    for (let k = 0; k < BINS; k++) {
      cumulative += magnitude[k]!;
      if (cumulative >= 0.85 * total) {
        rolloffBin = k;
        break;
      }
    }
    per.rolloff[f] = binHz(rolloffBin) / 1000;
    per.flatness[f] = 10 * Math.log10(Math.exp(logSum / BINS) / (powerSum / BINS));
    // Spectral flux on the log-mel bands, as onset-strength functions use it (librosa, Böck et al.).
    let flux = 0;
    for (let b = 0; b < MEL_BANDS; b++) {
      mel[b] = Math.log(1e-10 + melPower(melFilters[b]!, magnitude));
      if (f > 0) flux += Math.max(0, mel[b]! - previousMel[b]!);
      previousMel[b] = mel[b]!;
    }
    per.flux[f] = flux / MEL_BANDS;
    for (let i = 0; i < MFCCS; i++) {
      let sum = 0;
      for (let j = 0; j < MEL_BANDS; j++) sum += dctMatrix[i]![j]! * mel[j]!;
      per.mfcc[i]![f] = sum;
    }
    contrastBands.forEach(({ first, last }, b) => {
      const n = last - first + 1;
      for (let k = 0; k < n; k++) sorted[k] = magnitude[first + k]!;
      const band = sorted.subarray(0, n).sort();
      const take = Math.max(1, Math.round(0.2 * n));
      let valley = 0;
      let peak = 0;
      for (let k = 0; k < take; k++) {
        valley += band[k]!;
        peak += band[n - 1 - k]!;
      }
      per.contrast[b]![f] = Math.log(1e-10 + peak / take) - Math.log(1e-10 + valley / take);
    });

    chroma.fill(0);
    for (let k = 0; k < BINS; k++) {
      const pc = chromaBins[k]!;
      if (pc >= 0) chroma[pc] = chroma[pc]! + magnitude[k]! * magnitude[k]!;
    }
    let chromaNorm = 0;
    for (let c = 0; c < 12; c++) chromaNorm += chroma[c]! * chroma[c]!;
    chromaNorm = Math.sqrt(chromaNorm) || 1;
    let change = 0;
    for (let c = 0; c < 12; c++) {
      const v = chroma[c]! / chromaNorm;
      chromaTotal[c] = chromaTotal[c]! + chroma[c]!;
      if (f > 0) change += (v - previousChroma[c]!) ** 2;
      previousChroma[c] = v;
    }
    chromaChange += Math.sqrt(change);
  });

  const rhythm = onsetEnvelope(samples, FEATURE_SAMPLE_RATE);
  const { bpm, pulse } = estimateTempo(rhythm);
  const { clarity, mode } = estimateKey(chromaTotal);
  const rmsSorted = Float64Array.from(per.rms).sort();
  const rmsMean = mean(per.rms);
  // Low-energy ratio on linear power, as Tzanetakis & Cook define it.
  const linearMean = mean(per.rms.map((db) => 10 ** (db / 10)));
  const features = {
    rms_db_mean: rmsMean,
    rms_db_std: std(per.rms),
    rms_db_p10: quantile(rmsSorted, 0.1),
    rms_db_p90: quantile(rmsSorted, 0.9),
    low_energy_ratio: per.rms.filter((db) => 10 ** (db / 10) < linearMean).length / frames,
    key_clarity: clarity,
    mode,
    chroma_change: chromaChange / (frames - 1),
    tempo_log2: Math.log2(bpm / 120),
    pulse,
    onset_rate: onsetRate(rhythm),
    onset_strength_mean: mean(rhythm.envelope),
    onset_strength_std: std(rhythm.envelope),
  } as Partial<AudioFeatureVector>;
  const put = (name: string, values: Float64Array) => {
    Object.assign(features, { [`${name}_mean`]: mean(values), [`${name}_std`]: std(values) });
  };
  for (const name of ['centroid', 'bandwidth', 'rolloff', 'zcr', 'flux'] as const) put(name, per[name]);
  put('flatness_db', per.flatness);
  per.mfcc.forEach((values, i) => put(`mfcc${i}`, values));
  per.contrast.forEach((values, i) => put(`contrast${i}`, values));
  for (const name of AUDIO_FEATURE_NAMES) {
    if (!Number.isFinite(features[name])) throw new Error(`the audio gave no usable ${name} (silent or broken audio?)`);
  }
  return {
    features: features as AudioFeatureVector,
    summary: { bpm, pulse, mode, loudnessDb: rmsMean },
  };
}

/** How well the pitch-class profile fits its best key, and major minus minor at their best keys. */
function estimateKey(chroma: Float64Array): { clarity: number; mode: number } {
  let major = -Infinity;
  let minor = -Infinity;
  for (let key = 0; key < 12; key++) {
    const rotated = Array.from({ length: 12 }, (_, i) => chroma[(i + key) % 12]!);
    major = Math.max(major, correlation(rotated, MAJOR_PROFILE));
    minor = Math.max(minor, correlation(rotated, MINOR_PROFILE));
  }
  return { clarity: Math.max(major, minor), mode: Math.min(1, Math.max(-1, (major - minor) * 4)) };
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

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

function std(values: ArrayLike<number>): number {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2;
  return Math.sqrt(sum / values.length);
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
