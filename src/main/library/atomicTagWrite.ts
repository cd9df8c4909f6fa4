/**
 * Tag writing that cannot damage a music file. The tags go into a copy beside the file (same folder,
 * so the same disk); the copy is synced, read back (the tags are there, the sound is byte for byte
 * the same), given the file's mode and renamed over it in one step. A crash or a kill at any moment
 * leaves the original or the finished file, never a mix; a copy left behind by a kill is a hidden
 * file that the scanner ignores and removes.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, constants, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { audioPayloadDigest } from './audioPayload.js';
import { readFileTags } from './tagReader.js';
import { TagWriteError, writeTags, type TextTags } from './tagWriter.js';

/** Names of the copies in progress: a dot file, so music players and the scanner pass it by. */
export const WRITE_COPY_PREFIX = '.emotune-write-';

export function isWriteCopy(path: string): boolean {
  return basename(path).startsWith(WRITE_COPY_PREFIX);
}

async function fsyncPath(path: string, flags = 'r'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeTagsAtomically(path: string, tags: TextTags): Promise<void> {
  const before = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new TagWriteError(path, error.code === 'ENOENT' ? 'the file is missing' : error.message, { cause: error });
  });
  const sound = await audioPayloadDigest(path).catch((error: unknown) => {
    throw new TagWriteError(path, `its audio cannot be located (${(error as Error).message})`, { cause: error });
  });
  if (sound === null) throw new TagWriteError(path, 'writing tags into this kind of file is not supported');
  // The copy keeps the name's ending: the tag library picks the format by it.
  const copy = join(dirname(path), `${WRITE_COPY_PREFIX}${randomBytes(6).toString('hex')}-${basename(path)}`);
  try {
    await copyFile(path, copy, constants.COPYFILE_EXCL);
    writeTags(copy, tags);
    await fsyncPath(copy, 'r+');
    if (tags.mood !== undefined) {
      const { moodText } = await readFileTags(copy);
      if ((moodText ?? null) !== tags.mood) throw new TagWriteError(path, `the mood read back as ${JSON.stringify(moodText)}`);
    }
    if ((await audioPayloadDigest(copy)) !== sound) throw new TagWriteError(path, 'the audio changed while writing the tags');
    const now = await stat(path);
    if (now.size !== before.size || now.mtimeMs !== before.mtimeMs) {
      throw new TagWriteError(path, 'another program changed the file meanwhile; try again');
    }
    await chmod(copy, before.mode & 0o7777);
    await rename(copy, path);
  } catch (error) {
    await unlink(copy).catch(() => undefined);
    throw error instanceof TagWriteError ? error : new TagWriteError(path, (error as Error).message, { cause: error });
  }
  // The rename itself must reach the disk, or a power cut could bring back the old name.
  await fsyncPath(dirname(path)).catch(() => undefined);
}
