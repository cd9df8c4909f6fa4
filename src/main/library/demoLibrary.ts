/**
 * The demo library: short pieces synthesised by this code, a few per mood, written as real WAV
 * files with ID3 tags (title, artist, album, mood), so a fresh install plays something at once.
 * Each mood's recipe follows what the audio estimator listens for: mode, tempo, loudness, brightness.
 */
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mood } from '../../shared/mood.js';
import { encodeWav } from '../audio/wav.js';
import { writeTags } from './tagWriter.js';

const SAMPLE_RATE = 22050;
const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];

interface Recipe {
  mood: Mood;
  titles: [string, string];
  bpm: number;
  scale: number[];
  /** MIDI note of the key's root. */
  root: number;
  /** Chord roots as scale degrees (0-based), one per bar. */
  progression: number[];
  gain: number;
  /** Harmonics per note: more is brighter. */
  harmonics: number;
  drums: boolean;
  /** Melody notes per beat. */
  notesPerBeat: number;
}

const RECIPES: Recipe[] = [
  {
    mood: 'happy',
    titles: ['Sunny Side', 'Open Windows'],
    bpm: 118,
    scale: MAJOR,
    root: 60,
    progression: [0, 3, 4, 0],
    gain: 0.5,
    harmonics: 5,
    drums: true,
    notesPerBeat: 2,
  },
  {
    mood: 'energetic',
    titles: ['Full Throttle', 'Night Run'],
    bpm: 150,
    scale: MAJOR,
    root: 64,
    progression: [0, 4, 3, 4],
    gain: 0.85,
    harmonics: 7,
    drums: true,
    notesPerBeat: 4,
  },
  {
    mood: 'calm',
    titles: ['Still Water', 'Slow Clouds'],
    bpm: 62,
    scale: MAJOR,
    root: 57,
    progression: [0, 3, 0, 4],
    gain: 0.16,
    harmonics: 2,
    drums: false,
    notesPerBeat: 1,
  },
  {
    mood: 'sad',
    titles: ['Grey Letters', 'Empty Platform'],
    bpm: 66,
    scale: MINOR,
    root: 57,
    progression: [0, 3, 4, 0],
    gain: 0.18,
    harmonics: 2,
    drums: false,
    notesPerBeat: 1,
  },
  {
    mood: 'tense',
    titles: ['Pressure', 'Red Alert'],
    bpm: 140,
    scale: MINOR,
    root: 52,
    progression: [0, 1, 0, 4],
    gain: 0.8,
    harmonics: 8,
    drums: true,
    notesPerBeat: 4,
  },
  {
    mood: 'neutral',
    titles: ['Waiting Room', 'Plain Paper'],
    bpm: 96,
    scale: MAJOR,
    root: 55,
    progression: [0, 4, 3, 0],
    gain: 0.35,
    harmonics: 3,
    drums: false,
    notesPerBeat: 2,
  },
];

export const DEMO_ARTIST = 'Emotune Demo Band';
export const DEMO_ALBUM = 'Moods for a First Run';

export interface DemoTrack {
  path: string;
  title: string;
  mood: Mood;
}

function demoFileName(recipe: Recipe, variant: number): string {
  return `${recipe.mood}-${variant + 1}.wav`;
}

/** Writes the demo pieces into `folder` and returns what it wrote. */
export async function createDemoLibrary(folder: string, seconds = 16): Promise<DemoTrack[]> {
  await mkdir(folder, { recursive: true });
  const out: DemoTrack[] = [];
  for (const recipe of RECIPES) {
    for (const [variant, title] of recipe.titles.entries()) {
      const path = join(folder, demoFileName(recipe, variant));
      await writeFile(path, encodeWav({ sampleRate: SAMPLE_RATE, samples: synthesise(recipe, variant, seconds) }));
      writeTags(path, { title, artist: DEMO_ARTIST, album: DEMO_ALBUM, mood: recipe.mood });
      out.push({ path, title, mood: recipe.mood });
    }
  }
  return out;
}

/** Deletes the pieces createDemoLibrary wrote, and the folder if nothing else is in it; anything else is left alone. */
export async function removeDemoFiles(folder: string): Promise<void> {
  for (const recipe of RECIPES) {
    for (const variant of recipe.titles.keys()) await rm(join(folder, demoFileName(recipe, variant)), { force: true });
  }
  await rmdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST' && error.code !== 'ENOENT') throw error;
  });
}

function synthesise(recipe: Recipe, variant: number, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  const random = mulberry32(1000 * RECIPES.indexOf(recipe) + variant + 1);
  const beat = 60 / recipe.bpm;
  const bar = 4 * beat;
  const degree = (d: number) => recipe.root + 12 * Math.floor(d / 7) + recipe.scale[((d % 7) + 7) % 7]!;
  let melodyDegree = 7;
  for (let t = 0, barIndex = 0; t < seconds; t += bar, barIndex++) {
    const chordRoot = recipe.progression[(barIndex + variant) % recipe.progression.length]!;
    // The chord, held for the bar, one octave down.
    for (const step of [0, 2, 4]) addNote(out, t, bar, degree(chordRoot + step) - 12, (recipe.gain * 0.3) / 3, recipe.harmonics, 0.3);
    addNote(out, t, bar, degree(chordRoot) - 24, recipe.gain * 0.3, Math.max(1, recipe.harmonics - 2), 0.1);
    // A melody on the chord's tones, mostly, with passing notes of the scale.
    const noteLength = beat / recipe.notesPerBeat;
    for (let n = 0; n < 4 * recipe.notesPerBeat; n++) {
      const chordTone = 7 + chordRoot + [0, 2, 4][Math.floor(random() * 3)]!;
      melodyDegree = random() < 0.75 ? chordTone : melodyDegree + (random() < 0.5 ? -1 : 1);
      addNote(out, t + n * noteLength, noteLength * 0.9, degree(melodyDegree), recipe.gain * 0.35, recipe.harmonics, 0.02);
    }
    if (recipe.drums) {
      for (let b = 0; b < 4; b++) {
        addKick(out, t + b * beat, recipe.gain * 0.9);
        addHat(out, t + b * beat + beat / 2, recipe.gain * 0.25, random);
      }
    }
  }
  // Normalise to the recipe's loudness so that soft moods really are soft.
  let peak = 0;
  for (const s of out) peak = Math.max(peak, Math.abs(s));
  const k = peak > 0 ? recipe.gain / peak : 0;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * k;
  return out;
}

function addNote(out: Float32Array, start: number, duration: number, midi: number, gain: number, harmonics: number, attack: number): void {
  const freq = 440 * 2 ** ((midi - 69) / 12);
  const from = Math.round(start * SAMPLE_RATE);
  const length = Math.round(duration * SAMPLE_RATE);
  const attackSamples = Math.max(1, Math.round(Math.min(attack, duration / 2) * SAMPLE_RATE));
  for (let i = 0; i < length && from + i < out.length; i++) {
    const t = i / SAMPLE_RATE;
    const envelope = Math.min(1, i / attackSamples) * Math.exp((-2.5 * t) / duration);
    let v = 0;
    for (let h = 1; h <= harmonics; h++) v += Math.sin(2 * Math.PI * freq * h * t) / h;
    out[from + i] = out[from + i]! + gain * envelope * v;
  }
}

function addKick(out: Float32Array, start: number, gain: number): void {
  const from = Math.round(start * SAMPLE_RATE);
  for (let i = 0; i < 0.15 * SAMPLE_RATE && from + i < out.length; i++) {
    const t = i / SAMPLE_RATE;
    out[from + i] = out[from + i]! + gain * Math.exp(-t * 30) * Math.sin(2 * Math.PI * (50 + 90 * Math.exp(-t * 40)) * t);
  }
}

function addHat(out: Float32Array, start: number, gain: number, random: () => number): void {
  const from = Math.round(start * SAMPLE_RATE);
  for (let i = 0; i < 0.04 * SAMPLE_RATE && from + i < out.length; i++) {
    out[from + i] = out[from + i]! + gain * Math.exp((-i / SAMPLE_RATE) * 120) * (random() * 2 - 1);
  }
}

/** A small seeded PRNG, so the demo pieces are the same on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
