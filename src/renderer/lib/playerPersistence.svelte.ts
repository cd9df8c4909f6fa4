/**
 * Keeps the player's state in the backend so that a reload or a restart finds the queue, the
 * position, the sound and the loop as they were, paused. A change to the queue or a setting is
 * saved soon after it; the position alone only every so often (it changes four times a second),
 * and everything at once when the page goes away or playback pauses.
 */
import type { EmotuneApi } from '../../shared/api.js';
import { MAX_SAVED_QUEUE, type PlayerState } from '../../shared/playerState.js';
import type { HandsFree } from './handsFree.svelte.js';
import type { Player } from './player.svelte.js';

export interface PersistenceTiming {
  /** After a change of queue, track or setting. */
  changeDelayMs: number;
  /** After the position alone moved. */
  positionDelayMs: number;
}

export const DEFAULT_PERSISTENCE_TIMING: PersistenceTiming = { changeDelayMs: 500, positionDelayMs: 10_000 };

/** The saved form: a queue past the limit keeps the part around the current track. */
export function toSavedState(
  player: Player,
  handsFree: Pick<HandsFree, 'enabled' | 'mode' | 'switchNow' | 'switchWithinSec'>,
): PlayerState {
  const { queue, index, positionSec, volume, muted, crossfadeSec, levelling } = player.snapshot;
  let ids = queue;
  let at = index;
  if (ids.length > MAX_SAVED_QUEUE) {
    const start = Math.max(0, Math.min(index - Math.floor(MAX_SAVED_QUEUE / 2), ids.length - MAX_SAVED_QUEUE));
    ids = ids.slice(start, start + MAX_SAVED_QUEUE);
    at = index - start;
  }
  return {
    queue: ids,
    index: ids.length === 0 ? -1 : Math.max(-1, Math.min(at, ids.length - 1)),
    positionSec: Math.max(0, positionSec),
    volume,
    muted,
    mode: handsFree.mode,
    handsFree: handsFree.enabled,
    switchNow: handsFree.switchNow,
    switchWithinSec: handsFree.switchWithinSec,
    crossfadeSec,
    levelling,
  };
}

export class PlayerPersistence {
  /** A quiet note about the restore ("2 songs of your queue are no longer in the library"). */
  note = $state('');
  restored = $state(false);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dueAt = Infinity;
  private lastSaved = '';

  constructor(
    private readonly api: EmotuneApi,
    private readonly player: Player,
    private readonly handsFree: HandsFree,
    private readonly timing: PersistenceTiming = DEFAULT_PERSISTENCE_TIMING,
  ) {}

  /** Reads the last run's state and applies it; saving starts only after this, so it never overwrites it with an empty one. */
  async restore(): Promise<void> {
    try {
      const state = await this.api.player.state();
      if (state) {
        this.handsFree.enabled = state.handsFree;
        this.handsFree.mode = state.mode;
        if (state.switchWithinSec === undefined) this.handsFree.switchNow = state.switchNow;
        else this.handsFree.switchWithinSec = state.switchWithinSec;
        this.player.restore(state);
        if (state.dropped > 0) {
          this.note = `${state.dropped} song${state.dropped === 1 ? '' : 's'} of your last queue ${state.dropped === 1 ? 'is' : 'are'} no longer in the library, so ${state.dropped === 1 ? 'it was' : 'they were'} left out.`;
        }
      }
    } catch {
      // Nothing to restore is no reason to stop the app; the next save writes a fresh state.
    }
    this.lastSaved = JSON.stringify(toSavedState(this.player, this.handsFree));
    this.restored = true;
  }

  /** Watches the state and saves it; returns what stops it (after a last save). */
  start(): () => void {
    let lastStructure = '';
    const stopEffects = $effect.root(() => {
      $effect(() => {
        if (!this.restored) return;
        const state = toSavedState(this.player, this.handsFree);
        const { positionSec: _position, ...structure } = state;
        const key = JSON.stringify(structure);
        const structural = key !== lastStructure;
        lastStructure = key;
        this.schedule(structural ? this.timing.changeDelayMs : this.timing.positionDelayMs);
      });
    });
    const onPageHide = () => this.saveNow();
    // The listener's pause, on whichever deck is current; the old song stopping after a crossfade is not one.
    const onPause = (e: Event) => {
      if (e.target === this.player.audio) this.saveNow();
    };
    window.addEventListener('pagehide', onPageHide);
    for (const deck of this.player.decks) deck.addEventListener('pause', onPause);
    return () => {
      stopEffects();
      window.removeEventListener('pagehide', onPageHide);
      for (const deck of this.player.decks) deck.removeEventListener('pause', onPause);
      clearTimeout(this.timer);
    };
  }

  private schedule(delayMs: number): void {
    const due = performance.now() + delayMs;
    // A save already due sooner stands; the position never pushes a change's save back.
    if (due >= this.dueAt) return;
    clearTimeout(this.timer);
    this.dueAt = due;
    this.timer = setTimeout(() => this.saveNow(), delayMs);
  }

  saveNow(): void {
    clearTimeout(this.timer);
    this.dueAt = Infinity;
    if (!this.restored) return;
    const state = toSavedState(this.player, this.handsFree);
    const text = JSON.stringify(state);
    if (text === this.lastSaved) return;
    this.api.player.saveState({ state }).then(
      () => (this.lastSaved = text),
      () => undefined, // kept for the next change or the next connection
    );
  }
}
