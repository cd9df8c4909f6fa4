/** The player's two decks: the next song loaded ahead, started the moment the current one ends, or blended in over its end. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Track } from '../../src/shared/library.js';
import { ConnectionState } from '../../src/renderer/lib/connection.svelte.js';
import { Player, PRELOAD_AHEAD_SEC, type PlayerOptions } from '../../src/renderer/lib/player.svelte.js';
import { fakeBackend, settle, track } from './fakes.js';
import { end, failLoad, playTo, testDecks } from './fakeDecks.js';

function setup(options: PlayerOptions = {}) {
  const backend = fakeBackend({ 'library.markUnplayable': () => ({ marked: true }), 'mood.feedback': () => ({ recorded: true }) });
  const decks = testDecks();
  const player = new Player(backend.api, decks, options);
  return { backend, decks, a: decks[0], b: decks[1], player };
}

const tracks = (...ids: number[]): Track[] => ids.map((id) => track(id)); // 180 s each
const media = (id: number) => expect.stringMatching(new RegExp(`/media/${id}$`));
const NEAR_END = 180 - PRELOAD_AHEAD_SEC + 5;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('Player with two decks: gapless', () => {
  it('loads the next track on the other deck, silent and paused, once the current one nears its end', () => {
    const { a, b, player } = setup();
    player.playList(tracks(1, 2));
    expect(a.loads).toEqual([media(1)]);
    playTo(a, 60);
    expect(b.loads).toEqual([]); // far from the end: nothing is loaded ahead yet
    playTo(a, NEAR_END);
    expect(b.loads).toEqual([media(2)]);
    expect(b.play).not.toHaveBeenCalled();
    expect(b.volume).toBe(0);
    expect(player.current?.track.id).toBe(1);
    expect(player.audio).toBe(a);
    playTo(a, NEAR_END + 1);
    expect(b.loads).toHaveLength(1); // not loaded twice
  });

  it('starts the loaded deck the moment the current one ends, without loading it again', () => {
    const onTrackStart = vi.fn();
    const { a, b, player } = setup({ onTrackStart });
    player.playList(tracks(1, 2));
    a.dispatchEvent(new Event('playing'));
    playTo(a, NEAR_END);
    end(a);
    expect(player.current?.track.id).toBe(2);
    expect(player.audio).toBe(b);
    expect(b.play).toHaveBeenCalledTimes(1);
    expect(b.loads).toEqual([media(2)]);
    expect(a.loads).toEqual([media(1)]);
    expect(b.volume).toBeCloseTo(0.8); // full level, at the player's volume
    expect(b.dataset.testid).toBe('player-audio');
    expect(a.dataset.testid).toBe('player-audio-next');
    expect(player.playing).toBe(true);
    b.dispatchEvent(new Event('playing'));
    expect(onTrackStart).toHaveBeenCalledTimes(2);
    expect(onTrackStart.mock.calls[1]![0]).toMatchObject({ track: { id: 2 } });
    // The deck that played the first track now loads the third... when there is one.
    playTo(b, NEAR_END);
    expect(a.loads).toEqual([media(1)]);
  });

  it('follows a change of what comes next: a queue edit loads the new next track instead', () => {
    const { a, b, player } = setup();
    player.playList(tracks(1, 2, 3));
    playTo(a, NEAR_END);
    expect(b.loads).toEqual([media(2)]);
    player.remove(player.queue[1]!.key);
    playTo(a, NEAR_END + 1);
    expect(b.loads).toEqual([media(2), media(3)]);
    player.add([track(7)], 'next');
    playTo(a, NEAR_END + 2);
    expect(b.loads.at(-1)).toEqual(media(7));
    end(a);
    expect(player.current?.track.id).toBe(7);
    expect(player.audio).toBe(b);
  });

  it('loads afresh on the current deck when the one loaded ahead is no longer next', () => {
    const { a, b, player } = setup();
    player.playList(tracks(1, 2, 3));
    playTo(a, NEAR_END);
    player.remove(player.queue[1]!.key); // no time update comes before the end
    end(a);
    expect(player.current?.track.id).toBe(3);
    expect(player.audio).toBe(a);
    expect(a.loads).toEqual([media(1), media(3)]);
    expect(b.play).not.toHaveBeenCalled();
  });

  it('repeats one song from the other deck, as a new play', () => {
    const onTrackStart = vi.fn();
    const { a, b, player } = setup({ onTrackStart });
    player.playList(tracks(1, 2));
    player.repeat = 'one';
    a.dispatchEvent(new Event('playing'));
    playTo(a, NEAR_END);
    expect(b.loads).toEqual([media(1)]);
    end(a);
    expect(player.current?.track.id).toBe(1);
    expect(player.audio).toBe(b);
    b.dispatchEvent(new Event('playing'));
    expect(onTrackStart).toHaveBeenCalledTimes(2);
  });

  it('shuffles to the very track it loaded ahead', () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.99);
    const { a, b, player } = setup();
    player.playList(tracks(1, 2, 3, 4));
    player.shuffle = true;
    playTo(a, NEAR_END);
    expect(b.loads).toEqual([media(4)]);
    random.mockReturnValue(0); // a second draw would pick track 2
    playTo(a, NEAR_END + 1);
    end(a);
    expect(player.current?.track.id).toBe(4);
    expect(player.audio).toBe(b);
  });

  it('loads what the queue runs on to ahead, and appends it when it starts', () => {
    const onQueueEnd = vi.fn(() => track(9));
    const { a, b, player } = setup({ onQueueEnd });
    player.playList(tracks(1));
    playTo(a, NEAR_END);
    expect(b.loads).toEqual([media(9)]);
    expect(player.queue).toHaveLength(1); // not in the queue before it plays
    end(a);
    expect(player.queue.map((q) => q.track.id)).toEqual([1, 9]);
    expect(player.current?.track.id).toBe(9);
    expect(player.audio).toBe(b);
    expect(b.loads).toHaveLength(1);
  });

  it('uses the loaded deck at once for the listener’s Next', () => {
    const { a, b, player } = setup();
    player.playList(tracks(1, 2));
    a.play();
    playTo(a, NEAR_END);
    player.next();
    expect(player.current?.track.id).toBe(2);
    expect(player.audio).toBe(b);
    expect(a.paused).toBe(true);
    expect(b.paused).toBe(false);
    expect(b.volume).toBeCloseTo(0.8);
    expect(a.volume).toBe(0);
  });

  it('does not blame a track that failed only while loading ahead, and loads it again when its turn comes', async () => {
    const { backend, a, b, player } = setup();
    player.playList(tracks(1, 2));
    playTo(a, NEAR_END);
    failLoad(b, 4, 'DEMUXER_ERROR_COULD_NOT_OPEN');
    await settle();
    expect(backend.callsTo('library.markUnplayable')).toEqual([]);
    expect(player.message).toBe('');
    expect(player.current?.track.id).toBe(1);
    playTo(a, NEAR_END + 1);
    expect(b.loads).toHaveLength(1); // not retried over and over in the background
    end(a);
    // Its turn: loaded afresh on the current deck, where a failure is the track's.
    expect(player.current?.track.id).toBe(2);
    expect(player.audio).toBe(a);
    expect(a.loads).toEqual([media(1), media(2)]);
    expect(b.play).not.toHaveBeenCalled();
    failLoad(a, 4, 'DEMUXER_ERROR_COULD_NOT_OPEN');
    await settle();
    expect(backend.callsTo('library.markUnplayable')).toEqual([{ trackId: 2, message: 'DEMUXER_ERROR_COULD_NOT_OPEN' }]);
  });

  it('loads nothing ahead while the connection is down', () => {
    const connection = new ConnectionState('online');
    const { a, b, player } = setup({ connection });
    player.playList(tracks(1, 2));
    connection.report('offline');
    playTo(a, NEAR_END);
    expect(b.loads).toEqual([]);
  });
});

describe('Player with two decks: crossfade', () => {
  it('starts the next deck crossfade seconds before the end, blends at equal power, and stops the old deck after', () => {
    vi.useFakeTimers();
    const onTrackStart = vi.fn();
    const { a, b, player } = setup({ onTrackStart });
    player.setCrossfade(4);
    player.playList(tracks(1, 2));
    a.play();
    a.dispatchEvent(new Event('playing'));
    playTo(a, 170);
    expect(b.loads).toEqual([media(2)]);
    expect(b.play).not.toHaveBeenCalled(); // 10 s left: not yet
    playTo(a, 176);
    expect(b.play).toHaveBeenCalledTimes(1);
    expect(player.current?.track.id).toBe(2);
    expect(player.audio).toBe(b);
    b.dispatchEvent(new Event('playing'));
    expect(onTrackStart).toHaveBeenCalledTimes(2);
    // Half way: both play, each at cos/sin of 45°, so their powers add up to the volume's.
    vi.advanceTimersByTime(2000);
    expect(a.paused).toBe(false);
    expect(b.paused).toBe(false);
    expect(a.volume).toBeGreaterThan(0.1);
    expect(b.volume).toBeGreaterThan(0.1);
    expect(a.volume ** 2 + b.volume ** 2).toBeCloseTo(0.8 ** 2, 1);
    // The old song ends: its deck stops, and the new one plays at its full level.
    vi.advanceTimersByTime(2000);
    end(a);
    expect(a.paused).toBe(true);
    expect(b.paused).toBe(false);
    expect(b.volume).toBeCloseTo(0.8);
    expect(a.volume).toBe(0);
    // The old deck's pause and end are not the current song's.
    expect(player.playing).toBe(true);
    expect(player.current?.track.id).toBe(2);
  });

  it('stops the old deck after the fade even if its end never comes', () => {
    vi.useFakeTimers();
    const { a, b, player } = setup();
    player.setCrossfade(4);
    player.playList(tracks(1, 2));
    a.play();
    playTo(a, 170);
    playTo(a, 177);
    expect(b.paused).toBe(false);
    vi.advanceTimersByTime(5000);
    expect(a.paused).toBe(true);
    expect(b.volume).toBeCloseTo(0.8);
  });

  it('blends from wherever the listener seeks to in the last seconds', () => {
    vi.useFakeTimers();
    const { a, b, player } = setup();
    player.setCrossfade(8);
    player.playList(tracks(1, 2));
    a.play();
    playTo(a, 10);
    player.seek(178);
    a.dispatchEvent(new Event('timeupdate'));
    expect(b.loads).toEqual([media(2)]);
    expect(b.play).toHaveBeenCalledTimes(1);
    expect(a.paused).toBe(false);
    vi.advanceTimersByTime(2600);
    expect(a.paused).toBe(true);
  });

  it('cuts the blend short when the listener pauses or skips', () => {
    vi.useFakeTimers();
    const { a, b, player } = setup();
    player.setCrossfade(4);
    player.playList(tracks(1, 2, 3));
    a.play();
    playTo(a, 170);
    playTo(a, 177);
    expect(a.paused).toBe(false);
    player.toggle(); // pause
    expect(a.paused).toBe(true);
    expect(b.paused).toBe(true);
    player.toggle(); // play again: only the new song
    expect(b.paused).toBe(false);
    expect(a.paused).toBe(true);
    expect(b.volume).toBeCloseTo(0.8);
    // A skip during the next blend: the old song stops at once, the chosen one plays alone.
    playTo(b, 170);
    playTo(b, 177);
    expect(a.paused).toBe(false); // blending the third song in on deck a
    player.previous();
    expect(player.current?.track.id).toBe(2);
    expect(b.paused).toBe(true);
    expect(a.loads.at(-1)).toEqual(media(2));
    expect(a.volume).toBeCloseTo(0.8);
  });

  it('does not blend into a track that is not loaded ahead: it follows when the song ends', () => {
    const { a, b, player } = setup();
    player.setCrossfade(4);
    player.playList(tracks(1, 2));
    a.play();
    playTo(a, 170);
    failLoad(b, 2, 'net::ERR_CONNECTION_RESET');
    playTo(a, 177);
    expect(player.current?.track.id).toBe(1);
    end(a);
    expect(player.current?.track.id).toBe(2);
    expect(a.loads).toEqual([media(1), media(2)]);
  });

  it('plays back to back with no crossfade (0 s), and keeps the setting within 0 to 12 s', () => {
    const { a, b, player } = setup();
    player.playList(tracks(1, 2));
    a.play();
    playTo(a, 179);
    expect(b.play).not.toHaveBeenCalled();
    player.setCrossfade(30);
    expect(player.crossfadeSec).toBe(12);
    player.setCrossfade(-1);
    expect(player.crossfadeSec).toBe(0);
  });
});
