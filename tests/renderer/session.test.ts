import { describe, expect, it, vi } from 'vitest';
import type { Track } from '../../src/shared/library.js';
import { ConnectionState } from '../../src/renderer/lib/connection.svelte.js';
import { createSession } from '../../src/renderer/lib/session.svelte.js';
import { fakeBackend, fire, settle, silentAudio, track, type Handlers } from './fakes.js';

function setup(library: Track[], more: Handlers = {}) {
  const backend = fakeBackend({
    'library.folders': () => [],
    'library.tracks': ({ offset = 0 }) => library.slice(offset),
    'mood.recordPlay': () => ({ recorded: true }),
    'mood.next': () => ({ track: track(20, { mood: 'happy' }), targetMood: 'happy', reason: 'you look happy' }),
    ...more,
  });
  const audio = silentAudio();
  const session = createSession(backend.api, audio);
  return { backend, audio, session };
}

/** What a session reads as it starts, from an empty library; `tracks` answers the library's first page. */
function startHandlers(tracks: () => Track[] | Promise<Track[]> = () => []) {
  return {
    'library.folders': () => [],
    'library.tracks': tracks,
    'library.trackCount': () => ({ count: 0 }),
    'library.playlists': () => [],
    'player.state': () => null,
  };
}

describe('createSession', () => {
  it('reads the library once at the start, and again only when the connection comes back', async () => {
    const backend = fakeBackend(startHandlers());
    const connection = new ConnectionState('connecting');
    const session = createSession(backend.api, { audio: silentAudio(), connection });
    const stop = session.connect();
    connection.report('online');
    await settle();
    expect(backend.callsTo('library.folders')).toHaveLength(1);
    // The playlists are read once the list has been drawn (the frame after its first page).
    await vi.waitFor(() => expect(backend.callsTo('library.playlists')).toHaveLength(1));
    connection.report('offline');
    connection.report('online');
    await settle();
    expect(backend.callsTo('library.folders')).toHaveLength(2);
    expect(backend.callsTo('library.playlists')).toHaveLength(2);
    stop();
  });

  it('asks for the library only once the connection is open, once, even after a failed start', async () => {
    const backend = fakeBackend(startHandlers());
    const connection = new ConnectionState('connecting');
    const session = createSession(backend.api, { audio: silentAudio(), connection });
    const stop = session.connect();
    await settle();
    expect(backend.callsTo('library.tracks')).toHaveLength(0);
    // The server was away at the start: the first "online" is a return, and the library is read once.
    connection.report('offline');
    await settle();
    expect(backend.callsTo('library.tracks')).toHaveLength(0);
    connection.report('online');
    await settle();
    expect(backend.callsTo('library.tracks')).toHaveLength(1);
    expect(backend.callsTo('library.folders')).toHaveLength(1);
    // Once at the return, once when the list has been drawn.
    await vi.waitFor(() => expect(backend.callsTo('library.playlists')).toHaveLength(2));
    expect(session.library.songs.error).toBe('');
    stop();
  });

  it('starts the camera and the other reads of the start once the library has answered, or after a second when it does not', async () => {
    let answer = () => {};
    const held = new Promise<void>((resolve) => (answer = resolve));
    const backend = fakeBackend(startHandlers(() => held.then(() => [])));
    const answering = createSession(backend.api, { audio: silentAudio() });
    const stopAnswering = answering.connect();
    await settle();
    // The library is still being read: the camera and the rest wait, so that the list shows first.
    expect(answering.camera.status).toBe('off');
    expect(backend.callsTo('library.playlists')).toHaveLength(0);
    expect(backend.callsTo('player.state')).toHaveLength(0);
    expect(backend.callsTo('vision.calibration')).toHaveLength(0);
    answer();
    await vi.waitFor(() => expect(answering.camera.status).not.toBe('off'), { timeout: 500 });
    expect(backend.callsTo('library.playlists')).toHaveLength(1);
    expect(backend.callsTo('player.state')).toHaveLength(1);
    expect(backend.callsTo('vision.calibration')).toHaveLength(1);
    stopAnswering();

    const silentBackend = fakeBackend(startHandlers(() => new Promise<Track[]>(() => {})));
    const silent = createSession(silentBackend.api, { audio: silentAudio() });
    const stopSilent = silent.connect();
    await settle();
    expect(silent.camera.status).toBe('off');
    await vi.waitFor(() => expect(silent.camera.status).not.toBe('off'), { timeout: 3000 });
    // A library that never answers holds back nothing for more than that second.
    expect(silentBackend.callsTo('library.playlists')).toHaveLength(1);
    expect(silentBackend.callsTo('player.state')).toHaveLength(1);
    stopSilent();
  });

  it('plays the readable library tracks from the one the listener picked, and pauses hands-free', async () => {
    const { session } = setup([track(1), track(2, { error: 'broken' }), track(3), track(4)]);
    await session.library.reload();
    session.playFromLibrary(session.library.tracks[2]);
    expect(session.player.queue.map((q) => q.track.id)).toEqual([1, 3, 4]);
    expect(session.player.current?.track.id).toBe(3);
    expect(session.handsFree.enabled).toBe(false);
  });

  it('plays from the first readable track when none is named', async () => {
    const { session } = setup([track(1, { error: 'broken' }), track(2)]);
    await session.library.reload();
    session.playFromLibrary();
    expect(session.player.current?.track.id).toBe(2);
  });

  it('goes on from the library when the queue runs out: a track of the same mood first', async () => {
    const { audio, session } = setup([track(1, { mood: 'calm' }), track(2, { mood: 'sad' }), track(3, { mood: 'calm' })]);
    await session.library.reload();
    session.player.playList([session.library.tracks[0]!]);
    fire(audio, 'ended');
    expect(session.player.current?.track.id).toBe(3);
  });

  it('records a play started by hand with the face of that moment', async () => {
    const { backend, audio, session } = setup([track(1)]);
    await session.library.reload();
    session.handsFree.onStableChange('sadness'); // decided while hands-free is on; the pick is queued
    await settle();
    session.playFromLibrary(session.library.tracks[0]);
    fire(audio, 'playing');
    await settle();
    expect(backend.callsTo('mood.recordPlay')).toEqual([{ trackId: 1, byHand: true, expression: 'sadness', mode: 'match' }]);
    expect(session.plays.recorded).toBe(1);
  });

  it('records a pick of the loop with its reason and the expression and mode of when it was chosen', async () => {
    const { backend, audio, session } = setup([]);
    session.handsFree.onStableChange('happiness');
    await settle();
    session.handsFree.mode = 'lift'; // changed after the choice: the play keeps the mode of the choice
    fire(audio, 'playing');
    await settle();
    expect(backend.callsTo('mood.recordPlay')).toEqual([{ trackId: 20, reason: 'you look happy', expression: 'happiness', mode: 'match' }]);
  });

  it('records a track the queue ran on to with nothing but the track', async () => {
    const { backend, audio, session } = setup([track(1), track(2)]);
    await session.library.reload();
    session.playFromLibrary(session.library.tracks[0]);
    fire(audio, 'ended');
    fire(audio, 'playing');
    await settle();
    expect(backend.callsTo('mood.recordPlay')).toEqual([{ trackId: 2 }]);
  });

  it('does not count a play the backend refused', async () => {
    const { backend, audio, session } = setup([track(1)], {
      'mood.recordPlay': () => Promise.reject(new Error('the library is read-only')),
    });
    await session.library.reload();
    session.playFromLibrary();
    fire(audio, 'playing');
    await settle();
    expect(backend.callsTo('mood.recordPlay')).toHaveLength(1);
    expect(session.plays.recorded).toBe(0);
  });
});

describe('the play log', () => {
  it('says when a play could not be saved to the history, and clears it once one is saved again', async () => {
    let fail = true;
    const { audio, session } = setup([track(1, { title: 'First' }), track(2)], {
      'mood.recordPlay': () => {
        if (fail) throw new Error('the library is locked');
        return { recorded: true };
      },
    });
    await session.library.reload();
    session.playFromLibrary();
    fire(audio, 'playing');
    await settle();
    expect(session.plays.error).toMatch(/“First” was not saved to your history: .*locked/);
    expect(session.plays.recorded).toBe(0);
    fail = false;
    session.player.next();
    fire(audio, 'playing');
    await settle();
    expect(session.plays.error).toBe('');
    expect(session.plays.recorded).toBe(1);
  });
});
