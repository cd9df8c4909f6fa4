/**
 * The last resort, for what no in-process decoder reads (WMA, say): ffmpeg, where it is installed.
 * It resamples; the channels it leaves alone (as 32-bit float WAV on its output), so they are
 * mixed down here as every other decoder's are, to their mean, not by ffmpeg's own matrix.
 */
import { spawn, spawnSync } from 'node:child_process';
import { ANALYSIS_SAMPLE_RATE, ANALYSIS_SECONDS, AudioDecodeError, BadAudio, MonoCollector } from './analysisAudio.js';
import type { PcmAudio } from './wav.js';

export function ffmpegCommand(): string {
  return process.env.EMOTUNE_FFMPEG ?? 'ffmpeg';
}

export function ffmpegAvailable(): boolean {
  return spawnSync(ffmpegCommand(), ['-version'], { stdio: 'ignore' }).status === 0;
}

/** Decodes with ffmpeg; rejects with ENOENT's AudioDecodeError where there is no ffmpeg. */
export function decodeWithFfmpeg(path: string, format: string): Promise<PcmAudio> {
  return new Promise((resolve, reject) => {
    const args = ['-v', 'error', '-nostdin', '-i', path, '-t', String(ANALYSIS_SECONDS), '-ar', String(ANALYSIS_SAMPLE_RATE)];
    args.push('-c:a', 'pcm_f32le', '-f', 'wav', '-');
    const child = spawn(ffmpegCommand(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new AudioDecodeError(`cannot decode ${path}: ${format} is not decoded in-process, and ffmpeg is not installed`)
          : new AudioDecodeError(`ffmpeg failed on ${path}: ${error.message}`, { cause: error }),
      ),
    );
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new AudioDecodeError(`cannot decode ${path} (${format}): ${stderr.trim().split('\n').pop() ?? `ffmpeg exit ${code}`}`));
        return;
      }
      try {
        resolve(mixFloatWav(Buffer.concat(chunks)));
      } catch (error) {
        reject(new AudioDecodeError(`cannot decode ${path} (${format}): ${(error as Error).message}`, { cause: error }));
      }
    });
  });
}

/** ffmpeg's float WAV on a pipe (its sizes may say "unknown"), mixed down to mono. */
function mixFloatWav(wav: Buffer): PcmAudio {
  let channels = 0;
  for (let at = 12; at + 8 <= wav.length;) {
    const id = wav.toString('latin1', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ') channels = wav.readUInt16LE(at + 10);
    else if (id === 'data') {
      if (channels < 1) break;
      const end = size === 0 || size === 0xffffffff ? wav.length : Math.min(wav.length, at + 8 + size);
      const frames = Math.floor((end - at - 8) / (4 * channels));
      const planar = Array.from({ length: channels }, () => new Float32Array(frames));
      for (let i = 0, p = at + 8; i < frames; i++) for (let c = 0; c < channels; c++, p += 4) planar[c]![i] = wav.readFloatLE(p);
      const collector = new MonoCollector(ANALYSIS_SAMPLE_RATE);
      collector.push(planar, frames);
      return collector.finish();
    }
    at += 8 + size + (size % 2);
  }
  throw new BadAudio('ffmpeg gave no audio');
}
