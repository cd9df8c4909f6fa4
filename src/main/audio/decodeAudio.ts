/** Decodes an audio file to mono PCM for analysis: WAV in-process, anything else with ffmpeg if installed. */
import { spawn, spawnSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { decodeWav, type PcmAudio } from './wav.js';

export const ANALYSIS_SAMPLE_RATE = 22050;
/** Enough to judge tempo and key; keeps a long track's analysis short. */
export const ANALYSIS_SECONDS = 60;

/** Raised when the estimate itself changes, so that estimates that failed are tried again. */
export const ESTIMATOR_VERSION = 1;

function ffmpegCommand(): string {
  return process.env.EMOTUNE_FFMPEG ?? 'ffmpeg';
}

/**
 * What this process can decode, as a short word: a failed estimate records it, and a track whose
 * estimate failed under other means (ffmpeg installed since, a new estimator) is tried again.
 */
export function decoderSignature(): string {
  const ffmpeg = spawnSync(ffmpegCommand(), ['-version'], { stdio: 'ignore' }).status === 0;
  return `estimator ${ESTIMATOR_VERSION}, wav${ffmpeg ? ' + ffmpeg' : ''}`;
}

export class AudioDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AudioDecodeError';
  }
}

export async function decodeForAnalysis(path: string): Promise<PcmAudio> {
  if (extname(path).toLowerCase() === '.wav') {
    try {
      const pcm = decodeWav(await readWavHead(path, ANALYSIS_SECONDS));
      const limit = pcm.sampleRate * ANALYSIS_SECONDS;
      return pcm.samples.length > limit ? { sampleRate: pcm.sampleRate, samples: pcm.samples.subarray(0, limit) } : pcm;
    } catch {
      // Not plain 16-bit PCM: let ffmpeg try.
    }
  }
  return decodeWithFfmpeg(path);
}

/**
 * The first `seconds` of a WAV file as a small WAV of its own (RIFF header, fmt chunk, the start of
 * the data), read chunk header by chunk header: a 2 GB file costs what a minute of it does.
 */
export async function readWavHead(path: string, seconds: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const read = async (at: number, length: number) => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, fileSize - at)));
      await handle.read(buffer, 0, buffer.length, at);
      return buffer;
    };
    const riff = await read(0, 12);
    if (riff.length < 12 || riff.toString('ascii', 0, 4) !== 'RIFF' || riff.toString('ascii', 8, 12) !== 'WAVE') {
      throw new Error('not a RIFF/WAVE file');
    }
    let fmt: Buffer | undefined;
    for (let offset = 12; offset + 8 <= fileSize;) {
      const header = await read(offset, 8);
      const id = header.toString('ascii', 0, 4);
      const size = header.readUInt32LE(4);
      if (id === 'fmt ') fmt = Buffer.concat([header, await read(offset + 8, Math.min(size, 1024))]);
      else if (id === 'data') {
        if (!fmt || fmt.length < 24) throw new Error('WAVE data before its format chunk');
        const bytesPerSecond = fmt.readUInt32LE(16);
        const data = await read(offset + 8, Math.min(size, Math.ceil(seconds * bytesPerSecond)));
        const dataHeader = Buffer.from(header);
        dataHeader.writeUInt32LE(data.length, 4);
        return Buffer.concat([riff, fmt, dataHeader, data]);
      }
      offset += 8 + size + (size % 2);
    }
    throw new Error('WAVE file has no data chunk');
  } finally {
    await handle.close();
  }
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
    const child = spawn(ffmpegCommand(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
