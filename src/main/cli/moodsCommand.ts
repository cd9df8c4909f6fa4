/**
 * `emotune moods <file|folder> [--write]`: the mood of each audio file, as the library would judge it
 * (the file's own mood tag, else an estimate from the audio), one JSON line per file, without touching
 * the library. `--write` stores estimated moods as the files' own mood tags, atomically, so that any
 * player can use them; files that already carry a mood are left as they are.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { moodFromTag } from '../../shared/mood.js';
import type { AudioMoodEstimator } from '../mood/audioMoodEstimator.js';
import { writeTagsAtomically } from '../library/atomicTagWrite.js';
import { listAudioFiles } from '../library/scanner.js';
import { isAudioFile, readFileTags } from '../library/tagReader.js';

export interface MoodLine {
  file: string;
  mood: string | null;
  valence: number | null;
  arousal: number | null;
  confidence: number | null;
  source: 'file' | 'audio' | null;
  features?: object;
  written?: boolean;
  error?: string;
}

/** Audio files under a path (a file, or a folder searched recursively), sorted. */
export async function listAudioPaths(path: string): Promise<string[]> {
  const root = resolve(path);
  const info = await stat(root).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? `no such file or folder: ${root}` : `cannot read ${root}: ${error.message}`);
  });
  if (info.isFile()) {
    if (!isAudioFile(root)) throw new Error(`${root} is not an audio file Emotune reads (mp3, flac, ogg, opus, m4a, wav, ...)`);
    return [root];
  }
  // The scanner's own listing: the same files the library would take, by the same rules.
  return (await listAudioFiles(root)).map((f) => f.path);
}

export async function moodOfFile(file: string, write: boolean, estimator: AudioMoodEstimator): Promise<MoodLine> {
  try {
    const tags = await readFileTags(file);
    const tagged = tags.moodText ? moodFromTag(tags.moodText) : undefined;
    if (tagged) return { file, mood: tagged, valence: null, arousal: null, confidence: 1, source: 'file' };
    const estimate = await estimator.estimate(file);
    const line: MoodLine = {
      file,
      mood: estimate.mood,
      valence: estimate.valence,
      arousal: estimate.arousal,
      confidence: estimate.confidence,
      source: 'audio',
      features: { ...estimate.summary, quadrants: estimate.quadrants, genre: estimate.hints.genre },
    };
    if (write) {
      await writeTagsAtomically(file, { mood: estimate.mood });
      line.written = true;
    }
    return line;
  } catch (error) {
    return { file, mood: null, valence: null, arousal: null, confidence: null, source: null, error: (error as Error).message };
  }
}
