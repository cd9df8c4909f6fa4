/** `emotune scan <folder>`: what a scan found, in words, for the end of the run. */
import { opendir } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import type { ScanProgress } from '../../shared/library.js';
import { isWriteCopy } from '../library/atomicTagWrite.js';
import { isAudioFile } from '../library/tagReader.js';

/** How many unreadable tracks the summary names; the rest are counted. */
export const NAMED_UNREADABLE = 5;

const NO_EXTENSION = '(none)';

/**
 * Files under a folder that the library does not take (not audio), counted by extension
 * (lower case, "(none)" without one); hidden files and unreadable sub-folders are left out.
 */
export async function countOtherFiles(root: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let handle;
    try {
      handle = await opendir(dir);
    } catch {
      continue;
    }
    for await (const entry of handle) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile() && !isAudioFile(path) && !isWriteCopy(path)) {
        const ext = extname(entry.name).toLowerCase() || NO_EXTENSION;
        counts.set(ext, (counts.get(ext) ?? 0) + 1);
      }
    }
  }
  return counts;
}

export interface ScanSummary {
  folder: string;
  /** Audio files in the library for this folder after the scan. */
  found: number;
  progress: ScanProgress;
  /** Tracks this scan could not read, with the reason. */
  unreadable: { path: string; reason: string }[];
  otherFiles: Map<string, number>;
}

export function formatScanSummary({ folder, found, progress, unreadable, otherFiles }: ScanSummary): string {
  const unchanged = Math.max(0, found - progress.added - progress.updated - progress.failed);
  const lines = [
    `scanned ${folder}: ${found} track(s) found, ${progress.added} added, ${progress.updated} updated, ${unchanged} unchanged, ` +
      `${progress.removed} removed, ${progress.failed} unreadable`,
  ];
  for (const { path, reason } of unreadable.slice(0, NAMED_UNREADABLE)) {
    lines.push(`  unreadable: ${relative(folder, path) || basename(path)}: ${reason}`);
  }
  if (unreadable.length > NAMED_UNREADABLE) lines.push(`  ... and ${unreadable.length - NAMED_UNREADABLE} more unreadable`);
  // The most common first; files without an extension last among equals.
  const skipped = [...otherFiles.entries()].sort(
    (a, b) => b[1] - a[1] || Number(a[0] === NO_EXTENSION) - Number(b[0] === NO_EXTENSION) || (a[0] < b[0] ? -1 : 1),
  );
  if (skipped.length > 0) {
    const total = skipped.reduce((s, [, n]) => s + n, 0);
    lines.push(`  skipped ${total} file(s) that are not audio: ${skipped.map(([ext, n]) => `${ext} ${n}`).join(', ')}`);
  }
  if (progress.message) lines.push(`  note: ${progress.message}`);
  return lines.join('\n');
}
