/**
 * M3U / M3U8 playlists as text: the renderer uploads a playlist's content and downloads the export,
 * so no path to a playlist file ever comes from it. Entries are relative, absolute or file:// URLs.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Track } from '../../shared/library.js';

/**
 * The file entries of a playlist, in order: comments, blank lines and streams dropped, file:// URLs
 * turned into paths; relative entries resolved against `base`, or kept relative (with forward
 * slashes) when there is none.
 */
export function parseM3u(text: string, base?: string): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (/^file:\/\//i.test(line)) {
      try {
        out.push(fileURLToPath(line));
      } catch {
        // A malformed URL names no file we could play.
      }
    } else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(line)) {
      const entry = line.replace(/\\/g, '/');
      out.push(isAbsolute(line) ? line : base === undefined ? entry : resolve(base, entry));
    }
  }
  return out;
}

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- these are the characters to keep out
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

/**
 * Extended M3U for the tracks. No line carries a control character: a title's become spaces, and a
 * path that holds one (a newline in a file name could start a line of its own) is written as a
 * file:// URL, which escapes it.
 */
export function formatM3u(tracks: readonly Track[]): string {
  const lines = ['#EXTM3U'];
  for (const t of tracks) {
    lines.push(`#EXTINF:${Math.round(t.durationSec ?? -1)},${t.artist ? `${t.artist} - ` : ''}${t.title}`.replace(CONTROLS, ' '));
    lines.push(CONTROL.test(t.path) ? pathToFileURL(t.path).href : t.path);
  }
  return `${lines.join('\n')}\n`;
}
