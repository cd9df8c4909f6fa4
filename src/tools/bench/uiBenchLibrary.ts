/**
 * bench:ui's library: `count` generated tracks (generatedTracks.ts) in the LibraryStore of a data
 * folder. Run by uiBench.ts in a process of its own:
 * `node uiBenchLibrary.js <dataDir> <count>`.
 */
import { Backend } from '../../main/backend.js';
import { addGeneratedTracks } from './generatedTracks.js';

async function main(): Promise<void> {
  const [dataDir, count] = [process.argv[2], Number(process.argv[3])];
  if (!dataDir || !Number.isInteger(count) || count < 0) throw new Error('usage: node uiBenchLibrary.js <dataDir> <count>');
  const backend = await Backend.create('web', { dataDir, demoLibrary: false, watchFolders: false });
  addGeneratedTracks(backend.library.store, count);
  await backend.dispose();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
