/**
 * M3U / M3U8 playlists as text: the renderer uploads a playlist's content and downloads the export,
 * so no path to a playlist file ever comes from it. Entries are relative, absolute or file:// URLs.
 */
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Track } from '../../shared/library.js';

/** One file entry of a playlist, with what its #EXTINF line said of it. */
export interface M3uEntry {
  path: string;
  /** The #EXTINF title ("Artist - Title" as most players write it), or null. */
  title: string | null;
  /** The #EXTINF length in seconds, or null where it is missing or -1 (unknown). */
  durationSec: number | null;
}

/**
 * The file entries of a playlist, in order: comments, blank lines and streams dropped, file:// URLs
 * turned into paths; relative entries resolved against `base`, or kept relative (with forward
 * slashes) when there is none.
 */
export function parseM3u(text: string, base?: string): string[] {
  return parseM3uEntries(text, base).map((e) => e.path);
}

/** parseM3u's entries, each with the title and length of the #EXTINF line before it. */
export function parseM3uEntries(text: string, base?: string): M3uEntry[] {
  const out: M3uEntry[] = [];
  let info: { title: string | null; durationSec: number | null } | null = null;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const extinf = /^#EXTINF:\s*(-?\d+(?:\.\d+)?)[^,]*,(.*)$/i.exec(line);
      if (extinf) {
        const seconds = Number(extinf[1]);
        info = { title: extinf[2]!.trim() || null, durationSec: seconds > 0 ? seconds : null };
      }
      continue;
    }
    const path = entryPath(line, base);
    if (path !== null) out.push({ path, title: info?.title ?? null, durationSec: info?.durationSec ?? null });
    // An #EXTINF belongs to the entry after it, even one (a stream) that is dropped.
    info = null;
  }
  return out;
}

function entryPath(line: string, base: string | undefined): string | null {
  if (/^file:\/\//i.test(line)) {
    try {
      return fileURLToPath(line);
    } catch {
      // A malformed URL names no file we could play.
      return null;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(line)) return null;
  const entry = line.replace(/\\/g, '/');
  return isAbsolute(line) ? line : base === undefined ? entry : resolve(base, entry);
}

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- these are the characters to keep out
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

/** One line pair of an extended M3U: the file and what #EXTINF says of it. */
export interface M3uItem {
  path: string;
  /** The #EXTINF title; the file's name when null. */
  label: string | null;
  durationSec: number | null;
}

/** Extended M3U for the tracks (see formatM3uItems). */
export function formatM3u(tracks: readonly Track[]): string {
  return formatM3uItems(
    tracks.map((t) => ({ path: t.path, label: `${t.artist ? `${t.artist} - ` : ''}${t.title}`, durationSec: t.durationSec })),
  );
}

/**
 * Extended M3U for the items. No line carries a control character: a title's become spaces, and a
 * path that holds one (a newline in a file name could start a line of its own) is written as a
 * file:// URL, which escapes it (a relative one, as a relative URL, percent-encoded).
 */
export function formatM3uItems(items: readonly M3uItem[]): string {
  const lines = ['#EXTM3U'];
  for (const item of items) {
    const label = item.label ?? basename(item.path, extname(item.path));
    lines.push(`#EXTINF:${Math.round(item.durationSec ?? -1)},${label}`.replace(CONTROLS, ' '));
    lines.push(!CONTROL.test(item.path) ? item.path : isAbsolute(item.path) ? pathToFileURL(item.path).href : encodeURI(item.path));
  }
  return `${lines.join('\n')}\n`;
}
