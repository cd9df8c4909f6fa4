/**
 * What the audio and cover endpoints may serve: library tracks by id, and nothing else. A URL
 * names a track id, never a path, and the track's real path must still lie inside a library folder;
 * so must the real path of a cover image beside it.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { parseFile } from 'music-metadata';
import { imageType } from './coverImage.js';
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
  const track = store.tracks.get(Number(idSegment));
  if (!track) return null;
  const path = await realPathInLibrary(
    track.path,
    store.folders.list().map((f) => f.path),
  );
  if (path === null) return null;
  return { path, contentType: AUDIO_TYPES[extname(track.path).toLowerCase()] ?? 'application/octet-stream' };
}

/** The first embedded picture of a track, if it has one: the picture as it is, never scaled or cropped. */
export async function readCover(path: string): Promise<{ data: Uint8Array; contentType: string } | null> {
  const { common } = await parseFile(path, { skipPostHeaders: true });
  const picture = common.picture?.[0];
  return picture ? { data: picture.data, contentType: picture.format || 'image/jpeg' } : null;
}

/** A cover image beside the music larger than this is not served (a poster scan, say). */
const MAX_COVER_BYTES = 32 * 1024 * 1024;

/**
 * A track's cover art: its embedded picture first, else the cover image the scan found in its
 * folder, served only if that image's real path (links resolved) lies inside a library folder and
 * it is a JPEG or PNG. `trackPath` is the track's real path, already checked.
 */
export async function trackCover(
  store: LibraryStore,
  trackId: number,
  trackPath: string,
): Promise<{ data: Uint8Array; contentType: string } | null> {
  const source = store.tracks.coverOf(trackId);
  if (!source) return null;
  if (source.embedded) {
    const embedded = await readCover(trackPath).catch(() => null);
    if (embedded) return embedded;
  }
  if (source.folderImage === null) return null;
  const real = await realPathInLibrary(
    source.folderImage,
    store.folders.list().map((f) => f.path),
  );
  if (real === null) return null;
  const info = await stat(real).catch(() => undefined);
  if (!info?.isFile() || info.size > MAX_COVER_BYTES) return null;
  const data = await readFile(real).catch(() => null);
  const contentType = data && imageType(data);
  return data && contentType ? { data, contentType } : null;
}

/** What a media request gets, whichever transport carries it. */
export interface MediaResponse {
  status: number;
  headers: Record<string, string>;
  /** The bytes to send; none for errors and HEAD requests. */
  body: Readable | Uint8Array | null;
}

const text = (status: number, message: string): MediaResponse => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: Buffer.from(message),
});

/**
 * The one place that serves library audio (with byte ranges, so the player can seek) and cover
 * art, by track id, for both the browser-mode server and the desktop app's media protocol.
 */
export async function mediaResponse(
  store: LibraryStore,
  kind: 'track' | 'cover',
  idSegment: string,
  request: { method: string; range?: string | null },
): Promise<MediaResponse> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'only GET and HEAD');
  const media = await resolveMedia(store, idSegment);
  if (!media) return text(404, 'not a library track');
  const head = request.method === 'HEAD';
  if (kind === 'cover') {
    const cover = await trackCover(store, Number(idSegment), media.path).catch(() => null);
    if (!cover) return { status: 404, headers: {}, body: null };
    const headers = { 'content-type': cover.contentType, 'content-length': String(cover.data.byteLength), 'cache-control': 'no-cache' };
    return { status: 200, headers, body: head ? null : cover.data };
  }
  const info = await stat(media.path).catch(() => undefined);
  if (!info?.isFile()) return text(404, 'the file is missing');
  const headers: Record<string, string> = { 'content-type': media.contentType, 'accept-ranges': 'bytes', 'cache-control': 'no-cache' };
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.range ?? '');
  let start = 0;
  let end = info.size - 1;
  let status = 200;
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, info.size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
    if (start > end || start >= info.size) return { status: 416, headers: { 'content-range': `bytes */${info.size}` }, body: null };
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${info.size}`;
  }
  headers['content-length'] = String(end - start + 1);
  return { status, headers, body: head ? null : createReadStream(media.path, { start, end }) };
}
