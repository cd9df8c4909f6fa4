/** The audio mood model as the app runs it: its features, its tag hints, and the shipped card. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIO_MOOD_CARD } from '../../../src/main/appPaths.js';
import { analyseAudio, AUDIO_FEATURE_NAMES, FEATURE_SAMPLE_RATE } from '../../../src/main/audio/audioFeatures.js';
import { moodInputs } from '../../../src/main/audio/audioMood.js';
import { AudioMoodModel, MOOD_INPUT_NAMES } from '../../../src/main/audio/audioMoodModel.js';
import { magnitudesOfTwo } from '../../../src/main/audio/spectrum.js';
import { genreFamilies } from '../../../src/main/audio/tagHints.js';

const SR = FEATURE_SAMPLE_RATE;

/** A held chord (root, third, fifth) under a beat of noise bursts: `third` 4 semitones is major, 3 is minor. */
function chordOnBeat(opts: { third: number; bpm: number; seconds: number; gain: number }): Float32Array {
  const samples = new Float32Array(SR * opts.seconds);
  const beat = Math.round((60 / opts.bpm) * SR);
  const notes = [0, opts.third, 7].map((s) => 220 * 2 ** (s / 12));
  let seed = 1;
  for (let i = 0; i < samples.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const sinceBeat = i % beat;
    const click = sinceBeat < 2000 ? Math.exp(-sinceBeat / 200) * (seed / 1073741824 - 1) : 0;
    const chord = notes.reduce((s, f) => s + Math.sin((2 * Math.PI * f * i) / SR), 0) / 3;
    samples[i] = opts.gain * (0.3 * chord + click);
  }
  return samples;
}

function card(overrides: Record<string, unknown> = {}) {
  const inputs = ['mode', 'rms_db_mean'];
  // Valence from mode, arousal from loudness: each quadrant's logit is its signs times the two.
  const signs = [
    [1, 1],
    [-1, 1],
    [-1, -1],
    [1, -1],
  ];
  return {
    name: 'test',
    version: 't1',
    outputs: ['Q1', 'Q2', 'Q3', 'Q4'],
    inputs,
    scaling: { low: [-1, -60], high: [1, 0], mean: [0, -20], scale: [1, 10] },
    layers: [{ weights: signs.map(([v, a]) => [3 * v!, 3 * a!]), bias: [0, 0, 0, 0], activation: 'linear' }],
    temperature: 1,
    mood_rule: { neutral_below: 0.4, energetic_arousal: 0.5, unusual_share: 0.4, unusual_cap: 0.5 },
    parity: [],
    ...overrides,
  };
}

function writeCard(value: object): string {
  const path = join(mkdtempSync(join(tmpdir(), 'emotune-card-')), 'audio-mood.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('audio features', () => {
  it('packs two real frames into one FFT and gets both spectra a direct DFT gives', () => {
    const n = 64;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + 0.3 * Math.cos(i * 2.1) + (i % 5) / 7);
    const y = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.3) - (i % 3) / 4);
    const a = new Float64Array(n / 2 + 1);
    const b = new Float64Array(n / 2 + 1);
    magnitudesOfTwo(Float64Array.from(x), Float64Array.from(y), a, b);
    const dft = (v: Float64Array, k: number) => {
      let [r, i] = [0, 0];
      v.forEach((s, t) => ((r += s * Math.cos((2 * Math.PI * k * t) / n)), (i -= s * Math.sin((2 * Math.PI * k * t) / n))));
      return Math.hypot(r, i);
    };
    for (let k = 0; k <= n / 2; k++) {
      expect(a[k]).toBeCloseTo(dft(x, k), 9);
      expect(b[k]).toBeCloseTo(dft(y, k), 9);
    }
  });

  it('finds the tempo of a beat under a held chord, and counts its onsets', () => {
    for (const bpm of [80, 120, 150]) {
      const { summary, features } = analyseAudio({ sampleRate: SR, samples: chordOnBeat({ third: 4, bpm, seconds: 20, gain: 0.5 }) });
      expect(Math.abs(summary.bpm / bpm - 1)).toBeLessThan(0.03);
      expect(features.onset_rate).toBeCloseTo(bpm / 60, 0);
    }
  });

  it('gives every named feature as a finite number, and hears major, minor, tempo and level', () => {
    const major = analyseAudio({ sampleRate: SR, samples: chordOnBeat({ third: 4, bpm: 120, seconds: 20, gain: 0.5 }) });
    const minor = analyseAudio({ sampleRate: SR, samples: chordOnBeat({ third: 3, bpm: 120, seconds: 20, gain: 0.5 }) });
    const fastQuiet = analyseAudio({ sampleRate: SR, samples: chordOnBeat({ third: 4, bpm: 150, seconds: 20, gain: 0.05 }) });
    expect(Object.keys(major.features).sort()).toEqual([...AUDIO_FEATURE_NAMES].sort());
    for (const value of Object.values(major.features)) expect(Number.isFinite(value)).toBe(true);
    expect(major.features.mode).toBeGreaterThan(0);
    expect(minor.features.mode).toBeLessThan(major.features.mode!);
    expect(fastQuiet.features.tempo_log2).toBeGreaterThan(major.features.tempo_log2!);
    expect(fastQuiet.features.rms_db_mean).toBeLessThan(major.features.rms_db_mean! - 15);
  });

  it('refuses audio at another rate and audio too short to judge', () => {
    expect(() => analyseAudio({ sampleRate: 44100, samples: new Float32Array(44100 * 5) })).toThrow(/22050 Hz/);
    expect(() => analyseAudio({ sampleRate: SR, samples: new Float32Array(4000) })).toThrow(/too short/);
  });
});

describe('tag hints', () => {
  it('folds genre tags into families', () => {
    expect(genreFamilies('Pop/Rock')).toEqual(['rock', 'pop']);
    expect(genreFamilies('Melodic Death Metal')).toEqual(['metal']);
    expect(genreFamilies('Hip-Hop; R&B')).toEqual(['hiphop', 'rnb']);
    expect(genreFamilies('Stage & Screen')).toEqual(['soundtrack']);
    expect(genreFamilies('Polka')).toEqual([]);
  });

  it('feeds a tagged tempo over the measured one, and each family as a flag', () => {
    const { features } = analyseAudio({ sampleRate: SR, samples: chordOnBeat({ third: 4, bpm: 120, seconds: 10, gain: 0.5 }) });
    const inputs = moodInputs(features, { genre: 'Jazz', families: ['jazz'], bpm: 60 });
    expect(inputs.tempo_log2).toBe(-1);
    expect(inputs.genre_jazz).toBe(1);
    expect(inputs.genre_rock).toBe(0);
    expect(Object.keys(inputs).sort()).toEqual([...MOOD_INPUT_NAMES].sort());
  });
});

describe('the audio mood model', () => {
  it('reproduces the parity cases of the shipped card', async () => {
    const model = await AudioMoodModel.load(DEFAULT_AUDIO_MOOD_CARD);
    const shipped = JSON.parse(readFileSync(DEFAULT_AUDIO_MOOD_CARD, 'utf8')) as {
      parity: { inputs: Record<string, number>; probabilities: number[] }[];
    };
    expect(shipped.parity.length).toBeGreaterThan(0);
    for (const { inputs, probabilities } of shipped.parity) {
      const got = model.probabilities(inputs);
      got.forEach((p, i) => expect(p).toBeCloseTo(probabilities[i]!, 9));
    }
  });

  it('turns quadrant probabilities into moods by the card rule', async () => {
    const model = await AudioMoodModel.load(writeCard(card()));
    expect(model.estimate({ mode: 1, rms_db_mean: 0 }).mood).toBe('energetic');
    expect(model.estimate({ mode: 1, rms_db_mean: -19 }).mood).toBe('happy');
    expect(model.estimate({ mode: -1, rms_db_mean: 0 }).mood).toBe('tense');
    expect(model.estimate({ mode: -1, rms_db_mean: -40 }).mood).toBe('sad');
    expect(model.estimate({ mode: 1, rms_db_mean: -40 }).mood).toBe('calm');
    const unsure = model.estimate({ mode: 0.05, rms_db_mean: -20 });
    expect(unsure.mood).toBe('neutral');
    expect(unsure.confidence).toBeLessThan(0.4);
    const sad = model.estimate({ mode: -1, rms_db_mean: -40 });
    expect(sad.valence).toBeLessThan(-0.5);
    expect(sad.arousal).toBeLessThan(-0.5);
    expect(Object.values(sad.quadrants).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(() => model.estimate({ mode: 1 })).toThrow(/input rms_db_mean is missing/);
    // Outside its typical range an input is held at the edge, and the song is unusual: a guess at most.
    const loud = model.estimate({ mode: 1, rms_db_mean: 30 });
    expect(loud.quadrants).toEqual(model.estimate({ mode: 1, rms_db_mean: 0 }).quadrants);
    expect(loud.unusual).toBe(true);
    expect(loud.mood).toBe('energetic');
    expect(loud.confidence).toBe(0.5);
    expect(model.estimate({ mode: 1, rms_db_mean: 0 }).unusual).toBe(false);
  });

  it('refuses a card that needs inputs the app does not compute, or whose layers do not fit', async () => {
    await expect(AudioMoodModel.load(writeCard(card({ inputs: ['mode', 'lyrics_sentiment'] })))).rejects.toThrow(
      /inputs this app does not compute: lyrics_sentiment/,
    );
    await expect(
      AudioMoodModel.load(writeCard(card({ layers: [{ weights: [[1, 2, 3]], bias: [0], activation: 'linear' }] }))),
    ).rejects.toThrow(/layer 1 does not fit/);
    await expect(AudioMoodModel.load(join(tmpdir(), 'no-such-card.json'))).rejects.toThrow(/cannot read model card/);
  });
});
