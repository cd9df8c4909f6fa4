/**
 * A small file rewritten atomically or not at all: the text goes to a new file beside it, is synced,
 * and is renamed over the old one in one step, so that a crash at any moment leaves the old file or
 * the new one, never half of either.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export async function writeFileAtomically(path: string, text: string, mode = 0o600): Promise<void> {
  const target = resolve(path);
  const folder = dirname(target);
  await mkdir(folder, { recursive: true });
  const temporary = join(folder, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 'wx': never follows or reuses a file that is already there.
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  // The rename itself must reach the disk, or a power cut could bring the old file back. Folders
  // cannot be opened for syncing on Windows: there the rename is as durable as NTFS makes it.
  if (process.platform !== 'win32') {
    const dir = await open(folder, 'r').catch(() => undefined);
    await dir?.sync().catch(() => undefined);
    await dir?.close();
  }
}
