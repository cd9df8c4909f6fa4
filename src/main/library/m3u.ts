/** M3U / M3U8 playlists: read paths (relative, absolute or file:// URLs) and write extended M3U. */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Track } from '../../shared/library.js';

export async function readM3u(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the playlist ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
    });
  }
  const base = dirname(path);
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
      out.push(isAbsolute(line) ? line : resolve(base, line.replace(/\\/g, '/')));
    }
  }
  return out;
}

export async function writeM3u(path: string, tracks: readonly Track[]): Promise<void> {
  const lines = ['#EXTM3U'];
  for (const t of tracks) {
    lines.push(`#EXTINF:${Math.round(t.durationSec ?? -1)},${t.artist ? `${t.artist} - ` : ''}${t.title}`.replace(/[\r\n]/g, ' '));
    lines.push(t.path);
  }
  await writeFile(path, `${lines.join('\n')}\n`, 'utf8');
}
