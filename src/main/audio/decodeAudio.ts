/** Decodes an audio file to mono PCM for analysis: WAV in-process, anything else with ffmpeg if installed. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { decodeWav, type PcmAudio } from './wav.js';

export const ANALYSIS_SAMPLE_RATE = 22050;
/** Enough to judge tempo and key; keeps a long track's analysis short. */
export const ANALYSIS_SECONDS = 60;

export class AudioDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AudioDecodeError';
  }
}

export async function decodeForAnalysis(path: string): Promise<PcmAudio> {
  if (extname(path).toLowerCase() === '.wav') {
    try {
      const pcm = decodeWav(await readFile(path));
      const limit = pcm.sampleRate * ANALYSIS_SECONDS;
      return pcm.samples.length > limit ? { sampleRate: pcm.sampleRate, samples: pcm.samples.subarray(0, limit) } : pcm;
    } catch {
      // Not plain 16-bit PCM: let ffmpeg try.
    }
  }
  return decodeWithFfmpeg(path);
}

function decodeWithFfmpeg(path: string): Promise<PcmAudio> {
  return new Promise((resolve, reject) => {
    const args = [
      '-v',
      'error',
      '-nostdin',
      '-i',
      path,
      '-t',
      String(ANALYSIS_SECONDS),
      '-ac',
      '1',
      '-ar',
      String(ANALYSIS_SAMPLE_RATE),
      '-f',
      'f32le',
      '-',
    ];
    const child = spawn(process.env.EMOTUNE_FFMPEG ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new AudioDecodeError(
              `cannot decode ${extname(path)} files for a mood estimate without ffmpeg; install ffmpeg, or tag the track's mood`,
            )
          : new AudioDecodeError(`ffmpeg failed on ${path}: ${error.message}`, { cause: error }),
      ),
    );
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new AudioDecodeError(`cannot decode ${path}: ${stderr.trim().split('\n').pop() ?? `ffmpeg exit ${code}`}`));
        return;
      }
      const bytes = Buffer.concat(chunks);
      const samples = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4)).slice();
      resolve({ sampleRate: ANALYSIS_SAMPLE_RATE, samples });
    });
  });
}
