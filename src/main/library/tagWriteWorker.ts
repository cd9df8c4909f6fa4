/** Writes tags in a worker thread, so that a large file never holds up the event loop (and every client). */
import { parentPort } from 'node:worker_threads';
import { writeTagsAtomically } from './atomicTagWrite.js';
import type { TagWriteJob, TagWriteOutcome } from './tagWriteClient.js';

parentPort!.on('message', (jobs: TagWriteJob[]) => {
  void (async () => {
    const outcomes: TagWriteOutcome[] = [];
    for (const job of jobs) {
      try {
        await writeTagsAtomically(job.path, job.tags);
        outcomes.push({ path: job.path, ok: true });
      } catch (error) {
        outcomes.push({ path: job.path, ok: false, message: (error as Error).message });
      }
    }
    parentPort!.postMessage(outcomes);
  })();
});
