/**
 * Audio elements for the player's two decks that play when told and say so, as a browser's do,
 * and a Web Audio graph that keeps the gains it is given. The DOM environment has no media
 * pipeline: the test moves time on (`playTo`) and ends a track (`end`) itself.
 */
import { vi } from 'vitest';
import type { AudioGraph, DeckId, GraphFactory } from '../../src/renderer/lib/audioDecks.js';

export interface TestDeck extends HTMLAudioElement {
  /** Every URL the element was given to load, in order. */
  loads: string[];
}

const srcProperty = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'src')!;
const finishers = new WeakMap<HTMLAudioElement, () => void>();

export function testDeck(): TestDeck {
  const deck = document.createElement('audio') as TestDeck;
  let paused = true;
  let ended = false;
  deck.loads = [];
  Object.defineProperty(deck, 'paused', { configurable: true, get: () => paused });
  Object.defineProperty(deck, 'ended', { configurable: true, get: () => ended });
  Object.defineProperty(deck, 'src', {
    configurable: true,
    get: () => srcProperty.get!.call(deck) as string,
    set: (url: string) => {
      deck.loads.push(url);
      paused = true;
      ended = false;
      srcProperty.set!.call(deck, url);
      deck.currentTime = 0;
    },
  });
  deck.play = vi.fn(() => {
    ended = false;
    if (paused) {
      paused = false;
      deck.dispatchEvent(new Event('play'));
    }
    return Promise.resolve();
  });
  deck.pause = vi.fn(() => {
    if (paused) return;
    paused = true;
    deck.dispatchEvent(new Event('pause'));
  });
  // How a browser ends a track: paused, then 'ended'.
  finishers.set(deck, () => {
    ended = true;
    deck.pause();
    deck.dispatchEvent(new Event('ended'));
  });
  return deck;
}

export function testDecks(): [TestDeck, TestDeck] {
  return [testDeck(), testDeck()];
}

/** The element plays on to `seconds` into its track and reports it. */
export function playTo(deck: HTMLAudioElement, seconds: number): void {
  deck.currentTime = seconds;
  deck.dispatchEvent(new Event('timeupdate'));
}

/** The element's track plays to its end. */
export function end(deck: HTMLAudioElement): void {
  finishers.get(deck)!();
}

/** The element fails to load its track, with a MediaError code (2 network, 3 decode, 4 not supported). */
export function failLoad(deck: HTMLAudioElement, code: number, message = ''): void {
  Object.defineProperty(deck, 'error', { configurable: true, value: { code, message } });
  deck.dispatchEvent(new Event('error'));
}

export interface GraphRecord {
  built: number;
  resumed: number;
  level: [number, number];
  fade: [number, number];
  master: number;
  ramps: { deck: DeckId; from: number; to: number; seconds: number }[];
}

/** A graph factory whose graph records what the player asks of it. */
export function fakeGraph(): { factory: GraphFactory; graph: GraphRecord } {
  const graph: GraphRecord = { built: 0, resumed: 0, level: [1, 1], fade: [1, 0], master: 1, ramps: [] };
  const factory: GraphFactory = (_decks, gains) => {
    graph.built++;
    graph.level = [...gains.level];
    graph.fade = [...gains.fade];
    graph.master = gains.master;
    const built: AudioGraph = {
      setLevel: (deck, gain) => void (graph.level[deck] = gain),
      setFade: (deck, value) => void (graph.fade[deck] = value),
      rampFade: (deck, curve, seconds) => {
        graph.ramps.push({ deck, from: curve[0]!, to: curve[curve.length - 1]!, seconds });
        graph.fade[deck] = curve[curve.length - 1]!;
      },
      setMaster: (gain) => void (graph.master = gain),
      resume: () => void graph.resumed++,
    };
    return built;
  };
  return { factory, graph };
}
