/**
 * The player: one audio element behind play, pause, next, previous, seek, volume, mute,
 * shuffle and repeat, with a queue the user can see and edit. Audio comes from the backend's
 * media URLs (library tracks only). A track that fails is skipped with a message and reported.
 */
import { isSuperseded, playFailure } from './mediaErrors.js';
import type { EmotuneApi } from '../../shared/api.js';
import type { ExpressionState } from '../../shared/expressions.js';
import type { PolicyMode } from '../../shared/mood.js';
import type { Track } from '../../shared/library.js';

export type RepeatMode = 'off' | 'all' | 'one';

export interface QueueItem {
  track: Track;
  /** Why the loop chose it; absent for tracks the user picked. */
  reason?: string;
  /** The stable expression and the mode when the loop chose it (not when it starts playing). */
  choice?: { expression: ExpressionState; mode: PolicyMode };
  /** A unique key: the same track may be queued twice. */
  key: number;
  /** The listener started this one themselves (not the loop, not the queue running on). */
  byHand?: boolean;
}

export interface PlayerCallbacks {
  /** Called once per load when a track starts playing (for play history and the timeline). */
  onTrackStart?: (item: QueueItem) => void;
  /** What to play when the queue runs out (repeat off); nothing stops the music. */
  onQueueEnd?: (last: QueueItem | undefined) => Track | undefined;
}

export class Player {
  queue = $state<QueueItem[]>([]);
  index = $state(-1);
  playing = $state(false);
  currentTime = $state(0);
  duration = $state(0);
  volume = $state(0.8);
  muted = $state(false);
  shuffle = $state(false);
  repeat = $state<RepeatMode>('off');
  message = $state('');
  private nextKey = 1;
  private started: number | undefined;
  private mediaBase = '/media/';
  coverBase = $state('/cover/');
  private readonly onTrackStart: (item: QueueItem) => void;
  private readonly onQueueEnd: (last: QueueItem | undefined) => Track | undefined;

  constructor(
    private readonly api: EmotuneApi,
    readonly audio: HTMLAudioElement,
    { onTrackStart = () => {}, onQueueEnd = () => undefined }: PlayerCallbacks = {},
  ) {
    this.onTrackStart = onTrackStart;
    this.onQueueEnd = onQueueEnd;
    audio.preload = 'auto';
    audio.volume = this.volume;
    audio.addEventListener('play', () => (this.playing = true));
    audio.addEventListener('pause', () => (this.playing = false));
    audio.addEventListener('timeupdate', () => (this.currentTime = audio.currentTime));
    audio.addEventListener('durationchange', () => (this.duration = Number.isFinite(audio.duration) ? audio.duration : 0));
    audio.addEventListener('ended', () => this.advance(false));
    audio.addEventListener('playing', () => {
      const item = this.current;
      // Once per load: resuming after a pause is not a new play.
      if (item && this.started !== item.key) {
        this.started = item.key;
        this.onTrackStart(item);
      }
    });
    audio.addEventListener('error', () => void this.skipBroken());
  }

  setMediaBase(mediaBase: string, coverBase: string): void {
    this.mediaBase = mediaBase;
    this.coverBase = coverBase;
  }

  get current(): QueueItem | undefined {
    return this.queue[this.index];
  }

  /** The item that will play after the current one, as things stand. */
  get upcoming(): QueueItem | undefined {
    return this.queue[this.index + 1];
  }

  item(track: Track, reason?: string, choice?: QueueItem['choice']): QueueItem {
    return { track, key: this.nextKey++, ...(reason ? { reason } : {}), ...(choice ? { choice } : {}) };
  }

  /** Replaces the queue and plays from `start`, the track the listener chose. */
  playList(tracks: Track[], start = 0): void {
    this.queue = tracks.map((t, i) => ({ ...this.item(t), ...(i === start ? { byHand: true } : {}) }));
    this.playAt(start);
  }

  /** Plays the queue's item at `index` because the listener picked it. */
  playChosen(index: number): void {
    const item = this.queue[index];
    if (!item) return;
    this.queue = this.queue.map((q, i) => (i === index ? { ...q, byHand: true } : q));
    this.playAt(index);
  }

  playAt(index: number): void {
    if (index < 0 || index >= this.queue.length) return;
    this.index = index;
    this.load(true);
  }

  /** Inserts an item and returns its index. */
  enqueue(item: QueueItem, where: 'next' | 'end' = 'end'): number {
    const at = where === 'next' ? this.index + 1 : this.queue.length;
    this.queue = [...this.queue.slice(0, at), item, ...this.queue.slice(at)];
    return at;
  }

  /** True when the last track played to its end and nothing followed. */
  get finished(): boolean {
    return this.audio.ended;
  }

  remove(key: number): void {
    const i = this.queue.findIndex((q) => q.key === key);
    if (i < 0 || i === this.index) return;
    this.queue = this.queue.filter((q) => q.key !== key);
    if (i < this.index) this.index--;
  }

  move(key: number, delta: -1 | 1): void {
    const i = this.queue.findIndex((q) => q.key === key);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= this.queue.length) return;
    const next = [...this.queue];
    [next[i], next[j]] = [next[j]!, next[i]!];
    if (this.index === i) this.index = j;
    else if (this.index === j) this.index = i;
    this.queue = next;
  }

  toggle(): void {
    if (!this.current) return;
    if (this.audio.paused) void this.audio.play().catch((e: unknown) => this.playFailed(e));
    else this.audio.pause();
  }

  /** The listener moves on: an early skip of a hands-free pick tells the mood service it missed. */
  next(): void {
    const item = this.current;
    if (item?.reason) {
      void this.api.mood
        .feedback({ trackId: item.track.id, kind: 'skipped', playedSeconds: this.audio.currentTime || 0 })
        .catch((e: Error) => this.feedbackFailed(e));
    }
    this.advance(true);
  }

  /** "Not this mood": the track is not the mood it has for this listener; on to the next. */
  notThisMood(): void {
    const item = this.current;
    if (!item) return;
    void this.api.mood.feedback({ trackId: item.track.id, kind: 'not-this-mood' }).catch((e: Error) => this.feedbackFailed(e));
    this.advance(true);
  }

  previous(): void {
    // Like most players: back to the start first, then to the previous track.
    if (this.audio.currentTime > 3 || this.index <= 0) {
      this.seek(0);
      return;
    }
    this.playAt(this.index - 1);
  }

  seek(seconds: number): void {
    if (!this.current) return;
    this.audio.currentTime = Math.max(0, Math.min(seconds, this.duration || seconds));
  }

  setVolume(volume: number): void {
    this.volume = Math.max(0, Math.min(1, volume));
    this.audio.volume = this.volume;
    if (this.volume > 0 && this.muted) this.setMuted(false);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.audio.muted = muted;
  }

  private advance(byUser: boolean): void {
    if (this.queue.length === 0) return;
    if (!byUser && this.repeat === 'one') {
      this.load(true);
      return;
    }
    let next = this.index + 1;
    if (this.shuffle && this.queue.length > 1) {
      const others = this.queue.map((_, i) => i).filter((i) => i !== this.index);
      next = others[Math.floor(Math.random() * others.length)]!;
    }
    if (next >= this.queue.length) {
      if (this.repeat === 'all') next = 0;
      else {
        const more = this.onQueueEnd(this.current);
        if (!more) {
          this.playing = false;
          return;
        }
        next = this.enqueue(this.item(more), 'end');
      }
    }
    this.playAt(next);
  }

  private load(autoplay: boolean): void {
    const item = this.current;
    if (!item) return;
    this.message = '';
    this.started = undefined;
    this.audio.src = `${this.mediaBase}${item.track.id}`;
    if (autoplay) void this.audio.play().catch((e: unknown) => this.playFailed(e));
  }

  private playFailed(error: unknown): void {
    if (!isSuperseded(error)) this.message = playFailure(error);
  }

  /** The music goes on; the listener learns that this skip or correction was not kept. */
  private feedbackFailed(error: Error): void {
    this.message = `Your feedback on that track was not saved: ${error.message}`;
  }

  /** The audio element could not load or decode the track: say so, mark it, go on. */
  private async skipBroken(): Promise<void> {
    const item = this.current;
    if (!item) return;
    const reason = this.audio.error?.message || 'the file could not be decoded';
    this.advance(true);
    // After advancing, which clears the previous track's message.
    this.message = `Skipped “${item.track.title}”: ${reason}.`;
    await this.api.library.markUnplayable({ trackId: item.track.id, message: reason }).catch((e: Error) => {
      this.message += ` It will be tried again next time (${e.message}).`;
    });
  }
}
