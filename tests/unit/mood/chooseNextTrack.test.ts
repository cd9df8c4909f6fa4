import { describe, expect, it } from 'vitest';
import { chooseNextTrack, describeChoice } from '../../../src/main/mood/chooseNextTrack.js';
import type { Track, TrackMood } from '../../../src/shared/library.js';
import { DEFAULT_MOOD_POLICY, moodFromTag, type Mood } from '../../../src/shared/mood.js';

function track(id: number, mood: Mood | null, extra: Partial<TrackMood> = {}, error: string | null = null): Track {
  const m: TrackMood | null = mood === null ? null : { source: 'file', mood, confidence: 0.9, ...extra };
  return {
    id,
    path: `/m/${id}.mp3`,
    title: `t${id}`,
    artist: '',
    album: '',
    durationSec: 60,
    codec: 'mp3',
    hasCover: false,
    error,
    moods: m ? [m] : [],
    mood: m,
  };
}

const library = [
  track(1, 'happy', { valence: 0.9, arousal: 0.6 }),
  track(2, 'happy', { valence: 0.6, arousal: 0.2 }),
  track(3, 'sad'),
  track(4, 'calm', { source: 'user', confidence: 1 }),
  track(5, 'happy', {}, 'cannot decode'),
  track(6, 'calm', { source: 'audio', confidence: 0.55 }),
  track(7, null),
];

describe('chooseNextTrack', () => {
  it('plays what the face shows in match mode, and lifts it in lift mode', () => {
    expect(
      chooseNextTrack({ expression: 'sadness', mode: 'match', policy: DEFAULT_MOOD_POLICY, tracks: library, recent: [] })?.track.id,
    ).toBe(3);
    const lifted = chooseNextTrack({ expression: 'sadness', mode: 'lift', policy: DEFAULT_MOOD_POLICY, tracks: library, recent: [] });
    expect(lifted?.targetMood).toBe('calm');
    expect([4, 6]).toContain(lifted?.track.id);
  });

  it('keeps the queue when there is no face or the expression is uncertain', () => {
    for (const expression of ['no-face', 'uncertain'] as const) {
      expect(chooseNextTrack({ expression, mode: 'match', policy: DEFAULT_MOOD_POLICY, tracks: library, recent: [] })).toBeNull();
    }
  });

  it('follows a policy the user edited', () => {
    const policy = { ...DEFAULT_MOOD_POLICY, match: { ...DEFAULT_MOOD_POLICY.match, anger: 'sad' as const } };
    expect(chooseNextTrack({ expression: 'anger', mode: 'match', policy, tracks: library, recent: [] })?.track.id).toBe(3);
  });

  it('prefers the smallest step in valence/arousal from the current song', () => {
    const current = track(9, 'energetic', { valence: 0.6, arousal: 0.25 });
    const choice = chooseNextTrack({
      expression: 'happiness',
      mode: 'match',
      policy: DEFAULT_MOOD_POLICY,
      tracks: library,
      recent: [],
      current,
    });
    expect(choice?.track.id).toBe(2);
  });

  it('avoids recent plays while others are left, skips unplayable tracks and the current one', () => {
    const choice = chooseNextTrack({ expression: 'happiness', mode: 'match', policy: DEFAULT_MOOD_POLICY, tracks: library, recent: [2] });
    expect(choice?.track.id).toBe(1);
    // Both happy tracks were played: the one played longest ago comes back.
    expect(
      chooseNextTrack({ expression: 'happiness', mode: 'match', policy: DEFAULT_MOOD_POLICY, tracks: library, recent: [1, 2] })?.track.id,
    ).toBe(2);
    const current = library[0]!;
    expect(
      chooseNextTrack({ expression: 'happiness', mode: 'match', policy: DEFAULT_MOOD_POLICY, tracks: library, recent: [2], current })?.track
        .id,
    ).toBe(2);
  });

  it('returns nothing when no track has the target mood', () => {
    expect(chooseNextTrack({ expression: 'surprise', mode: 'match', policy: DEFAULT_MOOD_POLICY, tracks: library, recent: [] })).toBeNull();
  });

  it('says why, naming the expression, the mode and where the mood came from', () => {
    expect(describeChoice('happiness', 'lift', { source: 'user', mood: 'energetic', confidence: 1 })).toBe(
      'you look happy; lift mode; tagged energetic by you',
    );
    expect(describeChoice('sadness', 'match', { source: 'file', mood: 'sad', confidence: 0.9, raw: 'Melancholic' })).toBe(
      'you look sad; match mode; tagged sad in the file ("Melancholic")',
    );
    expect(describeChoice('anger', 'lift', { source: 'audio', mood: 'calm', confidence: 0.55 })).toBe(
      'you look angry; lift mode; sounds calm (estimated from the audio, a guess)',
    );
  });
});

describe('the demo library beside the listener’s own music', () => {
  const demo = new Set([21, 22, 23]);
  const tracks = [track(21, 'happy'), track(22, 'sad'), track(23, 'calm'), track(31, 'happy'), track(32, 'calm', {}, 'cannot decode')];
  const choose = (expression: 'happiness' | 'sadness' | 'neutral', more: { recent?: number[]; current?: Track } = {}) =>
    chooseNextTrack({
      expression,
      mode: 'match',
      policy: DEFAULT_MOOD_POLICY,
      tracks,
      recent: more.recent ?? [],
      current: more.current ?? null,
      demoTrackIds: demo,
    })?.track.id ?? null;

  it('never plays a demo piece for a mood the listener’s own music has, even one played just now', () => {
    expect(choose('happiness')).toBe(31);
    expect(choose('happiness', { recent: [31, 21] })).toBe(31);
    // Their one happy track is playing: nothing else, rather than a demo piece.
    expect(choose('happiness', { current: tracks[3]! })).toBeNull();
  });

  it('falls back to the demo pieces for a mood their own playable music lacks', () => {
    expect(choose('sadness')).toBe(22);
    const calm = chooseNextTrack({
      expression: 'happiness',
      mode: 'match',
      policy: { ...DEFAULT_MOOD_POLICY, match: { ...DEFAULT_MOOD_POLICY.match, happiness: 'calm' } },
      tracks,
      recent: [],
      demoTrackIds: demo,
    });
    expect(calm?.track.id).toBe(23); // their calm track cannot be played
  });

  it('counts a track of theirs whose mood the listener ruled out as not covering it', () => {
    const choice = chooseNextTrack({
      expression: 'happiness',
      mode: 'match',
      policy: DEFAULT_MOOD_POLICY,
      tracks,
      recent: [],
      demoTrackIds: demo,
      ruledOut: (id, mood) => id === 31 && mood === 'happy',
    });
    expect(choice?.track.id).toBe(21);
  });

  it('plays the demo pieces as any others while there is no music of their own', () => {
    const demoOnly = tracks.filter((t) => demo.has(t.id));
    expect(
      chooseNextTrack({
        expression: 'happiness',
        mode: 'match',
        policy: DEFAULT_MOOD_POLICY,
        tracks: demoOnly,
        recent: [],
        demoTrackIds: demo,
      })?.track.id,
    ).toBe(21);
  });
});

describe('moodFromTag', () => {
  it.each([
    ['Happy', 'happy'],
    ['feel-good', 'happy'],
    ['Chill Out', 'calm'],
    ['chill', 'calm'],
    ['Melancholic / Rainy', 'sad'],
    ['AGGRESSIVE', 'tense'],
    ['Party', 'energetic'],
    ['Blueprint', undefined],
    ['', undefined],
  ])('reads %j as %s', (text, mood) => {
    expect(moodFromTag(text)).toBe(mood);
  });
});
