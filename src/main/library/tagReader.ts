/**
 * Reads what the library keeps from an audio file's tags with music-metadata: title, artist,
 * album, duration, codec, cover presence, and the mood tag in any of its four spellings.
 */
import { parseFile } from 'music-metadata';
import { stat } from 'node:fs/promises';
import type { TrackTags } from '../../shared/library.js';
import { basename, extname } from 'node:path';

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

export interface FileTags extends TrackTags {
  /** The MOOD tag text, if the file has one. */
  moodText: string | null;
}

export function isAudioFile(path: string): boolean {
  return AUDIO_EXTENSIONS.has(extname(path).toLowerCase());
}

/** Below this many bits per second of claimed duration, the audio data cannot all be there. */
const MIN_PLAUSIBLE_BITRATE = 4000;

export async function readFileTags(path: string): Promise<FileTags> {
  const [metadata, info] = await Promise.all([parseFile(path, { duration: true, skipCovers: false }), stat(path)]);
  const { common, format } = metadata;
  const duration = format.duration;
  if (duration === undefined && !common.title && format.codec === undefined) {
    throw new Error('no audio stream or tags found');
  }
  // A header can promise minutes of audio that a cut-off file no longer holds.
  if (duration !== undefined && duration > 0 && (info.size * 8) / duration < MIN_PLAUSIBLE_BITRATE) {
    throw new Error(`the file looks truncated: ${info.size} bytes for ${duration.toFixed(1)} s of audio`);
  }
  return {
    title: common.title?.trim() || basename(path, extname(path)),
    artist: common.artist?.trim() || common.albumartist?.trim() || '',
    album: common.album?.trim() || '',
    durationSec: duration !== undefined && Number.isFinite(duration) ? duration : null,
    codec: format.codec ?? format.container ?? null,
    hasCover: (common.picture?.length ?? 0) > 0,
    moodText: findMood(metadata) ?? null,
  };
}

/**
 * ID3v2.4 TMOO, Vorbis MOOD and MP4 ----:com.apple.iTunes:MOOD arrive as common.mood;
 * ID3v2.3 has no mood frame, and taggers write TXXX:MOOD, which only the native tags hold.
 */
function findMood(metadata: Awaited<ReturnType<typeof parseFile>>): string | undefined {
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
