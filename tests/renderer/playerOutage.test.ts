/** The player when the backend goes away, when tracks fail in a row, and when it restores the last run. */
import { describe, expect, it, vi } from 'vitest';
import type { RestoredPlayerState } from '../../src/shared/playerState.js';
import { ConnectionState } from '../../src/renderer/lib/connection.svelte.js';
import { MAX_FAILURES_IN_A_ROW, Player } from '../../src/renderer/lib/player.svelte.js';
import { fakeBackend, fire, settle, silentAudio, track } from './fakes.js';

function setup({ reachable = true } = {}) {
  const backend = fakeBackend({ 'library.markUnplayable': () => ({ marked: true }), 'mood.feedback': () => ({ recorded: true }) });
  const audio = silentAudio();
  const connection = new ConnectionState('online');
  const onQueueEnd = vi.fn(() => track(99));
  const player = new Player(backend.api, audio, { connection, isReachable: async () => reachable, onQueueEnd });
  const fail = (code: number, message = '') => {
    Object.defineProperty(audio, 'error', { configurable: true, value: { code, message } });
    fire(audio, 'error');
  };
  return { backend, audio, connection, player, fail, onQueueEnd };
}

const tracks = (...ids: number[]) => ids.map((id) => track(id));

describe('Player during an outage', () => {
  it('never marks a track unplayable while the connection is down, and waits on it instead of skipping', async () => {
    const { backend, connection, player, fail, onQueueEnd } = setup();
    player.playList(tracks(1, 2, 3, 4, 5, 6, 7, 8));
    connection.report('offline');
    // Chromium calls a server it cannot reach a format error.
    fail(4, 'DEMUXER_ERROR_COULD_NOT_OPEN: FFmpegDemuxer: open context failed');
    await settle();
    expect(player.current?.track.id).toBe(1);
    expect(player.waiting).toBe(true);
    expect(player.message).toMatch(/Waiting for Emotune/);
    expect(backend.callsTo('library.markUnplayable')).toEqual([]);
    // Next, pressed again and again: the index moves as asked, the queue does not grow, nothing is marked.
    for (let i = 0; i < 5; i++) {
      player.next();
      fail(4, 'DEMUXER_ERROR_COULD_NOT_OPEN');
      await settle();
    }
    expect(player.current?.track.id).toBe(6);
    expect(player.queue).toHaveLength(8);
    expect(onQueueEnd).not.toHaveBeenCalled();
    expect(backend.callsTo('library.markUnplayable')).toEqual([]);
    expect(backend.callsTo('mood.feedback')).toEqual([]);
  });

  it('loads the waiting track again when the connection is back, playing if it was playing', async () => {
    const { audio, connection, player, fail } = setup();
    player.playList(tracks(1, 2));
    audio.currentTime = 42;
    player.currentTime = 42;
    connection.report('offline');
    fail(2);
    await settle();
    const playsBefore = vi.mocked(audio.play).mock.calls.length;
    connection.report('online');
    expect(player.waiting).toBe(false);
    expect(player.message).toBe('');
    expect(audio.src).toMatch(/\/media\/1$/);
    expect(audio.currentTime).toBe(42);
    expect(vi.mocked(audio.play).mock.calls.length).toBe(playsBefore + 1);
  });

  it('reads a network error as the connection’s, not the file’s, even while the socket still looks open', async () => {
    const { backend, player, fail } = setup();
    player.playList(tracks(1, 2));
    fail(2, 'net::ERR_CONNECTION_REFUSED');
    await settle();
    expect(player.current?.track.id).toBe(1);
    expect(player.playing).toBe(false);
    expect(player.message).toMatch(/could not be loaded: Emotune did not answer/);
    expect(backend.callsTo('library.markUnplayable')).toEqual([]);
  });

  it('asks the backend before blaming the file: no answer, no mark', async () => {
    const { backend, player, fail } = setup({ reachable: false });
    player.playList(tracks(1, 2));
    fail(4, 'MEDIA_ELEMENT_ERROR: Format error');
    await settle();
    expect(player.current?.track.id).toBe(1);
    expect(backend.callsTo('library.markUnplayable')).toEqual([]);
  });
});

describe('Player skipping broken tracks', () => {
  it(`stops after ${MAX_FAILURES_IN_A_ROW} failures in a row instead of racing through the queue`, async () => {
    const { backend, player, fail, onQueueEnd } = setup();
    player.playList(tracks(1, 2, 3, 4, 5));
    for (let i = 0; i < 6; i++) {
      fail(3, 'PIPELINE_ERROR_DECODE');
      await settle();
    }
    expect(player.current?.track.id).toBe(MAX_FAILURES_IN_A_ROW);
    expect(player.playing).toBe(false);
    expect(player.message).toMatch(/3 songs in a row could not be played/);
    expect(backend.callsTo('library.markUnplayable').map((c) => c.trackId)).toEqual([1, 2, 3]);
    expect(onQueueEnd).not.toHaveBeenCalled();
  });

  it('counts again from a track that played', async () => {
    const { audio, player, fail } = setup();
    player.playList(tracks(1, 2, 3, 4, 5));
    fail(3);
    await settle();
    fail(3);
    await settle();
    fire(audio, 'playing');
    expect(player.failures).toBe(0);
    fail(3);
    await settle();
    expect(player.current?.track.id).toBe(4);
  });
});

describe('Player restore', () => {
  const saved = (fields: Partial<RestoredPlayerState> = {}): RestoredPlayerState => ({
    queue: tracks(5, 6, 7),
    index: 1,
    positionSec: 83,
    volume: 0.4,
    muted: true,
    mode: 'lift',
    handsFree: false,
    switchNow: false,
    dropped: 0,
    ...fields,
  });

  it('loads the last queue paused at its position, with its sound: a restart never plays by itself', () => {
    const { audio, player } = setup();
    expect(player.restore(saved())).toBe(true);
    expect(player.queue.map((q) => q.track.id)).toEqual([5, 6, 7]);
    expect(player.current?.track.id).toBe(6);
    expect(audio.src).toMatch(/\/media\/6$/);
    expect(audio.currentTime).toBe(83);
    expect(player.currentTime).toBe(83);
    expect(audio.play).not.toHaveBeenCalled();
    expect(player.volume).toBe(0.4);
    expect(audio.muted).toBe(true);
  });

  it('leaves a queue the listener already started alone', () => {
    const { player } = setup();
    player.playList(tracks(1));
    expect(player.restore(saved())).toBe(false);
    expect(player.queue.map((q) => q.track.id)).toEqual([1]);
  });
});
