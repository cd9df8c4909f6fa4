/**
 * Where the player's sound goes. There are two audio elements ("decks"), so that the next song
 * can load while this one plays, then start the moment it ends or blend in over its end. Each deck
 * has a level (volume levelling) and a fade, and both decks go through one master volume.
 *
 * With Web Audio, each deck runs through its own gain nodes into a master gain, which can also lift
 * a quiet song above the element's own full volume. Until then (a browser keeps sound made before
 * the listener's first action silent), for media from another origin (whose samples Web Audio must
 * not read, so it would play silence), and where there is no Web Audio at all, the same gains go
 * into each element's volume instead, capped at full volume.
 */
export type DeckId = 0 | 1;
export type Decks = readonly [HTMLAudioElement, HTMLAudioElement];

export const DECK_IDS: readonly DeckId[] = [0, 1];

export const otherDeck = (deck: DeckId): DeckId => (deck === 0 ? 1 : 0);

/** Whether media at `url` comes from the page's own origin, so that Web Audio may read its samples. */
export function isSameOrigin(url: string): boolean {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

/** The gains as they stand when the graph is built, so that it starts where the elements were. */
export interface GraphGains {
  level: readonly [number, number];
  fade: readonly [number, number];
  master: number;
}

/** The Web Audio side, behind an interface that the tests fake. */
export interface AudioGraph {
  setLevel(deck: DeckId, gain: number): void;
  setFade(deck: DeckId, value: number): void;
  /** Moves the deck's fade along `curve` (its first value to its last) over `seconds`. */
  rampFade(deck: DeckId, curve: Float32Array, seconds: number): void;
  setMaster(gain: number): void;
  /** Wakes a context the browser suspended. */
  resume(): void;
}

export type GraphFactory = (decks: Decks, gains: GraphGains) => AudioGraph | undefined;

export type FadeDirection = 'in' | 'out';

const FADE_STEPS = 64;
/** How often an element's volume follows a fade where there is no Web Audio to do it. */
const FADE_TICK_MS = 50;

/** Equal power: the two decks' powers add up to one all through a crossfade, so it neither dips nor swells. */
export function fadeValue(direction: FadeDirection, progress: number): number {
  const p = Math.max(0, Math.min(1, progress));
  return direction === 'in' ? Math.sin((p * Math.PI) / 2) : Math.cos((p * Math.PI) / 2);
}

/** The fade from `from` (0 to 1: how far along it already is) to its end, as points for setValueCurveAtTime. */
export function fadeCurve(direction: FadeDirection, from = 0): Float32Array {
  const curve = new Float32Array(FADE_STEPS);
  for (let i = 0; i < FADE_STEPS; i++) curve[i] = fadeValue(direction, from + ((1 - from) * i) / (FADE_STEPS - 1));
  return curve;
}

interface Ramp {
  direction: FadeDirection;
  startMs: number;
  ms: number;
  timer: ReturnType<typeof setInterval>;
}

export class DeckMixer {
  private graph: AudioGraph | undefined;
  private readonly level: [number, number] = [1, 1];
  private readonly fade: [number, number] = [1, 0];
  private readonly ramps: [Ramp | undefined, Ramp | undefined] = [undefined, undefined];
  private volume = 1;
  private muted = false;

  constructor(
    readonly decks: Decks,
    private readonly createGraph: GraphFactory = webAudioGraph,
    private readonly now: () => number = () => performance.now(),
  ) {
    for (const deck of DECK_IDS) this.apply(deck);
  }

  /** Whether Web Audio carries the sound (else the elements' own volume does). */
  get routed(): boolean {
    return this.graph !== undefined;
  }

  /**
   * Called as playback starts: builds the graph the first time it can, and wakes it when the
   * browser suspended it. Once an element feeds a graph it can never play without it again.
   */
  route(): void {
    if (this.graph) {
      this.graph.resume();
      return;
    }
    const fade: [number, number] = [this.fadeNow(0), this.fadeNow(1)];
    this.graph = this.createGraph(this.decks, { level: [...this.level], fade, master: this.masterGain });
    if (!this.graph) return;
    this.graph.resume();
    for (const deck of DECK_IDS) {
      // A fade under way carries on in the graph from where the element's volume had got to.
      const ramp = this.ramps[deck];
      if (ramp) {
        const done = (this.now() - ramp.startMs) / ramp.ms;
        this.graph.rampFade(deck, fadeCurve(ramp.direction, done), Math.max(0.01, (ramp.ms * (1 - done)) / 1000));
      }
      this.apply(deck);
    }
  }

  setLevel(deck: DeckId, gain: number): void {
    this.level[deck] = gain;
    this.graph?.setLevel(deck, gain);
    this.apply(deck);
  }

  /** Sets the deck's fade at once, ending any fade under way on it. */
  setFade(deck: DeckId, value: number): void {
    this.stopRamp(deck);
    this.fade[deck] = value;
    this.graph?.setFade(deck, value);
    this.apply(deck);
  }

  /** Fades the deck in (from silence) or out (from full) over `seconds`, on an equal-power curve. */
  fadeOver(deck: DeckId, direction: FadeDirection, seconds: number): void {
    this.stopRamp(deck);
    const end = direction === 'in' ? 1 : 0;
    if (seconds <= 0) {
      this.setFade(deck, end);
      return;
    }
    const ms = seconds * 1000;
    this.fade[deck] = 1 - end;
    this.graph?.rampFade(deck, fadeCurve(direction), seconds);
    const ramp: Ramp = {
      direction,
      startMs: this.now(),
      ms,
      // With a graph the tick only notes where the fade is; without one it moves the element's volume.
      timer: setInterval(() => {
        if (this.now() - ramp.startMs < ms) {
          if (!this.graph) this.apply(deck);
          return;
        }
        this.stopRamp(deck);
        this.fade[deck] = end;
        if (!this.graph) this.apply(deck);
      }, FADE_TICK_MS),
    };
    this.ramps[deck] = ramp;
    this.apply(deck);
  }

  setMaster(volume: number, muted: boolean): void {
    this.volume = volume;
    this.muted = muted;
    this.graph?.setMaster(this.masterGain);
    for (const deck of DECK_IDS) this.apply(deck);
  }

  /** The deck's fade as it is now, part way through a ramp or not. */
  fadeNow(deck: DeckId): number {
    const ramp = this.ramps[deck];
    return ramp ? fadeValue(ramp.direction, (this.now() - ramp.startMs) / ramp.ms) : this.fade[deck];
  }

  dispose(): void {
    for (const deck of DECK_IDS) this.stopRamp(deck);
  }

  private get masterGain(): number {
    return this.muted ? 0 : this.volume;
  }

  private stopRamp(deck: DeckId): void {
    const ramp = this.ramps[deck];
    if (!ramp) return;
    clearInterval(ramp.timer);
    this.fade[deck] = this.fadeNow(deck);
    this.ramps[deck] = undefined;
  }

  private apply(deck: DeckId): void {
    const element = this.decks[deck];
    // The element's own mute is kept in step either way: it is what the page and its tests can see.
    element.muted = this.muted;
    const volume = this.graph ? 1 : this.level[deck] * this.fadeNow(deck) * this.volume;
    element.volume = Math.max(0, Math.min(1, volume));
  }
}

/**
 * The graph of a real page: each deck's element → level gain → fade gain → master gain → the
 * speakers, in one context made on the first play. No graph (so the elements play on their own)
 * without Web Audio, or before the listener's first action, when a new context would stay silent.
 */
export const webAudioGraph: GraphFactory = (decks, gains) => {
  const Context = globalThis.AudioContext as typeof AudioContext | undefined;
  if (typeof Context !== 'function') return undefined;
  if (navigator.userActivation && !navigator.userActivation.hasBeenActive) return undefined;
  let context: AudioContext | undefined;
  try {
    context = new Context({ latencyHint: 'playback' });
    const ctx = context;
    const master = ctx.createGain();
    master.gain.value = gains.master;
    master.connect(ctx.destination);
    const chains = decks.map((element, i) => {
      const level = ctx.createGain();
      const fade = ctx.createGain();
      level.gain.value = gains.level[i]!;
      fade.gain.value = gains.fade[i]!;
      ctx.createMediaElementSource(element).connect(level).connect(fade).connect(master);
      return { level: level.gain, fade: fade.gain };
    });
    // Volume and levelling glide for a few milliseconds, so that a change never clicks.
    const glide = (param: AudioParam, value: number) => param.setTargetAtTime(value, ctx.currentTime, 0.015);
    const set = (param: AudioParam, value: number) => {
      param.cancelScheduledValues(0);
      param.setValueAtTime(value, ctx.currentTime);
    };
    return {
      setLevel: (deck, gain) => glide(chains[deck]!.level, gain),
      setFade: (deck, value) => set(chains[deck]!.fade, value),
      rampFade: (deck, curve, seconds) => {
        const param = chains[deck]!.fade;
        param.cancelScheduledValues(0);
        param.setValueCurveAtTime(curve, ctx.currentTime, seconds);
      },
      setMaster: (gain) => glide(master.gain, gain),
      resume: () => {
        if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
      },
    };
  } catch {
    // An element already taken by another graph, or a context the browser refused: the elements play on their own.
    void context?.close().catch(() => undefined);
    return undefined;
  }
};
