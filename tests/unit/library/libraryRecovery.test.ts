/** A damaged library database: moved aside and rebuilt from the folders, the user's own moods, playlists and settings kept. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibraryDatabaseError } from '../../../src/main/library/database.js';
import { recoverLibrary } from '../../../src/main/library/libraryRecovery.js';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { BACKUP_FILE, readUserBackup } from '../../../src/main/library/userDataBackup.js';
import { makeAudioFile } from '../../support/audioFiles.js';

const quiet = { scanProgress: () => undefined, changed: () => undefined };

describe('recovering a damaged library', () => {
  it('keeps the damaged file, scans the folders again and puts back what the user made', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emotune-recover-'));
    const music = join(root, 'music');
    const dataDir = join(root, 'data');
    mkdirSync(music, { recursive: true });
    for (const name of ['one', 'two', 'three']) await makeAudioFile(music, { name, format: 'ogg', title: name });
    const service = new LibraryService(dataDir, quiet, { watch: false });
    await service.addFolder(music);
    await service.idle();
    const byTitle = (s: LibraryService, title: string) => s.listTracks({}).find((t) => t.title === title)!;
    service.setUserMood([byTitle(service, 'two').id], 'calm');
    service.store.settings.set('moodPolicy', { mode: 'lift' });
    service.store.playlists.save('evening', [byTitle(service, 'three').id, byTitle(service, 'one').id]);
    service.close(); // writes the pending backup
    expect(readUserBackup(dataDir)?.userMoods).toEqual([{ path: join(music, 'two.ogg'), mood: 'calm' }]);

    const damaged = Buffer.alloc(8192, 0x5a);
    writeFileSync(join(dataDir, 'library.sqlite'), damaged);
    let refused: unknown;
    try {
      new LibraryService(dataDir, quiet, { watch: false });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(LibraryDatabaseError);
    expect((refused as LibraryDatabaseError).damaged).toBe(true);

    const report = await recoverLibrary(dataDir);
    expect(report).toMatchObject({ folders: 1, tracks: 3, userMoods: 1, playlists: 1, fromBackup: true });
    expect(readFileSync(report.movedTo).equals(damaged)).toBe(true); // kept, byte for byte
    const again = new LibraryService(dataDir, quiet, { watch: false });
    expect(byTitle(again, 'two').mood).toMatchObject({ source: 'user', mood: 'calm' });
    expect(again.store.settings.get('moodPolicy')).toEqual({ mode: 'lift' });
    expect(again.store.playlists.tracks('evening').map((t) => t.title)).toEqual(['three', 'one']);
    again.close();
  });

  it('starts a new library when there is no backup, and says so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emotune-recover-none-'));
    writeFileSync(join(dataDir, 'library.sqlite'), Buffer.alloc(8192, 0x5a));
    const report = await recoverLibrary(dataDir);
    expect(report).toMatchObject({ fromBackup: false, folders: 0, tracks: 0 });
    expect(existsSync(join(dataDir, BACKUP_FILE))).toBe(false);
    expect(readdirSync(dataDir).some((f) => f.startsWith('library.damaged-'))).toBe(true);
  });
});
