/**
 * The closed loop: when the stable expression changes, the mood policy picks the next track.
 * By default the current song finishes first; the listener can instead have the new one start at
 * once, or within N seconds (so a seven-minute song does not keep a sad listener waiting, while a
 * song about to end still ends). Without a face, with an unclear one or with the camera off, the
 * queue simply goes on. A choice made by hand pauses the loop until the user turns it on again.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { ExpressionState } from '../../shared/expressions.js';
import type { Mood, PolicyMode } from '../../shared/mood.js';
import { plainMessage } from './errorWording.js';
import type { Player } from './player.svelte.js';
import { mark } from './timeline.js';

export interface TimelineEntry {
  at: number;
  expression: ExpressionState;
  mood: Mood | null;
  track: string | null;
}

/** The choices offered for "switch songs": null waits for the song to end, 0 switches at once. */
export const SWITCH_WITHIN_CHOICES = [null, 0, 10, 30, 60] as const;

export class HandsFree {
  enabled = $state(true);
  mode = $state<PolicyMode>('match');
  /** How long the current song may go on once the loop has picked another: null = to its end, 0 = not at all. */
  switchWithinSec = $state<number | null>(null);
  message = $state('');
  timeline = $state<TimelineEntry[]>([]);
  readonly startedAt = Date.now();
  private busy: Promise<void> = Promise.resolve();
  private switchTimer: ReturnType<typeof setTimeout> | undefined;

  /** The older on/off form of the setting ("switch at once"), as saved state and the first settings had it. */
  get switchNow(): boolean {
    return this.switchWithinSec === 0;
  }

  set switchNow(on: boolean) {
    this.switchWithinSec = on ? 0 : null;
  }

  constructor(
    private readonly api: EmotuneApi,
    private readonly player: Player,
  ) {}

  setEnabled(on: boolean): void {
    if (!on) this.cancelSwitch();
    this.enabled = on;
    this.message = on ? '' : 'Hands-free is paused.';
  }

  /** Any choice the user makes by hand wins over the loop until the loop is turned on again. */
  manualOverride(): void {
    if (!this.enabled) return;
    this.cancelSwitch();
    this.enabled = false;
    this.message = 'Hands-free paused: you chose the music. Turn hands-free on to let your face choose again.';
  }

  /** The latest stable expression, for plays the listener starts themselves. */
  lastStable = $state<ExpressionState | null>(null);

  /** Follows the stable expression, not single frames; returns the unsubscribe function. */
  connect(): () => void {
    return this.api.on('vision.faces', (r) => {
      if (r.state.changed) this.onStableChange(r.state.stable);
    });
  }

  onStableChange(expression: ExpressionState): void {
    this.lastStable = expression;
    const changedAt = performance.now();
    // One decision at a time, in order.
    this.busy = this.busy
      .then(() => this.decide(expression, changedAt))
      .catch((e: Error) => void (this.message = `Hands-free could not choose a song. ${plainMessage(e)}`));
  }

  private async decide(expression: ExpressionState, changedAt: number): Promise<void> {
    if (!this.enabled) return;
    const current = this.player.current;
    const choice = await this.api.mood.next({
      expression,
      mode: this.mode,
      ...(current ? { currentTrackId: current.track.id } : {}),
    });
    this.timeline = [
      ...this.timeline,
      { at: Date.now(), expression, mood: choice?.targetMood ?? null, track: choice?.track.title ?? null },
    ].slice(-50);
    if (!choice) return;
    const item = this.player.item(choice.track, choice.reason, { expression, mode: this.mode });
    const upcoming = this.player.upcoming;
    // A song the loop queued earlier and that has not started is replaced, not stacked.
    if (upcoming?.reason) this.player.remove(upcoming.key);
    const at = this.player.enqueue(item, 'next');
    mark('emotune:auto-choice', { detail: { trackId: choice.track.id, stableAt: changedAt } });
    this.cancelSwitch();
    // Start now when asked to, or when nothing is playing because nothing was queued or the
    // queue ran out; a pause the user chose is left alone.
    if (this.switchWithinSec === 0 || !current || this.player.finished) {
      this.player.playAt(at);
      return;
    }
    const within = this.switchWithinSec;
    // Unknown length (a stream not yet read): the wait applies.
    const length = this.player.duration || (current.track.durationSec ?? Infinity);
    const left = length - this.player.currentTime;
    // A song that ends within the wait ends as it would have; the pick follows it.
    if (within !== null && this.player.playing && !(left <= within)) {
      this.switchTimer = setTimeout(() => this.switchTo(item.key), within * 1000);
    }
  }

  /** The wait is over: the pick starts, if it is still the next song and the music is playing. */
  private switchTo(key: number): void {
    this.switchTimer = undefined;
    const upcoming = this.player.upcoming;
    if (!this.enabled || !this.player.playing || upcoming?.key !== key) return;
    this.player.playAt(this.player.index + 1);
  }

  private cancelSwitch(): void {
    clearTimeout(this.switchTimer);
    this.switchTimer = undefined;
  }
}
