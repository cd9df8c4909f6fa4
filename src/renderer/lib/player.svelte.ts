/**
 * The player: play, pause, next, previous, seek, volume, mute, shuffle and repeat, with a queue
 * the user can see and edit. Audio comes from the backend's media URLs (library tracks only).
 *
 * It plays on two decks (audioDecks.ts). Near a song's end the one after it loads on the other
 * deck, which starts the moment the song ends or, with a crossfade, blends in over its last
 * seconds; a skip by the listener cuts over at once. Each song's level follows its ReplayGain.
 *
 * A track that fails is skipped and reported as unplayable only when the failure is the file's: a
 * media element reports a server it cannot reach as a format error too, so while the connection is
 * down (or a quick check says it is) the player waits on the track instead, and a run of failures
 * stops the skipping rather than racing through the queue. A song that failed only while it was
 * loaded ahead is not blamed for it: it is loaded again when its turn comes, and only then counts.
 */
import { DECK_IDS, isSameOrigin, type DeckId, type Decks, type GraphFactory } from './audioDecks.js';
import { DeckPair } from './deckPair.js';
import { isSuperseded, playFailure } from './mediaErrors.js';
import { explainMediaError, mediaFailureKind } from './errorWording.js';
import type { EmotuneApi } from '../../shared/api.js';
import type { ExpressionState } from '../../shared/expressions.js';
import type { PolicyMode } from '../../shared/mood.js';
import type { Track } from '../../shared/library.js';
import {
  DEFAULT_CROSSFADE_SEC,
  DEFAULT_LEVELLING,
  MAX_CROSSFADE_SEC,
  type Levelling,
  type RestoredPlayerState,
} from '../../shared/playerState.js';

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

/** The part of the connection state the player needs. */
export interface PlayerConnection {
  readonly online: boolean;
  onChange(listener: (status: string) => void): () => void;
}

export interface PlayerCallbacks {
  /** Called once per load when a track starts playing (for play history and the timeline). */
  onTrackStart?: (item: QueueItem) => void;
  /** What to play when the queue runs out (repeat off); nothing stops the music. */
  onQueueEnd?: (last: QueueItem | undefined) => Track | undefined;
  /** Whether the backend answers right now: asked before a failed track is blamed on its file. */
  isReachable?: () => Promise<boolean>;
  connection?: PlayerConnection;
}

export interface PlayerOptions extends PlayerCallbacks {
  /** Builds the Web Audio graph; the tests pass a fake. */
  createGraph?: GraphFactory;
}

/** After this many tracks in a row fail, the player stops skipping and waits for the listener. */
export const MAX_FAILURES_IN_A_ROW = 3;

/**
 * How long before a song's end (plus the crossfade) the next one starts loading: in time to be
 * ready, and late enough that a queue changed meanwhile (a hands-free pick) seldom wastes a load.
 */
export const PRELOAD_AHEAD_SEC = 20;
/** Closer to the end than this, a crossfade is not worth starting: the next song follows gaplessly. */
const MIN_CROSSFADE_SEC = 0.5;

/** What follows the current item: its place in the queue, or a track to append (the queue ran out). */
type NextUp = { index: number; track: Track } | { index: undefined; track: Track };

const ALWAYS_ONLINE: PlayerConnection = { online: true, onChange: () => () => undefined };

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
  /** What the listener should know about the last action, in plain words. */
  message = $state('');
  /** The technical text behind `message`, for a "Details" disclosure. */
  messageDetail = $state('');
  /** The track waits for the connection to come back (it is not skipped meanwhile). */
  waiting = $state(false);
  /** Tracks that failed one after another since the last one that played. */
  failures = $state(0);
  /** Seconds over which one song blends into the next; 0 plays them back to back with no gap. */
  crossfadeSec = $state(DEFAULT_CROSSFADE_SEC);
  levelling = $state<Levelling>(DEFAULT_LEVELLING);
  readonly decks: Decks;
  private nextKey = 1;
  private started: number | undefined;
  private mediaBase = '/media/';
  coverBase = $state('/cover/');
  private readonly onTrackStart: (item: QueueItem) => void;
  private readonly onQueueEnd: (last: QueueItem | undefined) => Track | undefined;
  private readonly isReachable: () => Promise<boolean>;
  private readonly connection: PlayerConnection;
  /** The item a run of failures stopped on: its further errors are not news. */
  private halted: number | undefined;
  /** What to do once the connection is back: play or stay paused, and from where. */
  private resume: { play: boolean; at: number } | undefined;
  /** The current item's deck, and the other one, which loads what comes next or fades the last song out. */
  private readonly pair: DeckPair;
  /** The shuffle's pick for after the current item, kept so that the song loaded ahead is the one that plays. */
  private shuffleNext: number | undefined;

  /** `decks`: the two audio elements; given one, the player makes the second itself. */
  constructor(
    private readonly api: EmotuneApi,
    decks: HTMLAudioElement | Decks,
    {
      onTrackStart = () => {},
      onQueueEnd = () => undefined,
      isReachable = async () => true,
      connection = ALWAYS_ONLINE,
      createGraph,
    }: PlayerOptions = {},
  ) {
    this.onTrackStart = onTrackStart;
    this.onQueueEnd = onQueueEnd;
    this.isReachable = isReachable;
    this.connection = connection;
    this.decks = decks instanceof HTMLElement ? [decks, document.createElement('audio')] : decks;
    // Fetched with CORS, so that Web Audio (crossfade, levelling) hears the music and not silence
    // where the media come from another origin than the page (the desktop app's emotune-media://).
    for (const deck of this.decks) deck.crossOrigin = 'anonymous';
    this.pair = new DeckPair(this.decks, this.levelling, createGraph);
    this.pair.setMaster(this.volume, this.muted);
    for (const id of DECK_IDS) this.listen(id);
    connection.onChange(() => {
      if (connection.online && this.waiting) this.reconnected();
    });
  }

  /** The current item's audio element. */
  get audio(): HTMLAudioElement {
    return this.pair.current;
  }

  /** The events of the current deck drive the player; the other deck's only tell how loading ahead or fading out went. */
  private listen(id: DeckId): void {
    const deck = this.decks[id];
    deck.preload = 'auto';
    const current = (handler: () => void) => () => {
      if (this.pair.isCurrent(id)) handler();
    };
    deck.addEventListener(
      'play',
      current(() => (this.playing = true)),
    );
    deck.addEventListener(
      'pause',
      current(() => (this.playing = false)),
    );
    deck.addEventListener(
      'timeupdate',
      current(() => {
        this.currentTime = deck.currentTime;
        this.preloadNext();
        this.maybeCrossfade();
      }),
    );
    deck.addEventListener(
      'durationchange',
      current(() => {
        // Until the element knows (or for a stream it never will), the duration from the tags stands.
        if (Number.isFinite(deck.duration) && deck.duration > 0) this.duration = deck.duration;
      }),
    );
    deck.addEventListener(
      'playing',
      current(() => {
        this.failures = 0;
        const item = this.current;
        // Once per load: resuming after a pause is not a new play.
        if (item && this.started !== item.key) {
          this.started = item.key;
          this.onTrackStart(item);
        }
        this.preloadNext();
      }),
    );
    deck.addEventListener('ended', () => {
      if (this.pair.isCurrent(id)) this.advance(false);
      else this.pair.idleEvent(id, 'ended');
    });
    deck.addEventListener('error', () => {
      if (this.pair.isCurrent(id)) void this.onMediaError();
      else this.pair.idleEvent(id, 'error');
    });
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
    this.start();
  }

  /** Inserts an item and returns its index. */
  enqueue(item: QueueItem, where: 'next' | 'end' = 'end'): number {
    const at = where === 'next' ? this.index + 1 : this.queue.length;
    this.queue = [...this.queue.slice(0, at), item, ...this.queue.slice(at)];
    return at;
  }

  /** The listener's "Play next" / "Add to queue": the tracks go in, in order; nothing starts unless nothing was there. */
  add(tracks: Track[], where: 'next' | 'end'): void {
    if (tracks.length === 0) return;
    const items = tracks.map((t) => ({ ...this.item(t), byHand: true }));
    const at = where === 'next' ? this.index + 1 : this.queue.length;
    this.queue = [...this.queue.slice(0, at), ...items, ...this.queue.slice(at)];
    if (this.index < 0) {
      this.index = at;
      this.load(false);
    }
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

  /** Drops everything after the current track. */
  clearUpcoming(): void {
    this.queue = this.queue.slice(0, this.index + 1);
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

  /** Drag and drop in the queue: the item lands at `to`, the current track stays current. */
  moveTo(key: number, to: number): void {
    const from = this.queue.findIndex((q) => q.key === key);
    if (from < 0 || to < 0 || to >= this.queue.length || from === to) return;
    const current = this.current?.key;
    const next = [...this.queue];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item!);
    this.queue = next;
    this.index = current === undefined ? this.index : next.findIndex((q) => q.key === current);
  }

  toggle(): void {
    if (!this.current) return;
    if (this.waiting) {
      // Paused or not, the track waits for the connection; the listener's wish is kept for then.
      if (this.resume) this.resume.play = !this.resume.play;
      return;
    }
    if (this.audio.paused) {
      // After a stop at a run of failures, play is the listener saying "try again".
      this.failures = 0;
      if (this.audio.error) this.load(true);
      else this.play();
    } else {
      this.pair.endFade();
      this.audio.pause();
    }
  }

  /** The listener moves on: an early skip of a hands-free pick tells the mood service it missed. */
  next(): void {
    const item = this.current;
    if (item?.reason && this.connection.online) {
      void this.api.mood
        .feedback({ trackId: item.track.id, kind: 'skipped', playedSeconds: this.audio.currentTime || 0 })
        .catch((e: Error) => this.feedbackFailed(e));
    }
    this.failures = 0;
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
    this.failures = 0;
    this.playAt(this.index - 1);
  }

  seek(seconds: number): void {
    if (!this.current) return;
    const at = Math.max(0, Math.min(seconds, this.duration || seconds));
    // The listener wants this song from there: the last one, if still fading out, stops.
    this.pair.endFade();
    this.audio.currentTime = at;
    this.currentTime = at;
  }

  setVolume(volume: number): void {
    this.volume = Math.max(0, Math.min(1, volume));
    this.pair.setMaster(this.volume, this.muted);
    if (this.volume > 0 && this.muted) this.setMuted(false);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.pair.setMaster(this.volume, muted);
  }

  /** From the next song change on; 0 plays songs back to back with no gap. */
  setCrossfade(seconds: number): void {
    this.crossfadeSec = Number.isFinite(seconds) ? Math.max(0, Math.min(MAX_CROSSFADE_SEC, seconds)) : DEFAULT_CROSSFADE_SEC;
  }

  /** Applies at once, to the song playing and to the one loaded ahead. */
  setLevelling(mode: Levelling): void {
    this.levelling = mode;
    this.pair.setLevelling(mode);
  }

  /**
   * The queue of the last run, loaded paused at its position: a restart never starts sound by
   * itself. Returns false (and changes nothing) when the listener has started something already.
   */
  restore(state: RestoredPlayerState): boolean {
    this.setVolume(state.volume);
    this.setMuted(state.muted);
    if (state.crossfadeSec !== undefined) this.setCrossfade(state.crossfadeSec);
    if (state.levelling !== undefined) this.setLevelling(state.levelling);
    if (this.queue.length > 0 || state.queue.length === 0 || state.index < 0) return false;
    this.queue = state.queue.map((t) => this.item(t));
    this.index = Math.min(state.index, this.queue.length - 1);
    this.load(false, state.positionSec);
    return true;
  }

  /** On to what comes next; `fadeSec` > 0 blends it in over the current song's last seconds. */
  private advance(byUser: boolean, fadeSec = 0): void {
    if (this.queue.length === 0) return;
    const next = this.nextUp(byUser);
    if (!next) {
      this.playing = false;
      return;
    }
    this.shuffleNext = undefined;
    this.index = next.index ?? this.enqueue(this.item(next.track), 'end');
    this.start(fadeSec);
  }

  /** What plays after the current item; asking twice gives the same answer while nothing else changes. */
  private nextUp(byUser: boolean): NextUp | undefined {
    const current = this.current;
    if (!current) return undefined;
    if (!byUser && this.repeat === 'one') return { index: this.index, track: current.track };
    let next = this.index + 1;
    if (this.shuffle && this.queue.length > 1) next = this.shufflePick();
    if (next >= this.queue.length) {
      if (this.repeat === 'all') next = 0;
      else {
        const more = this.onQueueEnd(current);
        return more ? { index: undefined, track: more } : undefined;
      }
    }
    return { index: next, track: this.queue[next]!.track };
  }

  private shufflePick(): number {
    const kept = this.queue.findIndex((q) => q.key === this.shuffleNext);
    if (kept >= 0 && kept !== this.index) return kept;
    const others = this.queue.map((_, i) => i).filter((i) => i !== this.index);
    const pick = others[Math.floor(Math.random() * others.length)]!;
    this.shuffleNext = this.queue[pick]!.key;
    return pick;
  }

  /** Plays the current item: from the idle deck when it is loaded there already, else loaded afresh. */
  private start(fadeSec = 0): void {
    const item = this.current;
    if (!item) return;
    if (this.pair.hasReady(item.track.id) && this.connection.online) {
      this.pair.switchOver(fadeSec);
      this.resetForLoad(0);
      this.waiting = false;
      const known = this.audio.duration;
      if (Number.isFinite(known) && known > 0) this.duration = known;
      this.play();
      return;
    }
    this.pair.forget(item.track.id);
    this.load(true);
  }

  /** A new load of the current item: its messages, counts and times start over. */
  private resetForLoad(startAt: number): void {
    this.setMessage('');
    this.started = undefined;
    this.halted = undefined;
    this.currentTime = startAt;
    this.duration = this.current?.track.durationSec ?? 0;
  }

  private load(autoplay: boolean, startAt = 0): void {
    const item = this.current;
    if (!item) return;
    this.pair.endFade();
    this.resetForLoad(startAt);
    if (!this.connection.online) {
      // Nothing to load from: the track waits, and loads when the connection is back.
      this.audio.pause();
      this.wait(autoplay, startAt);
      return;
    }
    this.waiting = false;
    this.pair.load(item.track, `${this.mediaBase}${item.track.id}`);
    if (startAt > 0) this.audio.currentTime = startAt;
    if (autoplay) this.play();
  }

  /** Loads what comes next on the idle deck once the current song nears its end (at once when its length is unknown). */
  private preloadNext(): void {
    if (!this.current || this.pair.isFading || this.waiting || !this.connection.online) return;
    if (this.duration > 0 && this.duration - this.currentTime > PRELOAD_AHEAD_SEC + this.crossfadeSec) return;
    const next = this.nextUp(false);
    if (next && !this.pair.hasTried(next.track.id)) this.pair.preload(next.track, `${this.mediaBase}${next.track.id}`);
  }

  /** In the current song's last `crossfadeSec` seconds, the next one blends in, if it is loaded ahead. */
  private maybeCrossfade(): void {
    if (this.crossfadeSec <= 0 || this.pair.isFading || this.waiting || this.audio.paused || !(this.duration > 0)) return;
    const left = this.duration - this.audio.currentTime;
    if (left > this.crossfadeSec || left < MIN_CROSSFADE_SEC) return;
    const next = this.nextUp(false);
    if (next && this.pair.hasReady(next.track.id)) this.advance(false, left);
  }

  private play(): void {
    // Web Audio joins on a play, when the browser lets sound start; media of another origin would play silence through it.
    if (isSameOrigin(this.mediaBase)) this.pair.route();
    void this.audio.play().catch((e: unknown) => this.playFailed(e));
  }

  private wait(play: boolean, at: number): void {
    this.waiting = true;
    this.resume = { play, at };
    this.setMessage('Waiting for Emotune to be reachable again: this song goes on from here when it is.');
  }

  private reconnected(): void {
    const resume = this.resume ?? { play: false, at: this.currentTime };
    this.resume = undefined;
    this.waiting = false;
    this.failures = 0;
    this.load(resume.play, resume.at);
  }

  private playFailed(error: unknown): void {
    if (!isSuperseded(error)) this.setMessage(playFailure(error));
  }

  /** The music goes on; the listener learns that this skip or correction was not kept. */
  private feedbackFailed(error: Error): void {
    if (this.connection.online) this.setMessage(`Your feedback on that track was not saved: ${error.message}`);
  }

  private setMessage(text: string, detail = ''): void {
    this.message = text;
    this.messageDetail = detail;
  }

  /** The audio element could not load or play the track: the file's fault, or the connection's? */
  private async onMediaError(): Promise<void> {
    const item = this.current;
    const error = this.audio.error;
    if (!item || this.waiting || this.halted === item.key) return;
    const kind = mediaFailureKind(error?.code);
    if (kind === 'aborted') return;
    const wasPlaying = !this.audio.paused || this.playing;
    const at = this.currentTime;
    if (kind === 'network' || !this.connection.online || !(await this.isReachable())) {
      // The file is not to blame: keep it and wait, whatever the element called the failure.
      if (this.current?.key !== item.key) return;
      if (!this.connection.online) this.wait(true, at);
      else this.stopAfterFailures(item, true);
      if (this.resume) this.resume.play = wasPlaying || this.resume.play;
      return;
    }
    if (this.current?.key !== item.key) return;
    const explained = explainMediaError(error);
    const reason = explained.text.replace(/\.$/, '').replace(/^The /, 'the ');
    const report = error?.message || 'the file could not be decoded';
    this.failures++;
    const stopped = this.failures >= MAX_FAILURES_IN_A_ROW;
    if (stopped) this.stopAfterFailures(item, false);
    else this.advance(true);
    // After advancing, which clears the previous track's message.
    if (!stopped) this.setMessage(`Skipped “${item.track.title}”: ${reason}.`, explained.detail);
    await this.api.library.markUnplayable({ trackId: item.track.id, message: report }).catch((e: Error) => {
      this.message += ' It will be tried again next time.';
      this.messageDetail = `${this.messageDetail}\n${e.message}`.trim();
    });
  }

  /** A run of failures: stay on the track, paused, and say so, instead of skipping on and on. */
  private stopAfterFailures(item: QueueItem, network: boolean): void {
    this.halted = item.key;
    this.audio.pause();
    this.playing = false;
    this.setMessage(
      network
        ? `“${item.track.title}” could not be loaded: Emotune did not answer. Press play to try again.`
        : `${MAX_FAILURES_IN_A_ROW} songs in a row could not be played, so Emotune stopped here. Press play to try “${item.track.title}” again, or pick another song.`,
      this.audio.error ? `MediaError ${this.audio.error.code}: ${this.audio.error.message}` : '',
    );
  }

  /** The state worth keeping across a restart (the saved form is built by the persistence). */
  get snapshot(): {
    queue: number[];
    index: number;
    positionSec: number;
    volume: number;
    muted: boolean;
    crossfadeSec: number;
    levelling: Levelling;
  } {
    return {
      queue: this.queue.map((q) => q.track.id),
      index: this.index,
      positionSec: Math.floor(this.currentTime),
      volume: this.volume,
      muted: this.muted,
      crossfadeSec: this.crossfadeSec,
      levelling: this.levelling,
    };
  }
}
