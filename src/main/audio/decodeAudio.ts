/**
 * Decodes an audio file to mono PCM at ANALYSIS_SAMPLE_RATE for the mood analysis, in-process: the
 * container is told by its first bytes (by the file's extension where they say nothing), and only
 * as much of the file is read as the first ANALYSIS_SECONDS of sound take. ffmpeg, where it is
 * installed, is the last resort for what no in-process decoder reads (WMA).
 */
import { extname } from 'node:path';
import { decodeAdts, loadAacBackend, readAdtsFile } from './aacDecoder.js';
import { ANALYSIS_SECONDS, AudioDecodeError, BadAudio, MonoCollector } from './analysisAudio.js';
import { Underflow } from './bitReader.js';
import { ByteSource } from './byteSource.js';
import { decodeWithFfmpeg, ffmpegAvailable } from './ffmpegDecoder.js';
import { decodeFlacFile } from './flacDecoder.js';
import { decodeMp3File } from './mp3Decoder.js';
import { UnsupportedCodec } from './mp4Demuxer.js';
import { decodeMp4File } from './mp4Decoder.js';
import { decodeOggFile } from './oggDecoder.js';
import { decodePcmFile } from './pcmFile.js';
import type { PcmAudio } from './wav.js';

export { ANALYSIS_SAMPLE_RATE, ANALYSIS_SECONDS, AudioDecodeError } from './analysisAudio.js';

/** Raised when the estimate itself changes, so that estimates that failed are tried again. */
export const ESTIMATOR_VERSION = 2;

/** Raised when the in-process decoders change what they read. */
const DECODERS_VERSION = 2;

type Container = 'wav' | 'aiff' | 'flac' | 'ogg' | 'mp4' | 'mp3' | 'adts' | 'asf';

const FORMAT_NAMES: Record<Container, string> = {
  wav: 'WAV',
  aiff: 'AIFF',
  flac: 'FLAC',
  ogg: 'Ogg',
  mp4: 'MP4/M4A',
  mp3: 'MP3',
  adts: 'AAC (ADTS)',
  asf: 'WMA',
};

const BY_EXTENSION: Record<string, Container> = {
  '.wav': 'wav',
  '.aif': 'aiff',
  '.aiff': 'aiff',
  '.flac': 'flac',
  '.ogg': 'ogg',
  '.oga': 'ogg',
  '.opus': 'ogg',
  '.m4a': 'mp4',
  '.mp4': 'mp4',
  '.mp3': 'mp3',
  '.aac': 'adts',
  '.wma': 'asf',
};

/**
 * What this process can decode, as a short word: a failed estimate records it, and a track whose
 * estimate failed under other means (a new decoder, ffmpeg installed since, a new estimator) is
 * tried again.
 */
export function decoderSignature(): string {
  const aac = loadAacBackend() instanceof Error ? '' : ' aac';
  const ffmpeg = ffmpegAvailable() ? ' + ffmpeg' : '';
  return `estimator ${ESTIMATOR_VERSION}, decoders ${DECODERS_VERSION}: wav aiff flac alac mp3 vorbis opus${aac}${ffmpeg}`;
}

const ASF_GUID = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');

/** The container, from the file's first bytes; null where they are none this knows. */
async function sniff(source: ByteSource): Promise<{ container: Container; start: number } | null> {
  let start = 0;
  for (;;) {
    const head = await source.read(start, 10);
    if (head.length < 10 || head.toString('latin1', 0, 3) !== 'ID3') break;
    const size = ((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f);
    start += 10 + size + (head[5]! & 0x10 ? 10 : 0);
  }
  const b = await source.read(start, 16);
  const text = (from: number, to: number) => b.toString('latin1', from, to);
  if (b.length < 4) return null;
  if ((text(0, 4) === 'RIFF' || text(0, 4) === 'RF64') && text(8, 12) === 'WAVE') return { container: 'wav', start };
  if (text(0, 4) === 'FORM' && (text(8, 12) === 'AIFF' || text(8, 12) === 'AIFC')) return { container: 'aiff', start };
  if (text(0, 4) === 'fLaC') return { container: 'flac', start };
  if (text(0, 4) === 'OggS') return { container: 'ogg', start };
  if (['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide'].includes(text(4, 8))) return { container: 'mp4', start };
  if (b.length >= 16 && b.equals(ASF_GUID)) return { container: 'asf', start };
  if (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0) return { container: (b[1]! & 0x06) === 0 ? 'adts' : 'mp3', start };
  return null;
}

async function decodeIn(source: ByteSource, container: Container, start: number): Promise<PcmAudio> {
  switch (container) {
    case 'wav':
    case 'aiff':
      return decodePcmFile(source, container);
    case 'flac':
      return decodeFlacFile(source);
    case 'ogg':
      return decodeOggFile(source);
    case 'mp4':
      return decodeMp4File(source);
    case 'mp3':
      return decodeMp3File(source);
    case 'adts': {
      const { adts, config } = await readAdtsFile(source, start, ANALYSIS_SECONDS);
      const collector = new MonoCollector(config.sampleRate);
      collector.push(await decodeAdts(adts, config.sampleRate));
      return collector.finish();
    }
    case 'asf':
      throw new UnsupportedCodec('WMA');
  }
}

export interface DecodeOptions {
  /** Told the size of every read from the file, as it happens. */
  onRead?: (bytes: number) => void;
}

/** The first ANALYSIS_SECONDS of a file as mono audio at ANALYSIS_SAMPLE_RATE. */
export async function decodeForAnalysis(path: string, options: DecodeOptions = {}): Promise<PcmAudio> {
  let source: ByteSource;
  try {
    source = await ByteSource.open(path, options.onRead);
  } catch (error) {
    throw new AudioDecodeError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const ext = extname(path).toLowerCase();
  const named = BY_EXTENSION[ext];
  let format = named ? FORMAT_NAMES[named] : ext ? ext.slice(1).toUpperCase() : 'audio';
  try {
    const sniffed = await sniff(source);
    const container = sniffed?.container ?? named;
    if (!container) throw new UnsupportedCodec(`a ${ext || 'nameless'} file of no format this knows`);
    format = FORMAT_NAMES[container];
    if (source.size === 0) throw new BadAudio('the file is empty');
    return await decodeIn(source, container, sniffed?.start ?? 0);
  } catch (error) {
    if (error instanceof UnsupportedCodec) {
      if (ffmpegAvailable()) return await decodeWithFfmpeg(path, format);
      throw new AudioDecodeError(
        `cannot decode ${path} (${format}): ${error.message} is not decoded in-process, and ffmpeg is not installed; tag the track's mood instead`,
        { cause: error },
      );
    }
    if (error instanceof BadAudio || error instanceof Underflow) {
      throw new AudioDecodeError(`cannot decode ${path} as ${format}: ${error.message}`, { cause: error });
    }
    // A decoder's own failure (a WASM trap, say) or the file system's: still the file's problem, not a crash.
    throw new AudioDecodeError(`cannot decode ${path} as ${format}: ${(error as Error).message ?? String(error)}`, { cause: error });
  } finally {
    await source.close();
  }
}
