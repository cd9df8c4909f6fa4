/**
 * Every format the library reads, decoded in-process for the mood analysis. ffmpeg makes the files
 * here; then it is hidden (PATH holds nothing, EMOTUNE_FFMPEG names a file that does not exist), so
 * any decode that still reached for it would fail. Checked: the rate, the length (the file's, or
 * the analysed minute), the sound itself (the tone's frequency; sample for sample against the WAV
 * for lossless formats), how much of a 5-minute file is read, and that truncated or random files
 * give an AudioDecodeError.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANALYSIS_SAMPLE_RATE,
  ANALYSIS_SECONDS,
  AudioDecodeError,
  decodeForAnalysis,
  decoderSignature,
} from '../../../src/main/audio/decodeAudio.js';
import { fft } from '../../../src/main/audio/fft.js';

const run = promisify(execFile);
const HAVE_FFMPEG = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;

interface Format {
  name: string;
  ext: string;
  args: string[];
  lossless: boolean;
}

const FORMATS: Format[] = [
  { name: 'MP3', ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k'], lossless: false },
  { name: 'M4A (AAC)', ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '128k'], lossless: false },
  { name: 'M4A (AAC, moov first)', ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart'], lossless: false },
  { name: 'M4A (ALAC)', ext: 'm4a', args: ['-c:a', 'alac'], lossless: true },
  { name: 'AAC (ADTS)', ext: 'aac', args: ['-c:a', 'aac', '-b:a', '128k', '-f', 'adts'], lossless: false },
  { name: 'FLAC', ext: 'flac', args: ['-c:a', 'flac'], lossless: true },
  { name: 'Ogg Vorbis', ext: 'ogg', args: ['-c:a', 'libvorbis'], lossless: false },
  { name: 'Opus', ext: 'opus', args: ['-c:a', 'libopus', '-b:a', '96k'], lossless: false },
  { name: 'WAV 16-bit', ext: 'wav', args: ['-c:a', 'pcm_s16le'], lossless: true },
  { name: 'WAV 24-bit', ext: 'wav', args: ['-c:a', 'pcm_s24le'], lossless: true },
  { name: 'WAV float', ext: 'wav', args: ['-c:a', 'pcm_f32le'], lossless: true },
  { name: 'AIFF', ext: 'aiff', args: ['-c:a', 'pcm_s16be'], lossless: true },
];

const SHORT_SECONDS = 4;
const LONG_SECONDS = 300;
/** A stereo chord-like tone at 44.1 kHz: 440 Hz dominates the mono mix; the channels differ. */
const SIGNAL = '0.45*sin(2*PI*440*t)+0.05*sin(2*PI*1320*t)|0.35*sin(2*PI*440*t)+0.15*sin(2*PI*660*t)';

const dir = mkdtempSync(join(tmpdir(), 'emotune-formats-'));
const slug = (f: Format) => f.name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
const fileFor = (f: Format, kind: 'short' | 'long') => join(dir, `${kind}-${slug(f)}.${f.ext}`);
const saved = { PATH: process.env.PATH, EMOTUNE_FFMPEG: process.env.EMOTUNE_FFMPEG };

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', ...args]);
}

beforeAll(async () => {
  if (!HAVE_FFMPEG) return;
  const short = join(dir, 'short-source.wav');
  const minute = join(dir, 'long-source.wav');
  await ffmpeg(['-f', 'lavfi', '-i', `aevalsrc='${SIGNAL}':s=44100:d=${SHORT_SECONDS}`, '-c:a', 'pcm_s16le', short]);
  await ffmpeg(['-f', 'lavfi', '-i', `aevalsrc='${SIGNAL}':s=44100:d=${LONG_SECONDS / 4}`, '-c:a', 'pcm_s16le', minute]);
  for (const f of FORMATS) {
    await ffmpeg(['-i', short, ...f.args, fileFor(f, 'short')]);
    // Five minutes: a quarter encoded, looped four times without encoding again.
    const quarter = join(dir, `quarter-${slug(f)}.${f.ext}`);
    await ffmpeg(['-i', minute, ...f.args, quarter]);
    await ffmpeg([
      '-stream_loop',
      '3',
      '-i',
      quarter,
      '-c',
      'copy',
      ...f.args.filter((a) => a === '-f' || a === 'adts' || a.includes('faststart') || a === '-movflags'),
      fileFor(f, 'long'),
    ]);
    rmSync(quarter);
  }
  const none = join(dir, 'no-programs');
  mkdirSync(none);
  process.env.PATH = none;
  process.env.EMOTUNE_FFMPEG = join(dir, 'no-such-ffmpeg');
}, 240_000);

afterAll(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The strongest frequency in the first 65,536 samples (3 s at 22,050 Hz). */
function dominantFrequency(samples: Float32Array, rate: number): number {
  const n = 65536;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n && i < samples.length; i++) re[i] = samples[i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  fft(re, im);
  let best = 1;
  for (let k = 2; k < n / 2; k++) if (re[k]! ** 2 + im[k]! ** 2 > re[best]! ** 2 + im[best]! ** 2) best = k;
  return (best * rate) / n;
}

function correlation(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

describe.skipIf(!HAVE_FFMPEG)(
  `in-process decoding of every library format${HAVE_FFMPEG ? '' : ' (skipped: ffmpeg is not installed to make the test files)'}`,
  () => {
    it('runs with ffmpeg out of reach', async () => {
      expect(decoderSignature()).not.toContain('ffmpeg');
      const wma = join(dir, 'tone.wma');
      writeFileSync(wma, Buffer.concat([Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex'), Buffer.alloc(1000)]));
      // WMA is the one format left to ffmpeg: with none to be found, it fails in words.
      await expect(decodeForAnalysis(wma)).rejects.toThrow(/WMA.*ffmpeg is not installed/);
    });

    const reference = () =>
      decodeForAnalysis(
        fileFor(
          FORMATS.find((f) => f.name === 'WAV 16-bit')!,
          'short',
        ),
      );

    for (const format of FORMATS) {
      it(`decodes ${format.name}: ${SHORT_SECONDS} s at ${ANALYSIS_SAMPLE_RATE} Hz, the tone it holds`, async () => {
        const pcm = await decodeForAnalysis(fileFor(format, 'short'));
        expect(pcm.sampleRate).toBe(ANALYSIS_SAMPLE_RATE);
        // Raw ADTS keeps the encoder's 1024-sample delay (nothing in the stream says it): 23 ms.
        expect(Math.abs(pcm.samples.length / pcm.sampleRate - SHORT_SECONDS)).toBeLessThanOrEqual(0.05);
        expect(Math.abs(dominantFrequency(pcm.samples, pcm.sampleRate) - 440)).toBeLessThan(1);
        const wav = await reference();
        if (format.lossless) expect(Array.from(pcm.samples.subarray(0, 22050))).toEqual(Array.from(wav.samples.subarray(0, 22050)));
        else if (format.ext !== 'aac') expect(correlation(pcm.samples, wav.samples)).toBeGreaterThan(0.9);
      });

      it(`reads ${format.name} only as far as the analysed minute`, async () => {
        const path = fileFor(format, 'long');
        let read = 0;
        const pcm = await decodeForAnalysis(path, { onRead: (bytes) => (read += bytes) });
        expect(pcm.sampleRate).toBe(ANALYSIS_SAMPLE_RATE);
        expect(Math.abs(pcm.samples.length / pcm.sampleRate - ANALYSIS_SECONDS)).toBeLessThanOrEqual(0.05);
        // A minute of five is a fifth of the file, give or take its headers and the last chunk read.
        expect(read / statSync(path).size).toBeLessThan(0.3);
      });

      it(`says a truncated ${format.name} file is truncated`, async () => {
        const bytes = readFileSync(fileFor(format, 'short'));
        const cut = join(dir, `cut-${slug(format)}.${format.ext}`);
        writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
        await expect(decodeForAnalysis(cut)).rejects.toThrow(AudioDecodeError);
        await expect(decodeForAnalysis(cut)).rejects.toThrow(/truncated|no moov box/);
      });
    }

    // The formats whose frames or pages carry a checksum: a little damage is skipped, a lot refused.
    for (const name of ['FLAC', 'Ogg Vorbis', 'Opus', 'M4A (ALAC)']) {
      it(`skips a few damaged ${name} frames, and refuses a file of them`, async () => {
        const format = FORMATS.find((f) => f.name === name)!;
        const bytes = readFileSync(fileFor(format, 'short'));
        const damaged = (every: number, from: number, to: number) => {
          const copy = Buffer.from(bytes);
          for (let at = Math.floor(copy.length * from); at < copy.length * to; at += every) copy[at]! ^= 0x5a;
          const path = join(dir, `damaged-${every}-${slug(format)}.${format.ext}`);
          writeFileSync(path, copy);
          return path;
        };
        // A few bytes in the middle: the rest decodes, about as long as before.
        const light = await decodeForAnalysis(damaged(97, 0.5, 0.505));
        expect(light.samples.length / light.sampleRate).toBeGreaterThan(SHORT_SECONDS - 1.5);
        // Damage all through: no analysis of noise.
        await expect(decodeForAnalysis(damaged(301, 0.2, 1))).rejects.toThrow(/damaged/);
      });
    }

    it('refuses random bytes under any audio name, naming the file and the format', async () => {
      const noise = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 13) & 0xff));
      for (const ext of ['mp3', 'm4a', 'mp4', 'aac', 'flac', 'ogg', 'oga', 'opus', 'wav', 'aif', 'aiff']) {
        const path = join(dir, `noise.${ext}`);
        writeFileSync(path, noise);
        const error = await decodeForAnalysis(path).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, ext).toBeInstanceOf(AudioDecodeError);
        expect((error as Error).message).toContain(path);
      }
    });
  },
);
