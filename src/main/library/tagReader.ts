/**
 * Reads what the library keeps from an audio file's tags with music-metadata: title, artist,
 * album, album artist, track and disc number, genre, year, duration, codec, cover presence,
 * ReplayGain, and the mood tag in any of its four spellings. The folders stand in for missing tags:
 * the file's name for the title, its folder for the album, the folder above for the artist (inside
 * the library folder).
 * A file is refused, with the reason in plain words, when it holds no audio a player could decode
 * (see audioProblem).
 */
import { parseFile, type IAudioMetadata, type IRatio } from 'music-metadata';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import type { ReplayGain, TrackDetails, TrackTags } from '../../shared/library.js';
import { ByteSource } from '../audio/byteSource.js';
import { probeAdtsStream } from '../audio/aacDecoder.js';
import { probeMpegStream } from '../audio/mp3Decoder.js';
import { isInside } from './libraryPaths.js';

export const AUDIO_EXTENSIONS = new Set([
  '.mp3',
  '.flac',
  '.ogg',
  '.oga',
  '.opus',
  '.m4a',
  '.mp4',
  '.aac',
  '.wav',
  '.aif',
  '.aiff',
  '.wma',
]);

/**
 * Audio formats Emotune does not play: a scan counts them by extension and says so, instead of
 * passing over them as it does over images and text. Trackers and sequenced music (game music
 * often comes so), chip-music rips, and containers or codecs the player cannot open.
 */
export const UNSUPPORTED_AUDIO_EXTENSIONS = new Set([
  // trackers and sequences
  '.xm',
  '.mod',
  '.it',
  '.s3m',
  '.mptm',
  '.mo3',
  '.669',
  '.med',
  '.mtm',
  '.umx',
  '.mid',
  '.midi',
  '.rmi',
  '.kar',
  // chip and console music rips
  '.spc',
  '.nsf',
  '.nsfe',
  '.gbs',
  '.vgm',
  '.vgz',
  '.gym',
  '.hes',
  '.kss',
  '.ay',
  '.sap',
  '.sid',
  '.psid',
  '.ym',
  '.psf',
  '.minipsf',
  '.psf2',
  '.minipsf2',
  '.2sf',
  '.mini2sf',
  '.gsf',
  '.minigsf',
  '.usf',
  '.miniusf',
  '.ssf',
  '.minissf',
  '.dsf',
  '.dff',
  // other codecs and containers
  '.ape',
  '.wv',
  '.mpc',
  '.tta',
  '.tak',
  '.shn',
  '.ofr',
  '.ac3',
  '.dts',
  '.amr',
  '.au',
  '.snd',
  '.ra',
  '.rm',
  '.caf',
  '.mka',
  '.weba',
  '.spx',
  '.w64',
  '.aifc',
]);

export interface FileTags extends TrackTags, Omit<Required<TrackDetails>, 'coverSource'> {
  /** The MOOD tag text, if the file has one. */
  moodText: string | null;
}

export function isAudioFile(path: string): boolean {
  return AUDIO_EXTENSIONS.has(extname(path).toLowerCase());
}

/** The extension when it names an audio format Emotune does not play, else null. */
export function unsupportedAudioExtension(path: string): string | null {
  const ext = extname(path).toLowerCase();
  return UNSUPPORTED_AUDIO_EXTENSIONS.has(ext) ? ext : null;
}

/** A file that is not music a player could decode; the message says why in plain words. */
export class UnreadableAudio extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreadableAudio';
  }
}

export interface ReadOptions {
  /** The library folder the file lies in: its folders stand in for missing album and artist tags. */
  root?: string;
}

/** Below this many bits per second of claimed duration, the audio data cannot all be there. */
const MIN_PLAUSIBLE_BITRATE = 4000;
/** A stream holding less than this share of the bytes its header promises was cut short. */
const MIN_PROMISED_SHARE = 0.9;

export async function readFileTags(path: string, options: ReadOptions = {}): Promise<FileTags> {
  const [metadata, info] = await Promise.all([
    parseFile(path, { duration: true, skipCovers: false }).catch(describeParseError),
    stat(path),
  ]);
  const problem = await audioProblem(path, metadata, info.size);
  if (problem !== null) throw new UnreadableAudio(problem);
  const { common, format } = metadata;
  const folders = folderTags(path, options.root);
  const artist = common.artist?.trim() || common.albumartist?.trim() || folders.artist;
  return {
    title: common.title?.trim() || basename(path, extname(path)),
    artist,
    album: common.album?.trim() || folders.album,
    albumArtist: common.albumartist?.trim() || '',
    trackNo: positive(common.track.no),
    discNo: positive(common.disk.no),
    genre: common.genre?.map((g) => g.trim()).find((g) => g !== '') ?? '',
    year: common.year !== undefined && Number.isInteger(common.year) && common.year > 0 && common.year < 10_000 ? common.year : null,
    durationSec: format.duration!,
    codec: format.codec ?? format.container ?? null,
    hasCover: (common.picture?.length ?? 0) > 0,
    replayGain: replayGainOf(metadata),
    moodText: findMood(metadata) ?? null,
  };
}

/** Gains beyond this many dB either way, and peaks above this amplitude, are no tagger's: left out. */
const MAX_GAIN_DB = 60;
const MAX_PEAK = 100;

/**
 * REPLAYGAIN_TRACK_GAIN, _TRACK_PEAK, _ALBUM_GAIN and _ALBUM_PEAK, which music-metadata maps from ID3v2
 * TXXX frames, Vorbis comments, APE and MP4 freeform atoms into `common`, each as a ratio with its
 * value in dB ("-6.5 dB" reads as dB -6.5; a peak, "0.98", as ratio 0.98). Null when neither gain is there.
 */
export function replayGainOf(metadata: IAudioMetadata): ReplayGain | null {
  const { common } = metadata;
  const gain = (r: IRatio | undefined) => (r && Number.isFinite(r.dB) && Math.abs(r.dB) <= MAX_GAIN_DB ? round(r.dB) : null);
  const peak = (r: IRatio | undefined) => (r && Number.isFinite(r.ratio) && r.ratio >= 0 && r.ratio <= MAX_PEAK ? round(r.ratio) : null);
  const replayGain = {
    trackGainDb: gain(common.replaygain_track_gain),
    trackPeak: peak(common.replaygain_track_peak),
    albumGainDb: gain(common.replaygain_album_gain),
    albumPeak: peak(common.replaygain_album_peak),
  };
  return replayGain.trackGainDb === null && replayGain.albumGainDb === null ? null : replayGain;
}

/** Six decimals: what the tags hold, without the float noise of the dB conversion. */
function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/**
 * What the folders say where tags are missing: the file's folder names the album, and the folder
 * above it the artist, each only if it lies inside the library folder. The library folder's own
 * name is never taken for a tag: it is most often just "Music".
 */
export function folderTags(path: string, root: string | undefined): { album: string; artist: string } {
  if (root === undefined) return { album: '', artist: '' };
  const folder = dirname(path);
  const parent = dirname(folder);
  return { album: isInside(folder, root) ? basename(folder) : '', artist: isInside(parent, root) ? basename(parent) : '' };
}

function positive(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

/** music-metadata's failures, said the way a listener would understand them (a missing file stays ENOENT). */
function describeParseError(error: unknown): never {
  if ((error as NodeJS.ErrnoException).code !== undefined) throw error;
  const { name, message } = error as Error;
  if (name === 'CouldNotDetermineFileTypeError' || name === 'UnsupportedFileTypeError') {
    throw new UnreadableAudio('not an audio file', { cause: error });
  }
  if (/^ID3v2 .*exceeds remaining/.test(message)) throw new UnreadableAudio('the file ends before any audio', { cause: error });
  if (name === 'EndOfStreamError' || /exceeds remaining|end of (the )?(file|stream)/i.test(message)) {
    throw new UnreadableAudio('the file is cut short (a truncated copy?)', { cause: error });
  }
  throw new UnreadableAudio(`cannot read it as audio: ${message}`, { cause: error });
}

/**
 * Why a file that music-metadata parsed is still no music, or null: no audio stream, a length of
 * nothing, an MPEG file whose frames are not there (random bytes named .mp3 parse as MPEG) or are
 * fewer than its header promises, the same for raw AAC (ADTS), a file far too small for the length
 * it claims. It reads at most the first 64 KB once more, and only for MPEG and ADTS files: the other
 * containers' headers, which music-metadata has read already, say enough.
 */
export async function audioProblem(path: string, metadata: IAudioMetadata, size: number): Promise<string | null> {
  const { format } = metadata;
  if (format.hasAudio === false || (format.container === undefined && format.codec === undefined)) return 'not an audio file';
  const duration = format.duration;
  if (format.container === 'MPEG') {
    const probe = await withSource(path, probeMpegStream);
    if (probe.kind === 'none') return 'not an audio file (no MPEG audio frames in it)';
    if (probe.kind === 'cut') return 'the file ends before any audio';
    if (probe.promisedBytes !== null && duration !== undefined && size < MIN_PROMISED_SHARE * probe.promisedBytes) {
      const held = duration * ((size - probe.firstFrame) / probe.promisedBytes);
      return `the file ends after about ${clock(held)} of the ${clock(duration)} its header promises (a truncated copy?)`;
    }
  } else if (format.container?.startsWith('ADTS')) {
    // Random bytes pass for ADTS as easily as for MPEG.
    const probe = await withSource(path, probeAdtsStream);
    if (probe === 'none') return 'not an audio file (no AAC audio frames in it)';
    if (probe === 'cut') return 'the file ends before any audio';
  }
  if (duration === undefined || !Number.isFinite(duration) || duration <= 0) return 'the file holds no audio';
  // A header can promise minutes of audio that a cut-off file no longer holds.
  if ((size * 8) / duration < MIN_PLAUSIBLE_BITRATE) {
    return `the file is cut short: ${size} bytes cannot hold the ${clock(duration)} of audio it claims (a truncated copy?)`;
  }
  return null;
}

async function withSource<T>(path: string, probe: (source: ByteSource) => Promise<T>): Promise<T> {
  const source = await ByteSource.open(path);
  try {
    return await probe(source);
  } finally {
    await source.close();
  }
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * ID3v2.4 TMOO, Vorbis MOOD and MP4 ----:com.apple.iTunes:MOOD arrive as common.mood;
 * ID3v2.3 has no mood frame, and taggers write TXXX:MOOD, which only the native tags hold.
 */
function findMood(metadata: IAudioMetadata): string | undefined {
  const common = metadata.common.mood?.trim();
  if (common) return common;
  for (const tags of Object.values(metadata.native)) {
    for (const tag of tags) {
      if (/^TXXX:mood$/i.test(tag.id) || /^mood$/i.test(tag.id)) {
        const value = typeof tag.value === 'string' ? tag.value : (tag.value as { text?: string } | undefined)?.text;
        if (value?.trim()) return value.trim();
      }
    }
  }
  return undefined;
}
