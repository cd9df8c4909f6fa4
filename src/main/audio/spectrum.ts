/** Short-time spectra for the audio features: windows, two real frames per FFT, mel filter banks. */
import { fft } from './fft.js';

export function hannWindow(size: number): Float64Array {
  return Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
}

/**
 * The magnitude spectra (bins 0..N/2) of two real frames packed as one complex FFT, `re` holding
 * the first and `im` the second: X = (Z[k] + conj Z[N-k]) / 2, Y = (Z[k] - conj Z[N-k]) / 2i.
 */
export function magnitudesOfTwo(re: Float64Array, im: Float64Array, a: Float64Array, b: Float64Array): void {
  fft(re, im);
  const n = re.length;
  for (let k = 0; k <= n / 2; k++) {
    const m = k === 0 ? 0 : n - k;
    const xr = re[k]! + re[m]!;
    const xi = im[k]! - im[m]!;
    const yr = im[k]! + im[m]!;
    const yi = re[m]! - re[k]!;
    a[k] = 0.5 * Math.sqrt(xr * xr + xi * xi);
    b[k] = 0.5 * Math.sqrt(yr * yr + yi * yi);
  }
}

const windows = new Map<number, Float64Array>();

/**
 * Calls `each(frame, start, magnitude)` for every Hann-windowed frame of `size` samples, one every
 * `hop`, in order; two frames share one complex FFT. `magnitude` (bins 0..size/2) is reused: read it
 * before returning. Returns the number of frames.
 */
export function forEachSpectrum(
  samples: Float32Array,
  size: number,
  hop: number,
  each: (frame: number, start: number, magnitude: Float64Array) => void,
): number {
  const window = windows.get(size) ?? hannWindow(size);
  windows.set(size, window);
  const frames = Math.max(0, Math.floor((samples.length - size) / hop) + 1);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const pair = [new Float64Array(size / 2 + 1), new Float64Array(size / 2 + 1)] as const;
  for (let f = 0; f < frames; f += 2) {
    for (let j = 0; j < 2; j++) {
      const into = j === 0 ? re : im;
      const start = (f + j) * hop;
      if (f + j >= frames) into.fill(0);
      else for (let i = 0; i < size; i++) into[i] = samples[start + i]! * window[i]!;
    }
    magnitudesOfTwo(re, im, pair[0], pair[1]);
    for (let j = 0; j < 2 && f + j < frames; j++) each(f + j, (f + j) * hop, pair[j]!);
  }
  return frames;
}

export interface MelFilter {
  first: number;
  weights: Float64Array;
}

/** Triangular filters on the mel scale (HTK formula) up to Nyquist, each as its first bin and its weights. */
export function melFilterBank(frame: number, bands: number, sampleRate: number): MelFilter[] {
  const binHz = (k: number) => (k * sampleRate) / frame;
  const toMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
  const toHz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const top = toMel(sampleRate / 2);
  const edges = Array.from({ length: bands + 2 }, (_, i) => toHz((i * top) / (bands + 1)));
  return Array.from({ length: bands }, (_, b) => {
    const [lo, mid, hi] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
    const weight = (hz: number) => (hz <= lo || hz >= hi ? 0 : hz <= mid ? (hz - lo) / (mid - lo) : (hi - hz) / (hi - mid));
    const bins = Array.from({ length: frame / 2 + 1 }, (_, k) => k).filter((k) => weight(binHz(k)) > 0);
    // The lowest bands are narrower than a bin: they take the nearest bin whole.
    if (bins.length === 0) return { first: Math.round((mid * frame) / sampleRate), weights: Float64Array.of(1) };
    return { first: bins[0]!, weights: Float64Array.from(bins, (k) => weight(binHz(k))) };
  });
}

/** Power in one mel band of a magnitude spectrum. */
export function melPower(filter: MelFilter, magnitude: Float64Array): number {
  const { first, weights } = filter;
  let sum = 0;
  for (let j = 0; j < weights.length; j++) sum += weights[j]! * magnitude[first + j]! * magnitude[first + j]!;
  return sum;
}
