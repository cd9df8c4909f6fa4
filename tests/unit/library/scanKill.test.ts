/**
 * A scan killed with SIGKILL half-way: the database opens, holds every committed track intact,
 * and the next scan reads only what is left and completes.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../../src/main/audio/wav.js';
import { PROJECT_ROOT } from '../../../src/main/backend.js';
import { openLibraryDatabase } from '../../../src/main/library/database.js';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { MoodService } from '../../../src/main/mood/moodService.js';
import { LibraryStore } from '../../../src/main/library/libraryStore.js';
import { scanFolder } from '../../../src/main/library/scanner.js';
import type { ScanProgress } from '../../../src/shared/library.js';

const FILES = 400;
const BATCH = 10;
const CLI = join(PROJECT_ROOT, 'dist', 'main', 'cli', 'cliMain.js');

describe('a scan killed mid-way', () => {
  it('loses nothing committed, and the next scan carries on', async () => {
    expect(existsSync(CLI), 'the CLI is not built: run `npm run build:main`').toBe(true);
    const root = mkdtempSync(join(tmpdir(), 'emotune-kill-'));
    const music = join(root, 'music');
    mkdirSync(music);
    for (let i = 0; i < FILES; i++) {
      const samples = new Float32Array(2205).map((_, k) => 0.3 * Math.sin((2 * Math.PI * (200 + i) * k) / 22050));
      writeFileSync(join(music, `tone-${String(i).padStart(4, '0')}.wav`), encodeWav({ sampleRate: 22050, samples }));
    }
    const dataDir = join(root, 'data');

    const child = spawn(
      process.execPath,
      [join(PROJECT_ROOT, 'bin', 'emotune.js'), 'scan', music, '--data-dir', dataDir, '--batch', String(BATCH)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let lastDone = 0;
    const killedAt = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const progress = JSON.parse(line) as ScanProgress;
        lastDone = progress.done;
        if (progress.phase === 'reading' && progress.done >= FILES / 2 && !child.killed) {
          child.kill('SIGKILL');
          resolve(progress.done);
        }
      });
      child.on('exit', () => reject(new Error(`the scan finished before it could be killed (at ${lastDone})`)));
    });
    await new Promise((resolve) => child.once('close', resolve));
    expect(child.signalCode).toBe('SIGKILL');

    // The database opens and is consistent; whole batches were committed, nothing half-written.
    const raw = new Database(join(dataDir, 'library.sqlite'));
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    const committed = raw.prepare('SELECT count(*) FROM tracks').pluck().get() as number;
    const incomplete = raw.prepare("SELECT count(*) FROM tracks WHERE title = '' OR size <= 0 OR duration_sec IS NULL").pluck().get();
    raw.close();
    expect(committed).toBeGreaterThanOrEqual(Math.floor((killedAt - 1) / BATCH) * BATCH);
    expect(committed).toBeLessThanOrEqual(killedAt + BATCH);
    expect(committed % BATCH).toBe(0);
    expect(incomplete).toBe(0);
    // A copy of the library as the kill left it, for the app's own start below.
    cpSync(dataDir, `${dataDir}-restart`, { recursive: true });

    const store = new LibraryStore(openLibraryDatabase(join(dataDir, 'library.sqlite')));
    const folder = store.folders.list()[0]!;
    const resumed = await scanFolder(store, folder.id, music);
    expect(resumed).toMatchObject({ phase: 'done', total: FILES - committed, added: FILES - committed, failed: 0 });
    expect(store.tracks.count()).toBe(FILES);
    store.close();

    // The app's next start finishes the scan and the mood estimates by itself, without a rescan by the user.
    const service = new LibraryService(`${dataDir}-restart`, { scanProgress: () => undefined, changed: () => undefined }, { watch: false });
    new MoodService(service);
    await service.resumeInterruptedWork();
    await service.idle();
    expect(service.store.tracks.count()).toBe(FILES);
    expect(service.listTracks({}).filter((t) => !t.moods.some((m) => m.source === 'audio'))).toEqual([]);
    service.close();
  });
});
