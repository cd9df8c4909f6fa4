/**
 * Scans a library folder: lists audio files, reads the new and changed ones (by size and mtime),
 * and removes the vanished ones. Writes go in batches, one transaction each, so a crash or a
 * kill loses at most the batch in flight, and the next scan carries on from what was committed.
 * A file that is no music (it cannot be read, or holds no audio) is recorded with the reason and
 * skipped; files of audio formats Emotune cannot play are counted by extension. The cover image
 * of each folder (cover.jpg, folder.jpg, front.jpg or .png) is noted as the listing passes it.
 */
import { lstat, opendir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ScanProgress } from '../../shared/library.js';
import { moodFromTag } from '../../shared/mood.js';
import type { LibraryStore } from './libraryStore.js';
import type { MoodRecord, TrackRecord } from './store/trackStore.js';
import { folderTags, isAudioFile, readFileTags, unsupportedAudioExtension } from './tagReader.js';
import { isWriteCopy } from './atomicTagWrite.js';
import { coverRank, looksLikeImage } from './coverImage.js';
import { realPathInLibrary } from './libraryPaths.js';

export interface ScanOptions {
  batchSize?: number;
  onProgress?: (progress: ScanProgress) => void;
  /** Minimum time between progress reports, except the first and last. */
  progressIntervalMs?: number;
}

interface ListedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export class ScanError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScanError';
  }
}

/** Confidence given to a mood that a person wrote into the file's tags. */
export const FILE_TAG_CONFIDENCE = 0.9;

export function fileMoodFromTag(text: string | null): MoodRecord | null {
  if (!text) return null;
  // An unknown word is kept as raw text with no mood, so the UI can show it and the user can fix it.
  return { mood: moodFromTag(text) ?? null, confidence: FILE_TAG_CONFIDENCE, raw: text };
}

export async function scanFolder(
  store: LibraryStore,
  folderId: number,
  folderPath: string,
  options: ScanOptions = {},
): Promise<ScanProgress> {
  const batchSize = options.batchSize ?? 50;
  const progress = startProgress(folderPath);
  let lastReport = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - lastReport < (options.progressIntervalMs ?? 100)) return;
    lastReport = now;
    options.onProgress?.({ ...progress });
  };
  report(true);

  let listed: ListedFile[];
  const skipped: Required<Skipped> = { unreadable: [], outside: [], badNames: [], unsupported: {} };
  const covers = new Map<string, string>();
  try {
    listed = await listAudioFiles(folderPath, skipped, covers);
  } catch (error) {
    progress.phase = 'failed';
    progress.message = `cannot read the folder ${folderPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    report(true);
    throw new ScanError(progress.message, { cause: error });
  }
  progress.unsupported = skipped.unsupported;
  const coverOf = (path: string) => covers.get(dirname(path)) ?? null;

  const stored = store.tracks.filesInFolder(folderId);
  // A folder that held music and now has no audio file at all is most often a drive that is not
  // connected, its mount point left behind: its songs are kept (not removed) until files come back
  // or the listener removes the folder.
  if (listed.length === 0 && stored.size > 0 && Object.keys(skipped.unsupported).length === 0) {
    progress.phase = 'failed';
    progress.message =
      `the folder ${folderPath} has no music in it now; if it is on a drive that is not connected, ` +
      `connect it and scan again. Its ${stored.size} songs are kept`;
    report(true);
    throw new ScanError(progress.message);
  }
  const seen = new Set(listed.map((f) => f.path));
  const changed = listed.filter((f) => {
    const s = stored.get(f.path);
    return !s || s.size !== f.size || s.mtimeMs !== f.mtimeMs;
  });
  // An unchanged file whose folder gained, lost or changed its cover image.
  const coverChanged = listed.flatMap((f) => {
    const s = stored.get(f.path);
    return s && s.size === f.size && s.mtimeMs === f.mtimeMs && s.coverPath !== coverOf(f.path)
      ? [{ id: s.id, cover: coverOf(f.path) }]
      : [];
  });
  if (coverChanged.length > 0) store.transaction(() => coverChanged.forEach(({ id, cover }) => store.tracks.setCoverPath(id, cover)));
  progress.phase = 'reading';
  progress.total = changed.length;
  report(true);

  const flush = (batch: { record: TrackRecord; mood: MoodRecord | null }[]) =>
    store.transaction(() => {
      for (const { record, mood } of batch) store.tracks.upsert(folderId, record, mood);
    });
  let batch: { record: TrackRecord; mood: MoodRecord | null }[] = [];
  for (const file of changed) {
    progress.current = file.path;
    const isNew = !stored.has(file.path);
    try {
      const tags = await readFileTags(file.path, { root: folderPath });
      batch.push({
        record: { path: file.path, size: file.size, mtimeMs: file.mtimeMs, ...tags, coverPath: coverOf(file.path), error: null },
        mood: fileMoodFromTag(tags.moodText),
      });
      if (isNew) progress.added++;
      else progress.updated++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        // Vanished between listing and reading: treat it as removed.
        seen.delete(file.path);
      } else {
        progress.failed++;
        batch.push({
          record: {
            path: file.path,
            size: file.size,
            mtimeMs: file.mtimeMs,
            // The whole name, so the listener can find the file that is no music.
            title: basename(file.path),
            ...folderTags(file.path, folderPath),
            durationSec: null,
            codec: null,
            hasCover: false,
            coverPath: coverOf(file.path),
            error: (error as Error).message || 'unreadable audio file',
          },
          mood: null,
        });
      }
    }
    progress.done++;
    if (batch.length >= batchSize) {
      flush(batch);
      batch = [];
    }
    report();
  }
  if (batch.length > 0) flush(batch);

  progress.phase = 'removing';
  progress.current = null;
  const gone = [...stored.entries()].filter(([path]) => !seen.has(path)).map(([, s]) => s.id);
  if (gone.length > 0) store.transaction(() => store.tracks.delete(gone));
  progress.removed = gone.length;

  store.folders.setUnsupported(folderId, skipped.unsupported);

  progress.phase = 'done';
  const { unreadable, outside, badNames } = skipped;
  const notes = [];
  const formats = Object.entries(skipped.unsupported).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (formats.length > 0) {
    const total = formats.reduce((sum, [, n]) => sum + n, 0);
    notes.push(`${total} file(s) in formats Emotune cannot play were left out: ${formats.map(([ext, n]) => `${ext} ${n}`).join(', ')}`);
  }
  if (unreadable.length > 0) notes.push(`could not read ${unreadable.length} sub-folder(s), e.g. ${unreadable[0]}`);
  if (outside.length > 0) notes.push(`skipped ${outside.length} link(s) to files outside the folder, e.g. ${outside[0]}`);
  if (badNames.length > 0) {
    notes.push(`${badNames.length} name(s) are not valid UTF-8 and cannot be read (rename them), e.g. ${badNames[0]}`);
  }
  if (notes.length > 0) progress.message = notes.join('; ');
  report(true);
  return progress;
}

/** A scan of `folder` that has not read anything yet. */
export function startProgress(folder: string): ScanProgress {
  return { folder, phase: 'listing', done: 0, total: 0, current: null, added: 0, updated: 0, removed: 0, failed: 0, unsupported: {} };
}

/** A tag write's copy that a crash or kill left behind (a live write finishes within seconds). */
async function removeStaleWriteCopy(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (info?.isFile() && Date.now() - info.mtimeMs > 10 * 60_000) await unlink(path).catch(() => undefined);
}

/** What a listing skipped, for the scan's message. */
export interface Skipped {
  unreadable: string[];
  outside: string[];
  /** Names that are not valid UTF-8: Node cannot name such a file to open it. */
  badNames: string[];
  /** Files of audio formats Emotune cannot play, by extension. */
  unsupported?: Record<string, number>;
}

/**
 * Audio files under a folder, recursively, sorted; unreadable sub-folders, names that are not UTF-8
 * and links leading outside the folder are noted in `skipped` and left out, and so are files of
 * audio formats Emotune cannot play, counted by extension. `covers` gets each folder's cover image
 * (a JPEG or PNG named cover, folder or front, whose real path is inside the folder scanned).
 */
export async function listAudioFiles(
  root: string,
  skipped: Skipped = { unreadable: [], outside: [], badNames: [] },
  covers: Map<string, string> = new Map(),
): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  const pending = [root];
  const unsupported = (skipped.unsupported ??= {});
  let first = true;
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let handle;
    try {
      // Names as raw bytes, to tell the ones that are not UTF-8 (Node accepts 'buffer'; its types do not list it).
      handle = await opendir(dir, { encoding: 'buffer' as BufferEncoding });
    } catch (error) {
      if (first) throw error;
      skipped.unreadable.push(dir);
      continue;
    }
    first = false;
    const coverCandidates: { path: string; rank: number; link: boolean }[] = [];
    for await (const entry of handle) {
      const raw = entry.name as unknown as Buffer;
      const name = raw.toString('utf8');
      const path = join(dir, name);
      if (!Buffer.from(name, 'utf8').equals(raw)) {
        skipped.badNames.push(path);
        continue;
      }
      if (isWriteCopy(path)) {
        await removeStaleWriteCopy(path);
        continue;
      }
      if (entry.isDirectory()) pending.push(path);
      else if ((entry.isFile() || entry.isSymbolicLink()) && isAudioFile(path)) {
        // A link counts only if it leads to a file inside the folder being scanned.
        if (entry.isSymbolicLink() && (await realPathInLibrary(path, [root])) === null) {
          skipped.outside.push(path);
          continue;
        }
        const info = await stat(path).catch(() => undefined);
        if (info?.isFile()) out.push({ path, size: info.size, mtimeMs: Math.trunc(info.mtimeMs) });
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        const ext = unsupportedAudioExtension(path);
        if (ext !== null) unsupported[ext] = (unsupported[ext] ?? 0) + 1;
        const rank = coverRank(name);
        if (rank >= 0) coverCandidates.push({ path, rank, link: entry.isSymbolicLink() });
      }
    }
    for (const candidate of coverCandidates.sort((a, b) => a.rank - b.rank)) {
      // The library's one rule holds for covers too: a link that leads out of the folder is no cover.
      if (candidate.link && (await realPathInLibrary(candidate.path, [root])) === null) continue;
      if (!(await stat(candidate.path).catch(() => undefined))?.isFile() || !(await looksLikeImage(candidate.path))) continue;
      covers.set(dir, candidate.path);
      break;
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
