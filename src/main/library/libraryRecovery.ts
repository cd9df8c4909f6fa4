/**
 * Recovery from a damaged library database: the file is moved aside (kept, never deleted) and the
 * library is rebuilt by scanning the folders again, with the user's own moods, settings and
 * playlists put back from the backup (userDataBackup.ts).
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { LibraryService } from './libraryService.js';
import { readUserBackup } from './userDataBackup.js';

export interface RecoveryReport {
  movedTo: string;
  folders: number;
  tracks: number;
  userMoods: number;
  playlists: number;
  /** False when there was no readable backup: the folders then have to be added again. */
  fromBackup: boolean;
}

export async function recoverLibrary(dataDir: string): Promise<RecoveryReport> {
  const database = join(dataDir, 'library.sqlite');
  const movedTo = join(dataDir, `library.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(database + suffix)) renameSync(database + suffix, movedTo + suffix);
  const backup = readUserBackup(dataDir);
  const service = new LibraryService(dataDir, { scanProgress: () => undefined, changed: () => undefined }, { watch: false });
  let folders = 0;
  let userMoods = 0;
  try {
    if (backup) {
      for (const [key, value] of Object.entries(backup.settings)) service.store.settings.set(key, value);
      for (const path of backup.folders) {
        // A folder that is gone since (an unplugged disk) is left out; the rest are scanned.
        if (
          await service.addFolder(path).then(
            () => true,
            () => false,
          )
        )
          folders++;
      }
      await service.idle();
      // Moods for files the library does not have (a removed folder's) are kept for them, as before.
      userMoods = service.store.tracks.restoreUserMoods(backup.userMoods);
      for (const list of backup.playlists) {
        // Entries match tracks by path; the rest stay missing entries, as they were.
        if (service.store.playlists.idOf(list.name) === undefined) service.store.playlists.create(list.name, list.entries, list.createdAt);
      }
    }
    return {
      movedTo,
      folders,
      tracks: service.store.tracks.count(),
      userMoods,
      playlists: backup?.playlists.length ?? 0,
      fromBackup: backup !== null,
    };
  } finally {
    await service.idle();
    service.close();
  }
}
