/** Removing a folder keeps what the user made for its tracks, by path; adding it back puts all of it back. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCall, type ApiHandlers } from '../../../src/main/api/apiDispatcher.js';
import { libraryHandlers } from '../../../src/main/api/featureHandlers.js';
import { encodeWav } from '../../../src/main/audio/wav.js';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import type { RestoredFolder, Track } from '../../../src/shared/library.js';

const quiet = { scanProgress: () => undefined, changed: () => undefined };
let service: LibraryService;

afterEach(() => service?.close());

function tone(path: string, seconds = 1): void {
  const samples = new Float32Array(8000 * seconds).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 330 * i) / 8000));
  writeFileSync(path, encodeWav({ sampleRate: 8000, samples }));
}

async function library(names: readonly string[]): Promise<{ music: string; other: string }> {
  const root = mkdtempSync(join(tmpdir(), 'emotune-remove-'));
  const music = join(root, 'music');
  const other = join(root, 'other');
  mkdirSync(music);
  mkdirSync(other);
  for (const name of names) tone(join(music, `${name}.wav`));
  tone(join(other, 'elsewhere.wav'), 2);
  service = new LibraryService(join(root, 'data'), quiet, { watch: false });
  await service.addFolder(music);
  await service.addFolder(other);
  await service.idle();
  return { music, other };
}

const track = (title: string): Track => service.listTracks({}).find((t) => t.title === title)!;
const folderId = (path: string) => service.listFolders().find((f) => f.path === path)!.id;
const entryTitles = (playlistId: number) =>
  service.playlistEntries({ playlistId }).map((e) => (e.track ? e.track.title : `missing:${e.label ?? e.path}`));

describe('removing a folder', () => {
  it('keeps the user’s moods, the listener’s feedback and the playlists’ order, and restoring puts them back', async () => {
    const { music } = await library(['one', 'two', 'three']);
    service.setUserMood([track('one').id], 'sad');
    service.setUserMood([track('three').id], 'energetic');
    service.store.tracks.setMood(track('two').id, 'listener', { mood: 'calm', confidence: 0.6, raw: 'skips' });
    service.store.plays.addFeedback(track('two').id, { mood: 'happy', kind: 'skipped', weight: -1, expression: 'neutral' });
    const mixed = service.createPlaylist('Mixed', [track('three').id, track('elsewhere').id, track('one').id, track('three').id]);
    const handlers = libraryHandlers(service) as ApiHandlers;
    // What the question before removing it tells: the songs whose mood the user set (not the listener's).
    expect(service.listFolders().find((f) => f.path === music)).toMatchObject({ trackCount: 3, userMoods: 2 });

    expect(await dispatchCall(handlers, 'library.removeFolder', { id: folderId(music) })).toEqual({ removed: true });
    expect(service.listTracks({}).map((t) => t.title)).toEqual(['elsewhere']);
    // The playlist keeps its places: the removed tracks are missing entries, named as they were.
    expect(entryTitles(mixed.id)).toEqual(['missing:three', 'elsewhere', 'missing:one', 'missing:three']);
    expect(service.listPlaylists().find((p) => p.id === mixed.id)).toMatchObject({ trackCount: 4, missingCount: 3 });
    expect(service.playlistEntries({ playlistId: mixed.id })[0]).toMatchObject({ path: join(music, 'three.wav'), durationSec: 1 });
    // The moods stay in the backup too.
    expect(service.store.tracks.userMoodsByPath()).toEqual([
      { path: join(music, 'one.wav'), mood: 'sad' },
      { path: join(music, 'three.wav'), mood: 'energetic' },
    ]);

    const restored = (await dispatchCall(handlers, 'library.restoreFolder', { path: music })) as RestoredFolder;
    expect(restored).toMatchObject({ folder: { path: music, trackCount: 3 }, userMoods: 2, playlistEntries: 3 });
    expect(track('one').mood).toMatchObject({ source: 'user', mood: 'sad' });
    expect(track('three').mood).toMatchObject({ source: 'user', mood: 'energetic' });
    expect(track('two').mood).toMatchObject({ source: 'listener', mood: 'calm', raw: 'skips' });
    expect(service.store.plays.feedbackFor(track('two').id)).toEqual([
      { mood: 'happy', kind: 'skipped', weight: -1, expression: 'neutral' },
    ]);
    expect(entryTitles(mixed.id)).toEqual(['three', 'elsewhere', 'one', 'three']);
    expect(service.listPlaylists().find((p) => p.id === mixed.id)).toMatchObject({ trackCount: 4, missingCount: 0 });
    // Nothing is kept twice: the moods are on the tracks again, and only there.
    expect(service.store.tracks.userMoodsByPath()).toHaveLength(2);
    expect(service.store.tracks.keptUserMoodCount(music)).toBe(0);
  });

  it('puts it all back when the folder is simply added again, too', async () => {
    const { music } = await library(['solo']);
    service.setUserMood([track('solo').id], 'happy');
    const list = service.createPlaylist('Solo', [track('solo').id]);
    expect(service.removeFolder(folderId(music))).toBe(true);
    await service.addFolder(music);
    await service.idle();
    expect(track('solo').mood).toMatchObject({ source: 'user', mood: 'happy' });
    expect(entryTitles(list.id)).toEqual(['solo']);
  });

  it('keeps a vanished file’s mood and places, and gives them back when the file comes back', async () => {
    const { music } = await library(['kept', 'stays']);
    service.setUserMood([track('kept').id], 'tense');
    const list = service.createPlaylist('Keep', [track('stays').id, track('kept').id]);
    rmSync(join(music, 'kept.wav'));
    await service.rescan(folderId(music));
    expect(entryTitles(list.id)).toEqual(['stays', 'missing:kept']);
    tone(join(music, 'kept.wav'));
    await service.rescan(folderId(music));
    expect(track('kept').mood).toMatchObject({ source: 'user', mood: 'tense' });
    expect(entryTitles(list.id)).toEqual(['stays', 'kept']);
  });

  it('restores nothing, and says so, for a folder that had nothing kept', async () => {
    const { other } = await library(['x']);
    expect(service.removeFolder(folderId(other))).toBe(true);
    const restored = await service.restoreFolder(other);
    expect(restored).toMatchObject({ folder: { path: other, trackCount: 1 }, userMoods: 0, playlistEntries: 0 });
    await expect(service.restoreFolder(join(other, 'gone'))).rejects.toThrow(/no such folder/);
    await expect(service.restoreFolder('relative')).rejects.toThrow(/full path/);
  });
});
