/**
 * Real audio files made at test time: tones encoded by ffmpeg in each format the library
 * supports, tagged by ffmpeg where it can and by node-taglib-sharp where it cannot.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeTags } from '../../src/main/library/tagWriter.js';

const run = promisify(execFile);

export type AudioFormat = 'mp3' | 'mp3-id3v23' | 'flac' | 'ogg' | 'opus' | 'm4a' | 'wav';

export const AUDIO_FORMATS: readonly AudioFormat[] = ['mp3', 'mp3-id3v23', 'flac', 'ogg', 'opus', 'm4a', 'wav'];

const ENCODER: Record<AudioFormat, { ext: string; args: string[] }> = {
  mp3: { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-id3v2_version', '4'] },
  'mp3-id3v23': { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-id3v2_version', '3'] },
  flac: { ext: 'flac', args: ['-c:a', 'flac'] },
  ogg: { ext: 'ogg', args: ['-c:a', 'libvorbis'] },
  opus: { ext: 'opus', args: ['-c:a', 'libopus'] },
  m4a: { ext: 'm4a', args: ['-c:a', 'aac'] },
  wav: { ext: 'wav', args: ['-c:a', 'pcm_s16le'] },
};

export interface AudioSpec {
  name: string;
  format: AudioFormat;
  seconds?: number;
  frequency?: number;
  title?: string;
  artist?: string;
  album?: string;
  /** The MOOD tag, written in the format's own spelling. */
  mood?: string;
}

export async function makeAudioFile(dir: string, spec: AudioSpec): Promise<string> {
  const { ext, args } = ENCODER[spec.format];
  const path = join(dir, `${spec.name}.${ext}`);
  const meta = (key: string, value: string | undefined) => (value === undefined ? [] : ['-metadata', `${key}=${value}`]);
  // ffmpeg writes Vorbis MOOD and ID3v2.3 TXXX:MOOD itself; TMOO and MP4 moods need taglib.
  const ffmpegMood = ['flac', 'ogg', 'opus', 'mp3-id3v23'].includes(spec.format) ? meta('MOOD', spec.mood) : [];
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${spec.frequency ?? 440}:duration=${spec.seconds ?? 1}`,
    ...args,
    ...meta('title', spec.title),
    ...meta('artist', spec.artist),
    ...meta('album', spec.album),
    ...ffmpegMood,
    path,
  ]);
  if (spec.mood !== undefined && ffmpegMood.length === 0) writeTags(path, { mood: spec.mood });
  return path;
}
