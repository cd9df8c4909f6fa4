/**
 * The audio mood model, read from its card (written by `python -m training.mood`): which inputs it
 * takes, how they are scaled, its dense layers, its temperature and the rule that turns quadrant
 * probabilities into one of the app's moods. Nothing about the model is written in code.
 */
import { z } from 'zod';
import type { Mood } from '../../shared/mood.js';
import { readCardJson } from '../vision/modelCardFile.js';
import { AUDIO_FEATURE_NAMES } from './audioFeatures.js';
import { GENRE_FAMILY_NAMES } from './tagHints.js';

/** Russell's quadrants, in the order of the model's outputs. */
export const QUADRANTS = ['Q1', 'Q2', 'Q3', 'Q4'] as const;
export type Quadrant = (typeof QUADRANTS)[number];

/** Every input the app can compute: the audio features, then one flag per genre family. */
export const MOOD_INPUT_NAMES: readonly string[] = [...AUDIO_FEATURE_NAMES, ...GENRE_FAMILY_NAMES.map((f) => `genre_${f}`)];

const layerSchema = z.object({
  weights: z.array(z.array(z.number())).min(1),
  bias: z.array(z.number()),
  activation: z.enum(['relu', 'linear']),
});

const audioMoodCardSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  outputs: z.tuple([z.literal('Q1'), z.literal('Q2'), z.literal('Q3'), z.literal('Q4')]),
  inputs: z.array(z.string().min(1)).min(1),
  scaling: z.object({
    low: z.array(z.number()),
    high: z.array(z.number()),
    mean: z.array(z.number()),
    scale: z.array(z.number().positive()),
  }),
  layers: z.array(layerSchema).min(1),
  temperature: z.number().positive(),
  mood_rule: z.object({
    neutral_below: z.number().min(0).max(1),
    energetic_arousal: z.number().min(-1).max(1),
    unusual_share: z.number().min(0).max(1),
    unusual_cap: z.number().min(0).max(1),
  }),
  parity: z.array(z.object({ inputs: z.record(z.string(), z.number()), probabilities: z.array(z.number()).length(4) })),
  metrics: z.unknown().optional(),
});

export type AudioMoodCard = z.infer<typeof audioMoodCardSchema>;

export interface QuadrantEstimate {
  mood: Mood;
  valence: number;
  arousal: number;
  /** The calibrated probability of the most likely quadrant (held low for an unusual song). */
  confidence: number;
  /** Unlike the music the model learned from: too many inputs outside their typical range. */
  unusual: boolean;
  quadrants: Record<Quadrant, number>;
}

export class AudioMoodModel {
  private constructor(readonly card: AudioMoodCard) {}

  static async load(cardPath: string): Promise<AudioMoodModel> {
    const card = await readCardJson(cardPath, audioMoodCardSchema);
    const fail = (why: string) => new Error(`audio mood card ${cardPath} is invalid: ${why}`);
    const unknown = card.inputs.filter((name) => !MOOD_INPUT_NAMES.includes(name));
    if (unknown.length > 0) throw fail(`it needs inputs this app does not compute: ${unknown.join(', ')}`);
    const n = card.inputs.length;
    const { low, high, mean, scale } = card.scaling;
    if ([low, high, mean, scale].some((v) => v.length !== n)) throw fail('scaling does not match the inputs');
    if (low.some((l, i) => l > high[i]!)) throw fail('an input range is empty (low above high)');
    let width = n;
    for (const [i, layer] of card.layers.entries()) {
      if (layer.weights.some((row) => row.length !== width) || layer.bias.length !== layer.weights.length) {
        throw fail(`layer ${i + 1} does not fit its input of ${width}`);
      }
      width = layer.weights.length;
    }
    if (width !== QUADRANTS.length) throw fail(`the last layer gives ${width} outputs, not 4`);
    return new AudioMoodModel(card);
  }

  /** The inputs in card order, each held within its typical range, and how many had to be. */
  private heldInputs(inputs: Readonly<Record<string, number>>): { x: number[]; outside: number; audio: number } {
    const { low, high } = this.card.scaling;
    let outside = 0;
    let audio = 0;
    const x = this.card.inputs.map((name, i) => {
      const value = inputs[name];
      if (value === undefined || !Number.isFinite(value)) throw new Error(`the mood model's input ${name} is missing`);
      if (!name.startsWith('genre_')) {
        audio++;
        if (value < low[i]! || value > high[i]!) outside++;
      }
      return Math.min(high[i]!, Math.max(low[i]!, value));
    });
    return { x, outside, audio };
  }

  /** Quadrant probabilities for the named inputs (see `moodInputs`); a missing input is an error. */
  probabilities(inputs: Readonly<Record<string, number>>): number[] {
    return this.forward(this.heldInputs(inputs).x);
  }

  private forward(held: number[]): number[] {
    const { mean, scale } = this.card.scaling;
    let x = held.map((v, i) => (v - mean[i]!) / scale[i]!);
    for (const layer of this.card.layers) {
      x = layer.weights.map((row, o) => {
        const sum = row.reduce((acc, w, j) => acc + w * x[j]!, layer.bias[o]!);
        return layer.activation === 'relu' ? Math.max(0, sum) : sum;
      });
    }
    const scaled = x.map((v) => v / this.card.temperature);
    const top = Math.max(...scaled);
    const exp = scaled.map((v) => Math.exp(v - top));
    const total = exp.reduce((a, b) => a + b, 0);
    return exp.map((v) => v / total);
  }

  estimate(inputs: Readonly<Record<string, number>>): QuadrantEstimate {
    const held = this.heldInputs(inputs);
    const p = this.forward(held.x);
    const [q1, q2, q3, q4] = p as [number, number, number, number];
    const valence = q1 + q4 - q2 - q3;
    const arousal = q1 + q2 - q3 - q4;
    const top = p.indexOf(Math.max(...p));
    const { neutral_below, energetic_arousal, unusual_share, unusual_cap } = this.card.mood_rule;
    const unusual = held.audio > 0 && held.outside / held.audio > unusual_share;
    const byQuadrant: Mood[] = [arousal >= energetic_arousal ? 'energetic' : 'happy', 'tense', 'sad', 'calm'];
    return {
      mood: p[top]! < neutral_below ? 'neutral' : byQuadrant[top]!,
      valence,
      arousal,
      confidence: unusual ? Math.min(p[top]!, unusual_cap) : p[top]!,
      unusual,
      quadrants: { Q1: q1, Q2: q2, Q3: q3, Q4: q4 },
    };
  }
}
