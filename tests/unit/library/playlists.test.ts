/** Playlists through the API's handlers, with real files and SQLite: entries, order, missing files, import, export, bad input. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchCall, toErrorPayload, type ApiHandlers } from '../../../src/main/api/apiDispatcher.js';
import { libraryHandlers } from '../../../src/main/api/featureHandlers.js';
import { encodeWav } from '../../../src/main/audio/wav.js';
import { LibraryService } from '../../../src/main/library/libraryService.js';
import { parseM3uEntries } from '../../../src/main/library/m3u.js';
import type { ApiMethod, ApiParams, ApiResults } from '../../../src/shared/api.js';
import type { PlaylistEntry, Track } from '../../../src/shared/library.js';

const root = mkdtempSync(join(tmpdir(), 'emotune-playlists-'));
const music = join(root, 'music');
let service: LibraryService;
let handlers: ApiHandlers;
let changes = 0;

function tone(path: string, seconds: number): void {
  const samples = new Float32Array(8000 * seconds).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  writeFileSync(path, encodeWav({ sampleRate: 8000, samples }));
}

/** A call as the renderer makes it: validated by its schema, then handled. */
function call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]> {
  return dispatchCall(handlers, method, params) as Promise<ApiResults[M]>;
}

/** The message the renderer would show for a call that fails. */
async function failure<M extends ApiMethod>(method: M, params: unknown): Promise<string> {
  try {
    await dispatchCall(handlers, method, params);
  } catch (error) {
    return toErrorPayload(error).message;
  }
  throw new Error(`${method} did not fail`);
}

const track = (title: string): Track => service.listTracks({}).find((t) => t.title === title)!;
const titles = (entries: PlaylistEntry[]) => entries.map((e) => e.track?.title ?? `missing:${e.path}`);
const entriesOf = (playlistId: number) => call('library.playlistEntries', { playlistId });

beforeAll(async () => {
  mkdirSync(music);
  tone(join(music, 'a.wav'), 1);
  tone(join(music, 'b.wav'), 2);
  tone(join(music, 'c.wav'), 3);
  service = new LibraryService(join(root, 'data'), { scanProgress: () => {}, changed: () => changes++ }, { watch: false });
  handlers = libraryHandlers(service) as ApiHandlers;
  await service.addFolder(music);
  await service.idle();
});

afterAll(() => service.close());

describe('playlists', () => {
  it('creates one, lists it with its count and length, and deletes it', async () => {
    const before = changes;
    const made = await call('library.createPlaylist', { name: '  Morning  ' });
    expect(made).toMatchObject({ name: 'Morning', trackCount: 0, durationSec: 0, missingCount: 0 });
    expect(changes).toBeGreaterThan(before);
    await call('library.addToPlaylist', { playlistId: made.id, trackIds: [track('a').id, track('c').id] });
    const listed = (await call('library.playlists', {})).find((p) => p.id === made.id)!;
    expect(listed).toMatchObject({ name: 'Morning', trackCount: 2, missingCount: 0 });
    expect(listed.durationSec).toBeCloseTo(4, 1);
    expect(await call('library.deletePlaylist', { playlistId: made.id })).toEqual({ deleted: true });
    expect((await call('library.playlists', {})).some((p) => p.id === made.id)).toBe(false);
  });

  it('saves the queue as a playlist, in its order, a track twice included, and passes over tracks no longer there', async () => {
    const [a, b, c] = [track('a').id, track('b').id, track('c').id];
    const saved = await call('library.createPlaylist', { name: 'Queue', trackIds: [c, a, c, 999_999, b] });
    expect(saved.trackCount).toBe(4);
    const entries = await entriesOf(saved.id);
    expect(titles(entries)).toEqual(['c', 'a', 'c', 'b']);
    expect(entries.map((e) => e.position)).toEqual([0, 1, 2, 3]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(4); // each place has its own id
    expect(entries[0]).toMatchObject({ path: join(music, 'c.wav'), label: null, durationSec: null });
  });

  it('adds at the end or at a position, removes entries by id and moves one, keeping positions without gaps', async () => {
    const [a, b, c] = [track('a').id, track('b').id, track('c').id];
    const list = await call('library.createPlaylist', { name: 'Order', trackIds: [a, b] });
    expect(await call('library.addToPlaylist', { playlistId: list.id, trackIds: [c] })).toMatchObject({
      added: 1,
      playlist: { trackCount: 3 },
    });
    await call('library.addToPlaylist', { playlistId: list.id, trackIds: [c, c], position: 0 });
    await call('library.addToPlaylist', { playlistId: list.id, trackIds: [a], position: 3 });
    let entries = await entriesOf(list.id);
    expect(titles(entries)).toEqual(['c', 'c', 'a', 'a', 'b', 'c']);

    // The second "c" of the top goes; the other two stay.
    const removed = await call('library.removeFromPlaylist', { playlistId: list.id, entryIds: [entries[1]!.id, 999_999] });
    expect(removed).toMatchObject({ removed: 1, playlist: { trackCount: 5 } });
    entries = await entriesOf(list.id);
    expect(titles(entries)).toEqual(['c', 'a', 'a', 'b', 'c']);
    expect(entries.map((e) => e.position)).toEqual([0, 1, 2, 3, 4]);

    // Down: the top entry to the last place; up: the last but one to the top.
    const top = entries[0]!;
    await call('library.movePlaylistEntry', { playlistId: list.id, entryId: top.id, position: 4 });
    entries = await entriesOf(list.id);
    expect(titles(entries)).toEqual(['a', 'a', 'b', 'c', 'c']);
    expect(entries[4]!.id).toBe(top.id);
    const b3 = entries[2]!;
    await call('library.movePlaylistEntry', { playlistId: list.id, entryId: b3.id, position: 0 });
    entries = await entriesOf(list.id);
    expect(titles(entries)).toEqual(['b', 'a', 'a', 'c', 'c']);
    expect(entries.map((e) => e.position)).toEqual([0, 1, 2, 3, 4]);
    await call('library.movePlaylistEntry', { playlistId: list.id, entryId: b3.id, position: 0 });
    expect(titles(await entriesOf(list.id))).toEqual(['b', 'a', 'a', 'c', 'c']);

    // Pages of a long playlist.
    expect(titles(await call('library.playlistEntries', { playlistId: list.id, offset: 3, limit: 5 }))).toEqual(['c', 'c']);
  });

  it('renames, keeping the name unique whatever its case', async () => {
    const one = await call('library.createPlaylist', { name: 'Evening' });
    const two = await call('library.createPlaylist', { name: 'Night' });
    expect(await failure('library.createPlaylist', { name: 'evening' })).toMatch(
      /there is already a playlist named "Evening": choose another name/,
    );
    expect(await failure('library.renamePlaylist', { playlistId: two.id, name: 'EVENING' })).toMatch(/already a playlist named "Evening"/);
    expect(await call('library.renamePlaylist', { playlistId: one.id, name: 'evening' })).toMatchObject({ id: one.id, name: 'evening' });
    expect(await call('library.renamePlaylist', { playlistId: two.id, name: 'Late night' })).toMatchObject({ name: 'Late night' });
  });

  it('imports M3U as a new playlist, keeping the entries it cannot find as missing ones in their place', async () => {
    const content = [
      '#EXTM3U',
      '#EXTINF:2,Someone - B',
      'music/b.wav',
      '#EXTINF:215,Other Band - Not Here',
      '/elsewhere/not-here.mp3',
      join(music, 'a.wav'),
      '../x/lost.ogg',
      'http://radio.example/stream',
    ].join('\n');
    const imported = await call('library.importPlaylist', { name: 'Mix', content });
    expect(imported).toMatchObject({ name: 'Mix', matched: 2, missing: ['/elsewhere/not-here.mp3', '../x/lost.ogg'] });
    const summary = (await call('library.playlists', {})).find((p) => p.id === imported.playlistId)!;
    expect(summary).toMatchObject({ name: 'Mix', trackCount: 4, missingCount: 2 });
    expect(summary.durationSec).toBeCloseTo(3, 1); // only what is in the library counts
    const entries = await entriesOf(imported.playlistId);
    expect(titles(entries)).toEqual(['b', 'missing:/elsewhere/not-here.mp3', 'a', 'missing:../x/lost.ogg']);
    expect(entries[1]).toMatchObject({ track: null, label: 'Other Band - Not Here', durationSec: 215 });
    expect(entries[3]).toMatchObject({ track: null, label: null, durationSec: null });

    // The same file again: a second playlist, not a replaced one.
    const again = await call('library.importPlaylist', { name: 'Mix', content });
    expect(again.name).toBe('Mix (2)');
    expect(again.playlistId).not.toBe(imported.playlistId);
    expect((await call('library.playlists', {})).filter((p) => p.name.startsWith('Mix')).map((p) => p.trackCount)).toEqual([4, 4]);
  });

  it('exports one playlist as M3U8 with #EXTINF, its missing entries as their paths, in order', async () => {
    const content = `#EXTM3U\n#EXTINF:215,Other Band - Not Here\n/elsewhere/not-here.mp3\n${join(music, 'c.wav')}\n/elsewhere/plain.flac\n`;
    const { playlistId } = await call('library.importPlaylist', { name: 'To export', content });
    const exported = await call('library.exportPlaylist', { playlistId });
    expect(exported.written).toBe(3);
    expect(exported.content.split('\n')).toEqual([
      '#EXTM3U',
      '#EXTINF:215,Other Band - Not Here',
      '/elsewhere/not-here.mp3',
      '#EXTINF:3,c',
      join(music, 'c.wav'),
      '#EXTINF:-1,plain',
      '/elsewhere/plain.flac',
      '',
    ]);
    expect(parseM3uEntries(exported.content).map((e) => e.path)).toEqual([
      '/elsewhere/not-here.mp3',
      join(music, 'c.wav'),
      '/elsewhere/plain.flac',
    ]);
    // The queue is still exported as its tracks.
    const queue = await call('library.exportPlaylist', { trackIds: [track('b').id] });
    expect(queue).toEqual({ content: `#EXTM3U\n#EXTINF:2,b\n${join(music, 'b.wav')}\n`, written: 1 });
  });

  it('turns a missing entry into a track when a scan finds its file', async () => {
    const later = join(music, 'later.wav');
    const { playlistId } = await call('library.importPlaylist', { name: 'Waiting', content: `#EXTINF:1,Later\n${later}\n` });
    expect((await entriesOf(playlistId))[0]).toMatchObject({ track: null, path: later, label: 'Later' });
    tone(later, 1);
    await service.rescan();
    const [entry] = await entriesOf(playlistId);
    expect(entry).toMatchObject({ path: later, label: null, durationSec: null, track: { title: 'later', path: later } });
    expect((await call('library.playlists', {})).find((p) => p.id === playlistId)).toMatchObject({ missingCount: 0 });
  });
});

describe('M3U entries', () => {
  it('take the title and length of the #EXTINF line before them, and of no other', () => {
    const text = [
      '#EXTM3U',
      '#EXTINF:-1 tvg-id="x",Unknown length',
      '/a.mp3',
      '/b.mp3',
      '#EXTINF:12.5,Radio',
      'http://radio.example/stream',
      '/c.mp3',
      '#EXTINF:7,',
      '/d.mp3',
    ].join('\r\n');
    expect(parseM3uEntries(text)).toEqual([
      { path: '/a.mp3', title: 'Unknown length', durationSec: null },
      { path: '/b.mp3', title: null, durationSec: null },
      { path: '/c.mp3', title: null, durationSec: null },
      { path: '/d.mp3', title: null, durationSec: 7 },
    ]);
  });
});

describe('playlists, bad input', () => {
  it('says there is no such playlist', async () => {
    const words = /there is no playlist 424242 \(it may have been deleted\)/;
    expect(await failure('library.playlistEntries', { playlistId: 424242 })).toMatch(words);
    expect(await failure('library.renamePlaylist', { playlistId: 424242, name: 'x' })).toMatch(words);
    expect(await failure('library.deletePlaylist', { playlistId: 424242 })).toMatch(words);
    expect(await failure('library.addToPlaylist', { playlistId: 424242, trackIds: [1] })).toMatch(words);
    expect(await failure('library.removeFromPlaylist', { playlistId: 424242, entryIds: [1] })).toMatch(words);
    expect(await failure('library.movePlaylistEntry', { playlistId: 424242, entryId: 1, position: 0 })).toMatch(words);
    expect(await failure('library.exportPlaylist', { playlistId: 424242 })).toMatch(words);
    expect(await failure('library.exportPlaylist', {})).toMatch(/give trackIds .* or playlistId/);
  });

  it('refuses an empty name, a name too long and one with a line break, before any handler runs', async () => {
    expect(await failure('library.createPlaylist', { name: '   ' })).toMatch(/give the playlist a name/);
    expect(await failure('library.createPlaylist', { name: 'x'.repeat(201) })).toMatch(/at most 200 characters/);
    expect(await failure('library.createPlaylist', { name: 'two\nlines' })).toMatch(/cannot hold line breaks/);
    expect(await failure('library.importPlaylist', { name: '', content: '' })).toMatch(/give the playlist a name/);
    const { id } = await call('library.createPlaylist', { name: 'Named' });
    expect(await failure('library.renamePlaylist', { playlistId: id, name: '' })).toMatch(/give the playlist a name/);
    expect(await failure('library.createPlaylist', { name: 'x', path: '/etc/passwd' })).toMatch(/path/);
  });

  it('says where the positions end when a move or an add goes past them', async () => {
    const list = await call('library.createPlaylist', { name: 'Short', trackIds: [track('a').id, track('b').id] });
    const [first] = await entriesOf(list.id);
    expect(await failure('library.movePlaylistEntry', { playlistId: list.id, entryId: first!.id, position: 2 })).toMatch(
      /cannot move to position 2: the playlist "Short" has 2 entries, at positions 0 to 1/,
    );
    expect(await failure('library.movePlaylistEntry', { playlistId: list.id, entryId: first!.id, position: -1 })).toMatch(/position/);
    expect(await failure('library.addToPlaylist', { playlistId: list.id, trackIds: [track('c').id], position: 3 })).toMatch(
      /cannot add at position 3: the playlist "Short" has 2 entries, so tracks go in at positions 0 to 2/,
    );
    const other = await call('library.createPlaylist', { name: 'Other', trackIds: [track('c').id] });
    const [foreign] = await entriesOf(other.id);
    expect(await failure('library.movePlaylistEntry', { playlistId: list.id, entryId: foreign!.id, position: 0 })).toMatch(
      /that entry is not in the playlist "Short"/,
    );
    expect(await failure('library.addToPlaylist', { playlistId: list.id, trackIds: [999_999] })).toMatch(
      /nothing was added to "Short": that track is no longer in the library/,
    );
    expect(titles(await entriesOf(list.id))).toEqual(['a', 'b']); // untouched by all that
  });
});
