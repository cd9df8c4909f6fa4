/**
 * The two decks as the player uses them: the current one, and the idle one, which loads the next
 * song ahead or fades the last one out. Which song comes next, and when to switch, is the player's
 * to say; this keeps what each deck holds, its level and its fade.
 */
import type { Track } from '../../shared/library.js';
import type { Levelling } from '../../shared/playerState.js';
import { DECK_IDS, DeckMixer, otherDeck, type DeckId, type Decks, type GraphFactory } from './audioDecks.js';
import { levellingGain } from './replayGain.js';

/** The old deck ends by itself as its fade ends; this is only in case its 'ended' never comes. */
const FADE_END_GRACE_MS = 500;

/** What the idle deck holds, loaded ahead. */
interface Ahead {
  trackId: number;
  /** Its load failed: no verdict on the file yet (the network, say), so it is loaded again when its turn comes. */
  failed: boolean;
}

export class DeckPair {
  private readonly mixer: DeckMixer;
  private currentId: DeckId = 0;
  private ahead: Ahead | undefined;
  /** A crossfade under way: the deck fading out, and the timer that ends it if its 'ended' never comes. */
  private fading: { deck: DeckId; timer: ReturnType<typeof setTimeout> } | undefined;
  /** The track on each deck, for its level. */
  private readonly tracks: [Track | undefined, Track | undefined] = [undefined, undefined];
  private levelling: Levelling;

  constructor(
    readonly elements: Decks,
    levelling: Levelling,
    createGraph?: GraphFactory,
  ) {
    this.levelling = levelling;
    this.mixer = new DeckMixer(elements, createGraph);
    this.markCurrent();
  }

  get current(): HTMLAudioElement {
    return this.elements[this.currentId];
  }

  isCurrent(deck: DeckId): boolean {
    return deck === this.currentId;
  }

  get isFading(): boolean {
    return this.fading !== undefined;
  }

  /** Whether the idle deck has this track loaded (or loading) ahead, with no failure. */
  hasReady(trackId: number): boolean {
    return this.ahead?.trackId === trackId && !this.ahead.failed;
  }

  /** Whether the idle deck tried this track already, ready or failed: it is not loaded ahead twice. */
  hasTried(trackId: number): boolean {
    return this.ahead?.trackId === trackId;
  }

  /** Its turn has come after a failed load ahead: it loads afresh, and a failure now is the track's. */
  forget(trackId: number): void {
    if (this.ahead?.trackId === trackId) this.ahead = undefined;
  }

  /** The current deck plays `track` from `url`, at full fade; a blend under way stops. */
  load(track: Track, url: string): void {
    this.endFade();
    this.put(this.currentId, track);
    this.mixer.setFade(this.currentId, 1);
    this.current.src = url;
  }

  /** The idle deck loads `track`, silent and paused, until it takes over. */
  preload(track: Track, url: string): void {
    const deck = otherDeck(this.currentId);
    this.ahead = { trackId: track.id, failed: false };
    this.put(deck, track);
    this.mixer.setFade(deck, 0);
    this.elements[deck].src = url;
  }

  /**
   * The idle deck, loaded ahead, becomes the current one: the old one stops at once, or fades out
   * over `fadeSec` while the new one fades in. The caller starts the new deck playing.
   */
  switchOver(fadeSec: number): void {
    const from = this.currentId;
    const to = otherDeck(from);
    this.endFade();
    this.ahead = undefined;
    this.currentId = to;
    this.markCurrent();
    if (fadeSec > 0) {
      this.mixer.fadeOver(to, 'in', fadeSec);
      this.mixer.fadeOver(from, 'out', fadeSec);
      this.fading = { deck: from, timer: setTimeout(() => this.endFade(), fadeSec * 1000 + FADE_END_GRACE_MS) };
    } else {
      this.elements[from].pause();
      this.mixer.setFade(from, 0);
      this.mixer.setFade(to, 1);
    }
  }

  /** The blend is over, or cut short: the old song stops and the new one plays at its full level. */
  endFade(): void {
    const fading = this.fading;
    if (!fading) return;
    clearTimeout(fading.timer);
    this.fading = undefined;
    this.elements[fading.deck].pause();
    this.mixer.setFade(fading.deck, 0);
    this.mixer.setFade(this.currentId, 1);
  }

  /** The idle deck's own events: the song fading out ended or failed, or the one loading ahead failed. */
  idleEvent(deck: DeckId, type: 'ended' | 'error'): void {
    if (this.fading?.deck === deck) this.endFade();
    else if (type === 'error' && this.ahead) this.ahead.failed = true;
  }

  setMaster(volume: number, muted: boolean): void {
    this.mixer.setMaster(volume, muted);
  }

  /** Applies at once, to the song playing and to the one loaded ahead. */
  setLevelling(mode: Levelling): void {
    this.levelling = mode;
    for (const deck of DECK_IDS) {
      const track = this.tracks[deck];
      if (track) this.mixer.setLevel(deck, levellingGain(track.replayGain, mode));
    }
  }

  /** Playback starts: Web Audio joins if it can (see DeckMixer.route). */
  route(): void {
    this.mixer.route();
  }

  private put(deck: DeckId, track: Track): void {
    this.tracks[deck] = track;
    this.mixer.setLevel(deck, levellingGain(track.replayGain, this.levelling));
  }

  /** The page (and its tests) tell the current deck by its test id. */
  private markCurrent(): void {
    this.elements[this.currentId].dataset.testid = 'player-audio';
    this.elements[otherDeck(this.currentId)].dataset.testid = 'player-audio-next';
  }
}
