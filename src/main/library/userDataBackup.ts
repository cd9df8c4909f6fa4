/**
 * What only the user made, kept outside the database: the music folders, the moods the user gave
 * tracks (by file path, those kept for files of removed folders too), the settings and the playlists
 * (each entry by path, the missing ones too). It is rewritten atomically after each change, so that a
 * damaged database can be moved aside and the library rebuilt from the folders without losing any of
 * it. Version 1 (playlists as plain paths) is still read.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MOODS } from '../../shared/mood.js';
import type { LibraryStore } from './libraryStore.js';

export const BACKUP_FILE = 'user-data-backup.json';

const common = {
  writtenAt: z.number(),
  folders: z.array(z.string()),
  userMoods: z.array(z.object({ path: z.string(), mood: z.enum(MOODS) })),
  settings: z.record(z.string(), z.unknown()),
};

/** Version 1: each playlist as the paths of the tracks in it, missing entries left out. */
const backupV1Schema = z.object({
  version: z.literal(1),
  ...common,
  playlists: z.array(z.object({ name: z.string(), paths: z.array(z.string()) })),
});

const entrySchema = z.object({ path: z.string(), label: z.string().nullable(), durationSec: z.number().nullable() });

/** Version 2: each playlist as its entries, missing ones with what is known of them, and when it was made. */
const backupSchema = z.object({
  version: z.literal(2),
  ...common,
  playlists: z.array(z.object({ name: z.string(), createdAt: z.number(), entries: z.array(entrySchema) })),
});

export type UserDataBackup = z.infer<typeof backupSchema>;

export function collectUserData(store: LibraryStore): UserDataBackup {
  const userMoods = store.tracks.userMoodsByPath() as UserDataBackup['userMoods'];
  const settings = store.settings.all();
  return {
    version: 2,
    writtenAt: Date.now(),
    folders: store.folders.list().map((f) => f.path),
    userMoods,
    settings,
    playlists: store.playlists.list().map((p) => ({
      name: p.name,
      createdAt: p.createdAt,
      entries: store.playlists
        .storedEntries(p.id)
        .map((e) => ({ path: e.path, label: e.trackId === null ? e.label : null, durationSec: e.trackId === null ? e.durationSec : null })),
    })),
  };
}

/** Written beside the database: to a temporary file first, then renamed over the old backup. */
export function writeUserBackup(dataDir: string, store: LibraryStore): void {
  const path = join(dataDir, BACKUP_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(collectUserData(store))}\n`);
  renameSync(`${path}.tmp`, path);
}

/**
 * The backup in the latest version's shape (an older one converted), or null when there is none or
 * it cannot be read (the rebuild then starts from nothing).
 */
export function readUserBackup(dataDir: string): UserDataBackup | null {
  const path = join(dataDir, BACKUP_FILE);
  if (!existsSync(path)) return null;
  try {
    const parsed = z.union([backupSchema, backupV1Schema]).parse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.version === 2) return parsed;
    return {
      ...parsed,
      version: 2,
      playlists: parsed.playlists.map((p) => ({
        name: p.name,
        createdAt: parsed.writtenAt,
        entries: p.paths.map((entry) => ({ path: entry, label: null, durationSec: null })),
      })),
    };
  } catch {
    return null;
  }
}
