/**
 * The one rule for which files Emotune may read or write for the library: a file belongs to the
 * library only if its real path (every symlink resolved) lies inside the real path of a library
 * folder. The scanner, the media endpoints of both transports and tag writing all ask here, so a
 * link inside a music folder cannot lead them to a file outside it.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';

/** True when `path` is strictly inside `folder` (both already resolved). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The file's real path if it lies inside one of the folders' real paths, else null (also for a missing file). */
export async function realPathInLibrary(path: string, folders: readonly string[]): Promise<string | null> {
  const real = await realpath(path).catch(() => null);
  if (real === null) return null;
  for (const folder of folders) {
    const root = await realpath(folder).catch(() => null);
    if (root !== null && isInside(real, root)) return real;
  }
  return null;
}
