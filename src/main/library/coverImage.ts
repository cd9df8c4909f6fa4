/**
 * Cover images beside the music: which names count (cover, folder, front; .jpg, .jpeg, .png, in any
 * case), and whether a file's bytes are a JPEG or PNG at all.
 */
import { open } from 'node:fs/promises';

/** The names a folder's cover image goes by, best first: cover, folder, front; JPEG before PNG. */
const COVER_NAMES = ['cover', 'folder', 'front'];
const COVER_TYPES = ['.jpg', '.jpeg', '.png'];

export function coverRank(name: string): number {
  const match = /^(.*)(\.[^.]*)$/.exec(name.toLowerCase());
  if (!match) return -1;
  const base = COVER_NAMES.indexOf(match[1]!);
  const type = COVER_TYPES.indexOf(match[2]!);
  return base < 0 || type < 0 ? -1 : base * COVER_TYPES.length + type;
}

/** Whether the file starts as a JPEG or a PNG does: a cover.jpg that is not an image is no cover. */
export async function looksLikeImage(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8), 0, 8, 0);
    return imageType(buffer.subarray(0, bytesRead)) !== null;
  } finally {
    await handle.close();
  }
}

/** The content type of JPEG or PNG bytes, from their first bytes; null for anything else. */
export function imageType(head: Uint8Array): 'image/jpeg' | 'image/png' | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && Buffer.from(head.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  return null;
}
