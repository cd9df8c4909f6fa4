import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlayerState, RestoredPlayerState } from '../../src/shared/playerState.js';
import { MAX_SAVED_QUEUE } from '../../src/shared/playerState.js';
import { HandsFree } from '../../src/renderer/lib/handsFree.svelte.js';
import { Player } from '../../src/renderer/lib/player.svelte.js';
import { PlayerPersistence, toSavedState } from '../../src/renderer/lib/playerPersistence.svelte.js';
import { fakeBackend, silentAudio, track } from './fakes.js';
import { playTo, testDecks } from './fakeDecks.js';

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

  it('saves the crossfade and the levelling, and brings them back; a state saved before they existed keeps the defaults', async () => {
    const { player, persistence, saves } = setup(null);
    await persistence.restore();
    const stop = persistence.start();
    player.setCrossfade(6);
    player.setLevelling('album');
    await vi.advanceTimersByTimeAsync(500);
    expect(saves.at(-1)).toMatchObject({ crossfadeSec: 6, levelling: 'album' });
    stop();

    const restored = {
      queue: [track(1)],
      index: 0,
      positionSec: 0,
      volume: 1,
      muted: false,
      mode: 'match',
      handsFree: true,
      switchNow: false,
    };
    const later = setup({ ...restored, crossfadeSec: 3, levelling: 'off', dropped: 0 } as RestoredPlayerState);
    await later.persistence.restore();
    expect(later.player.crossfadeSec).toBe(3);
    expect(later.player.levelling).toBe('off');
    const older = setup({ ...restored, dropped: 0 } as RestoredPlayerState);
    await older.persistence.restore();
    expect(older.player.crossfadeSec).toBe(0);
    expect(older.player.levelling).toBe('track');
  });

  it('saves how soon hands-free switches, and reads the older on/off form of it', async () => {
    const { handsFree, persistence, saves } = setup(null);
    await persistence.restore();
    const stop = persistence.start();
    handsFree.switchWithinSec = 30;
    await vi.advanceTimersByTimeAsync(500);
    expect(saves.at(-1)).toMatchObject({ switchWithinSec: 30, switchNow: false });
    stop();

    const base: Omit<RestoredPlayerState, 'switchNow'> = {
      queue: [],
      index: -1,
      positionSec: 0,
      volume: 1,
      muted: false,
      mode: 'match',
      handsFree: true,
      dropped: 0,
    };
    const later = setup({ ...base, switchNow: false, switchWithinSec: 60 });
    await later.persistence.restore();
    expect(later.handsFree.switchWithinSec).toBe(60);
    const older = setup({ ...base, switchNow: true });
    await older.persistence.restore();
    expect(older.handsFree.switchWithinSec).toBe(0);
  });

  it('saves on a pause of the current deck, whichever it is, but not when the old song stops after a crossfade', async () => {
    const saves: PlayerState[] = [];
    const { api } = fakeBackend({
      'player.state': () => null,
      'player.saveState': ({ state }) => (saves.push(state as PlayerState), { saved: true }),
    });
    const [a, b] = testDecks();
    const player = new Player(api, [a, b]);
    const persistence = new PlayerPersistence(api, player, new HandsFree(api, player), TIMING);
    await persistence.restore();
    const stop = persistence.start();
    player.setCrossfade(4);
    player.playList([track(1), track(2)]);
    a.play();
    playTo(a, 170);
    playTo(a, 177); // the blend starts: track 2 on deck b
    await vi.advanceTimersByTimeAsync(600);
    const before = saves.length;
    playTo(b, 1); // only the position moved: not worth a save yet
    await vi.advanceTimersByTimeAsync(4000); // the blend ends and deck a stops
    expect(a.paused).toBe(true);
    expect(saves).toHaveLength(before);
    player.toggle(); // the listener pauses deck b
    await vi.advanceTimersByTimeAsync(0);
    expect(saves).toHaveLength(before + 1);
    expect(saves.at(-1)).toMatchObject({ index: 1, positionSec: 1 });
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
