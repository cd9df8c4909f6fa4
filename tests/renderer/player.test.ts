import { describe, expect, it, vi } from 'vitest';
import type { Track } from '../../src/shared/library.js';
import { Player, type PlayerCallbacks } from '../../src/renderer/lib/player.svelte.js';
import { fakeBackend, fire, settle, silentAudio, track } from './fakes.js';

function setup(callbacks: PlayerCallbacks = {}) {
  const backend = fakeBackend({
    'mood.feedback': () => ({ recorded: true }),
    'library.markUnplayable': () => ({ marked: true }),
  });
  const audio = silentAudio();
  const player = new Player(backend.api, audio, callbacks);
  return { backend, audio, player };
}

const ids = (player: Player) => player.queue.map((q) => q.track.id);
const tracks = (...list: number[]): Track[] => list.map((id) => track(id));

describe('Player', () => {
  it('queues a list in its order and plays the chosen track of it from the media URL', () => {
    const { audio, player } = setup();
    player.setMediaBase('http://app/media/', 'http://app/cover/');
    player.playList(tracks(1, 2, 3), 1);
    expect(ids(player)).toEqual([1, 2, 3]);
    expect(player.current?.track.id).toBe(2);
    expect(player.upcoming?.track.id).toBe(3);
    expect(audio.src).toBe('http://app/media/2');
    expect(audio.play).toHaveBeenCalledTimes(1);
    // Only the track the listener picked counts as chosen by hand.
    expect(player.queue.map((q) => q.byHand ?? false)).toEqual([false, true, false]);
  });

  it('gives each queued item its own key, so the same track can be queued twice', () => {
    const { player } = setup();
    player.playList([track(1), track(1)]);
    const [a, b] = player.queue;
    expect(a!.key).not.toBe(b!.key);
  });

  it('moves to the next track, and back to the previous one early in a track', () => {
    const { audio, player } = setup();
    player.playList(tracks(1, 2, 3));
    player.next();
    expect(player.current?.track.id).toBe(2);
    player.previous();
    expect(player.current?.track.id).toBe(1);
    expect(audio.src).toMatch(/\/media\/1$/);
  });

  it('goes back to the start of the track instead, once it has played a few seconds or at the first track', () => {
    const { audio, player } = setup();
    player.playList(tracks(1, 2), 1);
    audio.currentTime = 10;
    player.previous();
    expect(player.current?.track.id).toBe(2);
    expect(audio.currentTime).toBe(0);
    player.playAt(0);
    audio.currentTime = 1;
    player.previous();
    expect(player.current?.track.id).toBe(1);
    expect(audio.currentTime).toBe(0);
  });

  it('plays on to the next track when one ends, and repeats one or all when asked', () => {
    const { audio, player } = setup();
    player.playList(tracks(1, 2));
    fire(audio, 'ended');
    expect(player.current?.track.id).toBe(2);
    player.repeat = 'all';
    fire(audio, 'ended');
    expect(player.current?.track.id).toBe(1);
    player.repeat = 'one';
    fire(audio, 'ended');
    expect(player.current?.track.id).toBe(1);
    // A skip by the listener moves on even with repeat one.
    player.next();
    expect(player.current?.track.id).toBe(2);
  });

  it('reports a track start once per load, not when playback resumes after a pause', () => {
    const onTrackStart = vi.fn();
    const { audio, player } = setup({ onTrackStart });
    player.playList(tracks(1, 2));
    expect(onTrackStart).not.toHaveBeenCalled(); // not before the audio actually plays
    fire(audio, 'playing');
    fire(audio, 'playing');
    expect(onTrackStart).toHaveBeenCalledTimes(1);
    expect(onTrackStart.mock.calls[0]![0]).toMatchObject({ track: { id: 1 }, byHand: true });
    player.next();
    fire(audio, 'playing');
    expect(onTrackStart).toHaveBeenCalledTimes(2);
    expect(onTrackStart.mock.calls[1]![0]).toMatchObject({ track: { id: 2 } });
    // Repeat one plays the same item again: that is a new play.
    player.repeat = 'one';
    fire(audio, 'ended');
    fire(audio, 'playing');
    expect(onTrackStart).toHaveBeenCalledTimes(3);
  });

  it('asks what to play when the queue runs out, and appends and plays it', () => {
    const onQueueEnd = vi.fn((last: unknown) => (last ? track(9, { title: 'More' }) : undefined));
    const { player } = setup({ onQueueEnd });
    player.playList(tracks(1, 2), 1);
    player.next();
    expect(onQueueEnd).toHaveBeenCalledTimes(1);
    expect(onQueueEnd.mock.calls[0]![0]).toMatchObject({ track: { id: 2 } });
    expect(ids(player)).toEqual([1, 2, 9]);
    expect(player.current?.track.title).toBe('More');
    // The continuation is not a choice by hand, nor one of the loop.
    expect(player.current?.byHand).toBeUndefined();
    expect(player.current?.reason).toBeUndefined();
  });

  it('stops at the end of the queue when nothing follows', () => {
    const { audio, player } = setup();
    player.playList(tracks(1));
    fire(audio, 'playing');
    audio.dispatchEvent(new Event('play'));
    expect(player.playing).toBe(true);
    fire(audio, 'ended');
    expect(player.current?.track.id).toBe(1);
    expect(player.playing).toBe(false);
  });

  it('tells the mood service when the listener skips a track the loop chose, with how long it played', async () => {
    const { backend, audio, player } = setup();
    const expression = 'happiness' as const;
    player.playList(tracks(1));
    player.enqueue(player.item(track(2), 'you look happy', { expression, mode: 'match' }), 'next');
    player.next(); // track 1: the listener's own choice
    expect(backend.callsTo('mood.feedback')).toEqual([]);
    audio.currentTime = 4;
    player.next(); // track 2: the loop's pick, skipped after 4 s
    await settle();
    expect(backend.callsTo('mood.feedback')).toEqual([{ trackId: 2, kind: 'skipped', playedSeconds: 4 }]);
  });

  it('says "not this mood" about the current track and moves on', async () => {
    const { backend, player } = setup();
    player.playList(tracks(1, 2));
    player.notThisMood();
    await settle();
    expect(backend.callsTo('mood.feedback')).toEqual([{ trackId: 1, kind: 'not-this-mood' }]);
    expect(player.current?.track.id).toBe(2);
  });

  it('skips a track the audio element cannot play, says why in words and marks it unplayable', async () => {
    const { backend, audio, player } = setup();
    player.playList([track(1, { title: 'Broken' }), track(2)]);
    Object.defineProperty(audio, 'error', { configurable: true, value: { code: 4, message: 'DEMUXER_ERROR_COULD_NOT_OPEN' } });
    fire(audio, 'error');
    await settle();
    expect(player.current?.track.id).toBe(2);
    expect(player.message).toBe('Skipped “Broken”: the file could not be opened: it may have been moved or deleted.');
    // The element's own words stay behind "Details".
    expect(player.messageDetail).toBe('MediaError 4: DEMUXER_ERROR_COULD_NOT_OPEN');
    expect(backend.callsTo('library.markUnplayable')).toEqual([{ trackId: 1, message: 'DEMUXER_ERROR_COULD_NOT_OPEN' }]);
  });

  it('gives a reason for an unplayable track even when the element has none, and says when the report is refused', async () => {
    const backend = fakeBackend(); // markUnplayable is refused
    const audio = silentAudio();
    const player = new Player(backend.api, audio);
    player.playList([track(1, { title: 'Broken' })]);
    fire(audio, 'error');
    await settle();
    expect(player.message).toMatch(/^Skipped “Broken”: the song could not be played\. It will be tried again next time/);
    expect(backend.callsTo('library.markUnplayable')).toEqual([{ trackId: 1, message: 'the file could not be decoded' }]);
  });

  it('keeps the current track when the queue is edited around it', () => {
    const { player } = setup();
    player.playList(tracks(1, 2, 3), 1);
    const [first, current, last] = player.queue;
    player.remove(current!.key); // the playing item cannot be removed
    expect(ids(player)).toEqual([1, 2, 3]);
    player.remove(first!.key);
    expect(ids(player)).toEqual([2, 3]);
    expect(player.current?.track.id).toBe(2);
    player.move(last!.key, -1);
    expect(ids(player)).toEqual([3, 2]);
    expect(player.current?.track.id).toBe(2);
    expect(player.index).toBe(1);
  });

  it('moves a dragged item to where it was dropped, keeping the current track playing', () => {
    const { player } = setup();
    player.playList(tracks(1, 2, 3, 4), 1);
    const [first, , third, fourth] = player.queue;
    player.moveTo(fourth!.key, 0);
    expect(ids(player)).toEqual([4, 1, 2, 3]);
    expect(player.current?.track.id).toBe(2);
    player.moveTo(first!.key, 3);
    expect(ids(player)).toEqual([4, 2, 3, 1]);
    expect(player.current?.track.id).toBe(2);
    player.moveTo(third!.key, 9); // out of range: nothing moves
    expect(ids(player)).toEqual([4, 2, 3, 1]);
  });

  it('shuffles to another track, never the same one', () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    const { player } = setup();
    player.playList(tracks(1, 2, 3), 0);
    player.shuffle = true;
    player.next();
    expect(player.current?.track.id).toBe(2);
    player.next();
    expect(player.current?.track.id).toBe(1);
    random.mockRestore();
  });

  it('clamps the volume, and unmutes when the volume is raised', () => {
    const { audio, player } = setup();
    player.setMuted(true);
    player.setVolume(1.5);
    expect(player.volume).toBe(1);
    expect(audio.volume).toBe(1);
    expect(player.muted).toBe(false);
    expect(audio.muted).toBe(false);
    player.setVolume(-1);
    expect(player.volume).toBe(0);
  });
});

describe('Player failures the listener is told of', () => {
  function failing(handlers: Parameters<typeof fakeBackend>[0]) {
    const backend = fakeBackend(handlers);
    const audio = silentAudio();
    return { audio, player: new Player(backend.api, audio) };
  }

  it('says so when the browser refuses to start sound, but not when a newer track replaced the start', async () => {
    const { audio, player } = failing({});
    vi.mocked(audio.play).mockRejectedValueOnce(new DOMException('interrupted by a new load request', 'AbortError'));
    player.playList(tracks(1, 2));
    await settle();
    expect(player.message).toBe('');
    vi.mocked(audio.play).mockRejectedValueOnce(new DOMException('play() needs a user gesture', 'NotAllowedError'));
    player.playAt(1);
    await settle();
    expect(player.message).toMatch(/Press play to start the music/);
  });

  it('keeps the skip message of a track that cannot load, which play() also rejects', async () => {
    const { audio, player } = failing({ 'library.markUnplayable': () => ({ marked: true }) });
    vi.mocked(audio.play).mockRejectedValueOnce(new DOMException('no supported source was found', 'NotSupportedError'));
    player.playList([track(1, { title: 'Gone' }), track(2)]);
    fire(audio, 'error');
    await settle();
    expect(player.current?.track.id).toBe(2);
    expect(player.message).toBe('Skipped “Gone”: the song could not be played.');
  });

  it('goes on to the next track when a skip cannot be saved, and says the feedback was not kept', async () => {
    const { player } = failing({
      'mood.feedback': () => {
        throw new Error('the library is locked');
      },
    });
    player.playList(tracks(1, 2));
    player.queue[0]!.reason = 'you look happy';
    player.next();
    await settle();
    expect(player.current?.track.id).toBe(2);
    expect(player.message).toMatch(/feedback on that track was not saved: .*locked/);
  });

  it('keeps the skip message and adds that a broken track could not be marked', async () => {
    const { audio, player } = failing({
      'library.markUnplayable': () => {
        throw new Error('the server went away');
      },
    });
    player.playList([track(1, { title: 'Broken' }), track(2)]);
    fire(audio, 'error');
    await settle();
    expect(player.current?.track.id).toBe(2);
    expect(player.message).toMatch(/^Skipped “Broken”: .*tried again next time\.$/);
    expect(player.messageDetail).toMatch(/server went away/);
  });
});
