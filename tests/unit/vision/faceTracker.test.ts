/**
 * Following the listener on synthetic boxes in a 320x240 frame, 10 frames a second: the face
 * chosen first stays the main face through a bigger, more central passer-by, a steady or fast
 * move, two faces crossing and a short loss; only a long loss chooses again.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FOLLOW_SETTINGS, followListener, pickMainFace, type Followed } from '../../../src/main/vision/faceTracker.js';
import type { Box, Face } from '../../../src/shared/vision.js';

const W = 320;
const H = 240;
const FRAME_MS = 100;

/** Someone in a frame: who it is (for the assertions only) and where the detector put them. */
interface Seen {
  who: string;
  box: Box;
}

const box = (x: number, y: number, size: number): Box => ({ x, y, width: size, height: size });
const face = (b: Box): Face => ({ box: b, keypoints: [], score: 0.9 });

/** Feeds frames in order, 100 ms apart unless a frame says when; returns who was the main face in each (null: none). */
function follow(frames: (Seen[] | { at: number; seen: Seen[] })[], start: Followed | null = null) {
  let followed = start;
  let t = 0;
  const main: (string | null)[] = [];
  for (const frame of frames) {
    const { at, seen } = Array.isArray(frame) ? { at: t, seen: frame } : frame;
    t = at + FRAME_MS;
    const result = followListener(
      followed,
      seen.map((s) => face(s.box)),
      W,
      H,
      at,
    );
    followed = result.followed;
    main.push(result.mainFace === null ? null : seen[result.mainFace]!.who);
  }
  return { main, followed };
}

const repeat = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** The listener sits to the left; the passer-by is larger and right in the middle. */
const LISTENER = box(30, 80, 70);
const PASSER = box(110, 60, 110);

describe('followListener', () => {
  it('starts on the face pickMainFace chooses, and keeps it while it jitters in place', () => {
    const jitter = [0, 2, -1, 3, -2, 1];
    const { main, followed } = follow(
      repeat(30, (i) => [{ who: 'listener', box: { ...LISTENER, x: LISTENER.x + jitter[i % 6]!, width: 70 + jitter[(i + 2) % 6]! } }]),
    );
    expect(main).toEqual(repeat(30, () => 'listener'));
    expect(followed?.seenAt).toBe(29 * FRAME_MS);
  });

  it('keeps the listener while a bigger, more central face comes into view and goes', () => {
    expect(pickMainFace([face(LISTENER), face(PASSER)], W, H)).toBe(1);
    const frames = [
      ...repeat(10, () => [{ who: 'listener', box: LISTENER }]),
      // Listed first, so the order the detector lists faces in cannot be what saves the listener.
      ...repeat(30, () => [
        { who: 'passer', box: PASSER },
        { who: 'listener', box: LISTENER },
      ]),
      ...repeat(10, () => [{ who: 'listener', box: LISTENER }]),
    ];
    expect(follow(frames).main).toEqual(repeat(50, () => 'listener'));
  });

  it('follows the listener moving steadily across the frame past a still face, and a move faster than the box overlaps', () => {
    const still = { who: 'other', box: box(240, 20, 60) };
    const steady = repeat(20, (i) => [still, { who: 'listener', box: box(10 + i * 10, 120, 70) }]);
    expect(follow(steady).main).toEqual(repeat(20, () => 'listener'));
    // 50 px a frame with a 70 px box: consecutive boxes overlap by IoU 0.17, below the 0.3 that counts as overlap.
    const fast = repeat(5, (i) => [still, { who: 'listener', box: box(10 + i * 50, 140, 70) }]);
    expect(follow(fast).main).toEqual(repeat(5, () => 'listener'));
  });

  it('reports no main face during a short loss, never the face still in view, and keeps the listener when they return', () => {
    const frames = [
      ...repeat(5, () => [{ who: 'listener', box: LISTENER }]),
      ...repeat(5, () => [
        { who: 'listener', box: LISTENER },
        { who: 'passer', box: PASSER },
      ]),
      // A turn of the head: one second without the listener.
      ...repeat(10, () => [{ who: 'passer', box: PASSER }]),
      ...repeat(10, () => [
        { who: 'passer', box: PASSER },
        { who: 'listener', box: { ...LISTENER, x: LISTENER.x + 8 } },
      ]),
    ];
    const { main } = follow(frames);
    expect(main).toEqual([...repeat(10, () => 'listener'), ...repeat(10, () => null), ...repeat(10, () => 'listener')]);
  });

  it('never takes a face of another size where the listener was as the listener', () => {
    const frames = [
      ...repeat(5, () => [{ who: 'listener', box: LISTENER }]),
      ...repeat(5, () => [{ who: 'close-up', box: box(LISTENER.x - 40, LISTENER.y - 40, LISTENER.width * 2) }]),
      ...repeat(5, () => [{ who: 'listener', box: LISTENER }]),
    ];
    expect(follow(frames).main).toEqual([...repeat(5, () => 'listener'), ...repeat(5, () => null), ...repeat(5, () => 'listener')]);
  });

  it('after a long loss chooses again, by the frames’ own times rather than their count', () => {
    const hold = DEFAULT_FOLLOW_SETTINGS.holdMs;
    const both = [
      { who: 'listener', box: LISTENER },
      { who: 'passer', box: PASSER },
    ];
    const passer = [{ who: 'passer', box: PASSER }];
    const { main } = follow([
      { at: 0, seen: [{ who: 'listener', box: LISTENER }] },
      { at: 100, seen: passer },
      { at: hold, seen: passer },
      // Only three frames since the listener was last seen, but more than the hold time.
      { at: hold + 1, seen: passer },
      { at: hold + 100, seen: both },
    ]);
    expect(main).toEqual(['listener', null, null, 'passer', 'passer']);
  });

  it('after a long loss with no one in view follows whoever comes next', () => {
    const { main, followed } = follow([[{ who: 'listener', box: LISTENER }], ...repeat(20, () => []), [{ who: 'newcomer', box: PASSER }]]);
    expect(main).toEqual(['listener', ...repeat(20, () => null), 'newcomer']);
    expect(followed?.box).toEqual(PASSER);
  });

  it('keeps the listener when two faces of one size cross, even through a frame where the detector sees only one', () => {
    // The listener walks right, the other left, on the same row; at frame 8 they are in one place.
    const at = (i: number) => ({ listener: box(40 + i * 10, 100, 80), other: box(200 - i * 10, 100, 80) });
    const frames = repeat(17, (i) => {
      const { listener, other } = at(i);
      // Alone at first, so the listener is the one chosen; alone again where the two boxes coincide.
      if (i === 0 || i === 8) return [{ who: 'listener', box: listener }];
      // The listener first: a tie between the two would go to the other face.
      return [
        { who: 'listener', box: listener },
        { who: 'other', box: other },
      ];
    });
    expect(follow(frames).main).toEqual(repeat(17, () => 'listener'));
  });

  it('starts again from the same frame time without dividing by zero', () => {
    const first = followListener(null, [face(LISTENER)], W, H, 500);
    const again = followListener(first.followed, [face({ ...LISTENER, x: LISTENER.x + 4 })], W, H, 500);
    expect(again.mainFace).toBe(0);
    expect(Object.values(again.followed!.velocity).every(Number.isFinite)).toBe(true);
  });
});
