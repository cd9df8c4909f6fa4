/**
 * What the audio and cover endpoints may serve: library tracks by id, and nothing else. A URL
 * names a track id, never a path, and the track's real path must still lie inside a library folder.
 */
import { extname } from 'node:path';
import { parseFile } from 'music-metadata';
import { realPathInLibrary } from './libraryPaths.js';
import type { LibraryStore } from './libraryStore.js';

const AUDIO_TYPES: Record<string, string> = {
  '.mp3': 'audio/mpeg',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.m4a': 'audio/mp4',
  '.mp4': 'audio/mp4',
  '.aac': 'audio/aac',
  '.wav': 'audio/wav',
  '.aif': 'audio/aiff',
  '.aiff': 'audio/aiff',
  '.wma': 'audio/x-ms-wma',
};

export interface MediaFile {
  path: string;
  contentType: string;
}

/**
 * The file behind a media URL's id segment, or null for anything that is not a library track. The
 * path returned is the real one, checked by the library's one rule (libraryPaths.ts).
 */
export async function resolveMedia(store: LibraryStore, idSegment: string): Promise<MediaFile | null> {
  if (!/^[1-9]\d{0,15}$/.test(idSegment)) return null;
  const track = store.getTrack(Number(idSegment));
  if (!track) return null;
  const path = await realPathInLibrary(
    track.path,
    store.listFolders().map((f) => f.path),
  );
  if (path === null) return null;
  return { path, contentType: AUDIO_TYPES[extname(track.path).toLowerCase()] ?? 'application/octet-stream' };
}

/** The first embedded picture of a track, if it has one. */
export async function readCover(path: string): Promise<{ data: Uint8Array; contentType: string } | null> {
  const { common } = await parseFile(path, { skipPostHeaders: true });
  const picture = common.picture?.[0];
  return picture ? { data: picture.data, contentType: picture.format || 'image/jpeg' } : null;
}
