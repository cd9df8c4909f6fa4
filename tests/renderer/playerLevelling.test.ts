/** Volume levelling from ReplayGain tags, and where the volume and mute go: the master gain, or the elements without Web Audio. */
import { describe, expect, it } from 'vitest';
import type { ReplayGain } from '../../src/shared/library.js';
import { Player, type PlayerOptions } from '../../src/renderer/lib/player.svelte.js';
import { levellingGain } from '../../src/renderer/lib/replayGain.js';
import { fakeBackend, track } from './fakes.js';
import { fakeGraph, playTo, testDecks } from './fakeDecks.js';

const rg = (fields: Partial<ReplayGain>): ReplayGain => ({
  trackGainDb: null,
  trackPeak: null,
  albumGainDb: null,
  albumPeak: null,
  ...fields,
});
const db = (gain: number) => 10 ** (gain / 20);

describe('levellingGain', () => {
  it('uses the song’s own gain by song, and the album’s by album', () => {
    const tags = rg({ trackGainDb: -6, albumGainDb: -3 });
    expect(levellingGain(tags, 'track')).toBeCloseTo(db(-6));
    expect(levellingGain(tags, 'album')).toBeCloseTo(db(-3));
  });

  it('falls back on the song’s gain by album when the album has none, and the other way round', () => {
    expect(levellingGain(rg({ trackGainDb: -4 }), 'album')).toBeCloseTo(db(-4));
    expect(levellingGain(rg({ albumGainDb: -2 }), 'track')).toBeCloseTo(db(-2));
  });

  it('holds a boost back so that the loudest sample stays at full scale', () => {
    // +6 dB is ×2, but a peak of 0.8 leaves room for ×1.25 only.
    expect(levellingGain(rg({ trackGainDb: 6, trackPeak: 0.8 }), 'track')).toBeCloseTo(1.25);
    expect(levellingGain(rg({ albumGainDb: 6, albumPeak: 0.9, trackPeak: 0.5 }), 'album')).toBeCloseTo(1 / 0.9);
    // A cut never needs holding back.
    expect(levellingGain(rg({ trackGainDb: -6, trackPeak: 1.2 }), 'track')).toBeCloseTo(db(-6));
    // Without a peak the gain is as tagged.
    expect(levellingGain(rg({ trackGainDb: 3 }), 'track')).toBeCloseTo(db(3));
  });

  it('leaves the level alone when off, or when the file has no ReplayGain', () => {
    expect(levellingGain(rg({ trackGainDb: -6 }), 'off')).toBe(1);
    expect(levellingGain(null, 'track')).toBe(1);
    expect(levellingGain(undefined, 'album')).toBe(1);
  });
});

function setup(options: PlayerOptions = {}) {
  const backend = fakeBackend({});
  const decks = testDecks();
  const player = new Player(backend.api, decks, options);
  return { decks, a: decks[0], b: decks[1], player };
}

const loud = track(1, { replayGain: rg({ trackGainDb: -6, albumGainDb: -3 }) });
const quiet = track(2, { replayGain: rg({ trackGainDb: 8, trackPeak: 0.5 }) }); // ×2.5, held to ×2 by its peak

describe('Player levelling without Web Audio', () => {
  it('turns each deck’s element volume down by its song’s gain, and follows a change of the setting at once', () => {
    const { a, b, player } = setup();
    expect(player.levelling).toBe('track'); // the default: by song
    player.setVolume(1);
    player.playList([loud, quiet]);
    expect(a.volume).toBeCloseTo(db(-6));
    player.setLevelling('album');
    expect(a.volume).toBeCloseTo(db(-3));
    player.setLevelling('off');
    expect(a.volume).toBe(1);
    player.setLevelling('track');
    playTo(a, 170);
    player.next();
    // An element cannot go above full volume: the boost is lost without Web Audio, never clipped.
    expect(b.volume).toBe(1);
    player.setVolume(0.3);
    expect(b.volume).toBeCloseTo(0.3 * 2);
  });

  it('applies volume and mute to the elements themselves', () => {
    const { a, player } = setup();
    player.playList([track(3)]);
    player.setVolume(0.3);
    expect(a.volume).toBeCloseTo(0.3);
    player.setMuted(true);
    expect(a.muted).toBe(true);
  });
});

describe('Player levelling with Web Audio', () => {
  it('builds the graph on the first play, and puts volume and mute on the master gain', () => {
    const { factory, graph } = fakeGraph();
    const { a, b, player } = setup({ createGraph: factory });
    player.setVolume(0.6);
    expect(graph.built).toBe(0); // no context before anything plays
    player.playList([loud, quiet]);
    expect(graph.built).toBe(1);
    expect(graph.master).toBeCloseTo(0.6);
    expect(graph.level[0]).toBeCloseTo(db(-6));
    // The elements play at full volume into the graph; the master does the rest.
    expect(a.volume).toBe(1);
    expect(b.volume).toBe(1);
    player.setVolume(0.4);
    expect(graph.master).toBeCloseTo(0.4);
    expect(a.volume).toBe(1);
    player.setMuted(true);
    expect(graph.master).toBe(0);
    expect(a.muted).toBe(true);
    player.setMuted(false);
    expect(graph.master).toBeCloseTo(0.4);
    player.toggle();
    player.toggle();
    expect(graph.built).toBe(1); // one context for the page's life, woken on each play
    expect(graph.resumed).toBeGreaterThan(1);
  });

  it('lifts a quiet song above full volume, within its peak', () => {
    const { factory, graph } = fakeGraph();
    const { a, player } = setup({ createGraph: factory });
    player.playList([quiet, loud]);
    expect(graph.level[0]).toBeCloseTo(2);
    playTo(a, 170);
    expect(graph.level[1]).toBeCloseTo(db(-6)); // the song loaded ahead has its own level
  });

  it('blends through the graph: the new deck ramps up from silence while the old one ramps down, over the crossfade', () => {
    const { factory, graph } = fakeGraph();
    const { a, player } = setup({ createGraph: factory });
    player.setCrossfade(5);
    player.playList([loud, quiet]);
    a.play();
    playTo(a, 170);
    playTo(a, 176);
    expect(graph.ramps).toEqual([
      { deck: 1, from: 0, to: 1, seconds: 4 },
      { deck: 0, from: 1, to: expect.closeTo(0, 5), seconds: 4 },
    ]);
  });

  it('leaves media of another origin out of Web Audio, which would play it as silence', () => {
    const { factory, graph } = fakeGraph();
    const { a, player } = setup({ createGraph: factory });
    player.setMediaBase('http://elsewhere.example/media/', 'http://elsewhere.example/cover/');
    player.playList([loud]);
    expect(graph.built).toBe(0);
    expect(a.volume).toBeCloseTo(0.8 * db(-6));
  });
});
