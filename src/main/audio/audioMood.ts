/**
 * A track's mood from its audio and tags, for tracks with no mood tag: the app's own features
 * (audioFeatures.ts) and tag hints (tagHints.ts) through the model fitted on human-labelled music
 * (audioMoodModel.ts, card in models/). The decode, the features and the model are each replaceable;
 * this is where they meet.
 */
import type { AudioFeatureVector, AudioSummary } from './audioFeatures.js';
import { analyseAudio } from './audioFeatures.js';
import type { AudioMoodModel, QuadrantEstimate } from './audioMoodModel.js';
import { decodeForAnalysis } from './decodeAudio.js';
import { GENRE_FAMILY_NAMES, readTagHints, type TagHints } from './tagHints.js';

export interface AudioMoodEstimate extends QuadrantEstimate {
  summary: AudioSummary;
  hints: TagHints;
}

/** The model's inputs by name: the audio features, a tagged tempo over the measured one, genre flags. */
export function moodInputs(features: AudioFeatureVector, hints: TagHints): Record<string, number> {
  const inputs: Record<string, number> = { ...features };
  // A tagged tempo is the track's real one; a measured tempo can be off by an octave.
  if (hints.bpm !== null) inputs.tempo_log2 = Math.log2(hints.bpm / 120);
  for (const family of GENRE_FAMILY_NAMES) inputs[`genre_${family}`] = hints.families.includes(family) ? 1 : 0;
  return inputs;
}

export async function estimateTrackMood(path: string, model: AudioMoodModel): Promise<AudioMoodEstimate> {
  // Tags are hints: a file whose tags cannot be read is still judged by its audio.
  const [pcm, hints] = await Promise.all([
    decodeForAnalysis(path),
    readTagHints(path).catch((): TagHints => ({ genre: null, families: [], bpm: null })),
  ]);
  const { features, summary } = analyseAudio(pcm);
  return { ...model.estimate(moodInputs(features, hints)), summary, hints };
}
