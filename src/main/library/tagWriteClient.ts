/** Runs a batch of atomic tag writes in a worker thread (tagWriteWorker.ts) and waits for the outcome. */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TextTags } from './tagWriter.js';

export interface TagWriteJob {
  path: string;
  tags: TextTags;
}

export type TagWriteOutcome = { path: string; ok: true } | { path: string; ok: false; message: string };

/** The built worker; the sources run under vitest, the worker always from dist (npm run build). */
export const TAG_WRITE_WORKER_ENTRY = `${fileURLToPath(new URL('../../../', import.meta.url))}dist/main/library/tagWriteWorker.js`;

export async function writeTagsOffThread(jobs: readonly TagWriteJob[], entry = TAG_WRITE_WORKER_ENTRY): Promise<TagWriteOutcome[]> {
  if (jobs.length === 0) return [];
  const worker = new Worker(entry);
  try {
    return await new Promise<TagWriteOutcome[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the tag writer stopped before it finished (exit code ${code})`)));
      worker.postMessage(jobs);
    });
  } finally {
    await worker.terminate();
  }
}
