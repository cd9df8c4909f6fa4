/**
 * What only the user made, kept outside the database: the music folders, the moods the user gave
 * tracks (by file path), the settings and the playlists. It is rewritten atomically after each
 * change, so that a damaged database can be moved aside and the library rebuilt from the folders
 * without losing any of it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MOODS } from '../../shared/mood.js';
import type { LibraryStore } from './libraryStore.js';

export const BACKUP_FILE = 'user-data-backup.json';

const backupSchema = z.object({
  version: z.literal(1),
  writtenAt: z.number(),
  folders: z.array(z.string()),
  userMoods: z.array(z.object({ path: z.string(), mood: z.enum(MOODS) })),
  settings: z.record(z.string(), z.unknown()),
  playlists: z.array(z.object({ name: z.string(), paths: z.array(z.string()) })),
});

export type UserDataBackup = z.infer<typeof backupSchema>;

export function collectUserData(store: LibraryStore): UserDataBackup {
  const userMoods = store.tracks.userMoodsByPath() as UserDataBackup['userMoods'];
  const settings = store.settings.all();
  return {
    version: 1,
    writtenAt: Date.now(),
    folders: store.folders.list().map((f) => f.path),
    userMoods,
    settings,
    playlists: store.playlists.list().map((p) => ({ name: p.name, paths: store.playlists.tracks(p.name).map((t) => t.path) })),
  };
}

/** Written beside the database: to a temporary file first, then renamed over the old backup. */
export function writeUserBackup(dataDir: string, store: LibraryStore): void {
  const path = join(dataDir, BACKUP_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(collectUserData(store))}\n`);
  renameSync(`${path}.tmp`, path);
}

/** The backup, or null when there is none or it cannot be read (the rebuild then starts from nothing). */
export function readUserBackup(dataDir: string): UserDataBackup | null {
  const path = join(dataDir, BACKUP_FILE);
  if (!existsSync(path)) return null;
  try {
    return backupSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return null;
  }
}
