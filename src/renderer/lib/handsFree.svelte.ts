/**
 * The closed loop: when the stable expression changes, the mood policy picks the next track.
 * By default the current song finishes first; with "switch at once" the new one starts now.
 * Without a face, with an unclear one or with the camera off, the queue simply goes on. A choice
 * made by hand pauses the loop until the user turns it on again.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { ExpressionState } from '../../shared/expressions.js';
import type { Mood, PolicyMode } from '../../shared/mood.js';
import { plainMessage } from './errorWording.js';
import type { Player } from './player.svelte.js';

export interface TimelineEntry {
  at: number;
  expression: ExpressionState;
  mood: Mood | null;
  track: string | null;
}

export class HandsFree {
  enabled = $state(true);
  mode = $state<PolicyMode>('match');
  switchNow = $state(false);
  message = $state('');
  timeline = $state<TimelineEntry[]>([]);
  readonly startedAt = Date.now();
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: EmotuneApi,
    private readonly player: Player,
  ) {}

  setEnabled(on: boolean): void {
    this.enabled = on;
    this.message = on ? '' : 'Hands-free is paused.';
  }

  /** Any choice the user makes by hand wins over the loop until the loop is turned on again. */
  manualOverride(): void {
    if (!this.enabled) return;
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
    performance.mark('emotune:auto-choice', { detail: { trackId: choice.track.id, stableAt: changedAt } });
    // Start now when asked to, or when nothing is playing because nothing was queued or the
    // queue ran out; a pause the user chose is left alone.
    if (this.switchNow || !current || this.player.finished) this.player.playAt(at);
  }
}
