import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlayerState, RestoredPlayerState } from '../../src/shared/playerState.js';
import { MAX_SAVED_QUEUE } from '../../src/shared/playerState.js';
import { HandsFree } from '../../src/renderer/lib/handsFree.svelte.js';
import { Player } from '../../src/renderer/lib/player.svelte.js';
import { PlayerPersistence, toSavedState } from '../../src/renderer/lib/playerPersistence.svelte.js';
import { fakeBackend, silentAudio, track } from './fakes.js';

const TIMING = { changeDelayMs: 500, positionDelayMs: 10_000 };

function setup(restored: RestoredPlayerState | null = null) {
  const saves: PlayerState[] = [];
  const backend = fakeBackend({
    'player.state': () => restored,
    'player.saveState': ({ state }) => {
      saves.push(state as PlayerState);
      return { saved: true };
    },
  });
  const audio = silentAudio();
  const player = new Player(backend.api, audio);
  const handsFree = new HandsFree(backend.api, player);
  const persistence = new PlayerPersistence(backend.api, player, handsFree, TIMING);
  return { backend, audio, player, handsFree, persistence, saves };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('PlayerPersistence', () => {
  it('restores the queue, position, sound and loop of the last run, paused', async () => {
    const { player, handsFree, persistence, audio } = setup({
      queue: [track(1), track(2)],
      index: 1,
      positionSec: 30,
      volume: 0.5,
      muted: false,
      mode: 'lift',
      handsFree: false,
      switchNow: true,
      dropped: 2,
    });
    await persistence.restore();
    expect(player.current?.track.id).toBe(2);
    expect(player.currentTime).toBe(30);
    expect(audio.play).not.toHaveBeenCalled();
    expect(handsFree.enabled).toBe(false);
    expect(handsFree.mode).toBe('lift');
    expect(handsFree.switchNow).toBe(true);
    expect(persistence.note).toBe('2 songs of your last queue are no longer in the library, so they were left out.');
  });

  it('saves nothing before the restore, so an empty start never overwrites the saved state', async () => {
    const { player, persistence, saves } = setup(null);
    const stop = persistence.start();
    player.playList([track(1)]);
    await vi.advanceTimersByTimeAsync(1000);
    persistence.saveNow();
    expect(saves).toEqual([]);
    stop();
  });

  it('saves a change of queue soon after it, and the position alone only every so often', async () => {
    const { player, persistence, saves } = setup(null);
    await persistence.restore();
    const stop = persistence.start();
    player.playList([track(1), track(2)]);
    await vi.advanceTimersByTimeAsync(499);
    expect(saves).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(saves).toHaveLength(1);
    expect(saves[0]).toMatchObject({ queue: [1, 2], index: 0, positionSec: 0, mode: 'match', handsFree: true });

    player.currentTime = 5;
    await vi.advanceTimersByTimeAsync(5_000);
    player.currentTime = 9;
    await vi.advanceTimersByTimeAsync(4_999);
    expect(saves).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(saves).toHaveLength(2);
    expect(saves[1]!.positionSec).toBe(9);
    stop();
  });

  it('saves at once when the page goes away or playback pauses, and not twice the same state', async () => {
    const { audio, player, persistence, saves } = setup(null);
    await persistence.restore();
    const stop = persistence.start();
    player.playList([track(1)]);
    player.currentTime = 12;
    window.dispatchEvent(new Event('pagehide'));
    await vi.advanceTimersByTimeAsync(0);
    expect(saves).toHaveLength(1);
    expect(saves[0]!.positionSec).toBe(12);
    audio.dispatchEvent(new Event('pause'));
    await vi.advanceTimersByTimeAsync(0);
    expect(saves).toHaveLength(1);
    stop();
  });

  it('keeps the part of a long queue around the current track within the size the backend takes', () => {
    const { player, handsFree } = setup(null);
    player.queue = Array.from({ length: MAX_SAVED_QUEUE + 1000 }, (_, i) => player.item(track(i + 1)));
    player.index = MAX_SAVED_QUEUE + 900;
    const state = toSavedState(player, handsFree);
    expect(state.queue).toHaveLength(MAX_SAVED_QUEUE);
    expect(state.queue[state.index]).toBe(MAX_SAVED_QUEUE + 901);
  });
});
