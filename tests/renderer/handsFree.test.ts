import { describe, expect, it, vi } from 'vitest';
import type { ApiParams, TrackChoiceResult } from '../../src/shared/api.js';
import type { Mood } from '../../src/shared/mood.js';
import { HandsFree } from '../../src/renderer/lib/handsFree.svelte.js';
import { Player } from '../../src/renderer/lib/player.svelte.js';
import { detection, fakeBackend, fire, settle, silentAudio, track } from './fakes.js';

type NextParams = ApiParams<'mood.next'>;

function choice(id: number, targetMood: Mood = 'happy'): TrackChoiceResult {
  return { track: track(id, { title: `Pick ${id}`, mood: targetMood }), targetMood, reason: `you look ${targetMood}` };
}

function setup(next: (p: NextParams) => TrackChoiceResult | null | Promise<TrackChoiceResult | null> = () => choice(10)) {
  const moodNext = vi.fn(next);
  const backend = fakeBackend({ 'mood.next': moodNext, 'mood.feedback': () => ({ recorded: true }) });
  const audio = silentAudio();
  const player = new Player(backend.api, audio);
  const handsFree = new HandsFree(backend.api, player);
  return { backend, audio, player, handsFree, moodNext };
}

describe('HandsFree', () => {
  it('asks for a track for the new stable expression and, with nothing queued, plays it at once', async () => {
    const { player, handsFree, moodNext } = setup();
    handsFree.onStableChange('happiness');
    await settle();
    expect(moodNext.mock.calls).toEqual([[{ expression: 'happiness', mode: 'match' }]]);
    expect(player.current?.track.id).toBe(10);
    expect(player.current?.reason).toBe('you look happy');
    // The choice keeps the expression and mode of its moment, for the play history.
    expect(player.current?.choice).toEqual({ expression: 'happiness', mode: 'match' });
    expect(handsFree.lastStable).toBe('happiness');
  });

  it('lets the current song finish: the pick is queued next, with the current track named to the policy', async () => {
    const { player, handsFree, moodNext } = setup();
    player.playList([track(1), track(2)]);
    handsFree.mode = 'lift';
    handsFree.onStableChange('sadness');
    await settle();
    expect(moodNext.mock.calls).toEqual([[{ expression: 'sadness', mode: 'lift', currentTrackId: 1 }]]);
    expect(player.current?.track.id).toBe(1);
    expect(player.queue.map((q) => q.track.id)).toEqual([1, 10, 2]);
  });

  it('switches at once when asked to', async () => {
    const { player, handsFree } = setup();
    player.playList([track(1), track(2)]);
    handsFree.switchNow = true;
    handsFree.onStableChange('happiness');
    await settle();
    expect(player.current?.track.id).toBe(10);
  });

  it('switches within N seconds when asked to, unless the song ends sooner, or the listener stepped in', async () => {
    vi.useFakeTimers();
    try {
      const { audio, player, handsFree } = setup();
      player.playList([track(1, { durationSec: 420 }), track(2)]);
      fire(audio, 'playing');
      player.playing = true;
      handsFree.switchWithinSec = 30;
      handsFree.onStableChange('happiness');
      await vi.advanceTimersByTimeAsync(0);
      expect(player.current?.track.id).toBe(1);
      await vi.advanceTimersByTimeAsync(29_000);
      expect(player.current?.track.id).toBe(1);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(player.current?.track.id).toBe(10);
      expect(player.queue.map((q) => q.track.id)).toEqual([1, 10, 2]);

      // A song with less than the wait left plays to its end.
      player.playList([track(3, { durationSec: 420 }), track(4)]);
      player.playing = true;
      player.currentTime = 400;
      handsFree.onStableChange('sadness');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(player.current?.track.id).toBe(3);

      // A choice by hand during the wait wins.
      player.playList([track(5, { durationSec: 420 }), track(6)]);
      player.playing = true;
      handsFree.setEnabled(true);
      handsFree.onStableChange('happiness');
      await vi.advanceTimersByTimeAsync(0);
      handsFree.manualOverride();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(player.current?.track.id).toBe(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts the pick when the queue has run out', async () => {
    const { audio, player, handsFree } = setup();
    player.playList([track(1)]);
    Object.defineProperty(audio, 'ended', { configurable: true, value: true });
    handsFree.onStableChange('happiness');
    await settle();
    expect(player.current?.track.id).toBe(10);
  });

  it('replaces its own earlier pick that has not started instead of stacking picks', async () => {
    let id = 10;
    const { player, handsFree } = setup(() => choice(id++));
    player.playList([track(1), track(2)]);
    handsFree.onStableChange('happiness');
    handsFree.onStableChange('sadness');
    await settle();
    expect(player.queue.map((q) => q.track.id)).toEqual([1, 11, 2]);
  });

  it('decides one change at a time, in order', async () => {
    const answers: ((c: TrackChoiceResult | null) => void)[] = [];
    const { handsFree, moodNext } = setup(() => new Promise((resolve) => answers.push(resolve)));
    handsFree.onStableChange('happiness');
    handsFree.onStableChange('sadness');
    await settle();
    expect(moodNext).toHaveBeenCalledTimes(1);
    answers[0]!(choice(10));
    await settle();
    expect(moodNext).toHaveBeenCalledTimes(2);
    expect(moodNext.mock.calls[1]![0].expression).toBe('sadness');
  });

  it('asks nothing while it is turned off, and a choice by hand turns it off', async () => {
    const { player, handsFree, moodNext } = setup();
    handsFree.setEnabled(false);
    expect(handsFree.message).toBe('Hands-free is paused.');
    handsFree.onStableChange('happiness');
    await settle();
    expect(moodNext).not.toHaveBeenCalled();
    expect(player.current).toBeUndefined();
    // The face is still followed, for plays the listener starts.
    expect(handsFree.lastStable).toBe('happiness');

    handsFree.setEnabled(true);
    expect(handsFree.message).toBe('');
    handsFree.manualOverride();
    expect(handsFree.enabled).toBe(false);
    expect(handsFree.message).toMatch(/you chose the music/);
    handsFree.onStableChange('sadness');
    await settle();
    expect(moodNext).not.toHaveBeenCalled();
  });

  it('leaves the message alone on a choice by hand while it is already off', () => {
    const { handsFree } = setup();
    handsFree.setEnabled(false);
    handsFree.manualOverride();
    expect(handsFree.message).toBe('Hands-free is paused.');
  });

  it('keeps a timeline of each decision, also when the policy found nothing', async () => {
    let answer: TrackChoiceResult | null = choice(10, 'calm');
    const { player, handsFree } = setup(() => answer);
    handsFree.onStableChange('neutral');
    await settle();
    answer = null;
    handsFree.onStableChange('no-face');
    await settle();
    expect(handsFree.timeline.map(({ expression, mood, track }) => ({ expression, mood, track }))).toEqual([
      { expression: 'neutral', mood: 'calm', track: 'Pick 10' },
      { expression: 'no-face', mood: null, track: null },
    ]);
    expect(player.queue).toHaveLength(1);
  });

  it('shows a refused decision and goes on deciding', async () => {
    let fail = true;
    const { player, handsFree } = setup(() => {
      if (fail) throw new Error('the mood service is down');
      return choice(10);
    });
    handsFree.onStableChange('happiness');
    await settle();
    expect(handsFree.message).toBe('Hands-free could not choose a song. The mood service is down.');
    fail = false;
    handsFree.onStableChange('sadness');
    await settle();
    expect(player.current?.track.id).toBe(10);
  });

  it('follows the stable expression of the camera events, not every frame, until disconnected', async () => {
    const { backend, handsFree, moodNext } = setup();
    const disconnect = handsFree.connect();
    backend.emit('vision.faces', detection('happiness', false));
    await settle();
    expect(moodNext).not.toHaveBeenCalled();
    backend.emit('vision.faces', detection('happiness', true));
    await settle();
    expect(moodNext).toHaveBeenCalledTimes(1);
    disconnect();
    expect(backend.listenerCount('vision.faces')).toBe(0);
    backend.emit('vision.faces', detection('sadness', true));
    await settle();
    expect(moodNext).toHaveBeenCalledTimes(1);
  });
});
