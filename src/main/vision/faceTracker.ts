/**
 * Following the listener from frame to frame. Choosing the main face afresh in every frame hands
 * the music to whoever is largest and most central at that instant, so a passer-by leaning in
 * would take over; instead the face chosen first is followed by its box, and only when it has
 * been gone for a while is the main face chosen again.
 *
 * Pure and deterministic: time comes in with each frame, and the state is plain data, so it can
 * travel with a frame to the vision worker and back.
 */
import type { Box, Face, Point } from '../../shared/vision.js';

export interface FollowSettings {
  /** How long a followed face may go unseen before the main face is chosen again. */
  holdMs: number;
  /** A face overlapping the expected box at least this much (IoU) is the same person. */
  minIou: number;
  /** Failing that, a face whose centre is within this many box sizes of the expected one (a fast move). */
  maxShift: number;
  /** A face more than this many times larger or smaller (in width) than the followed one is someone else. */
  maxScale: number;
  /** The box is carried along its motion for at most this long: a face that stopped must still be found. */
  predictMs: number;
}

/** 1.5 s of loss is shorter than the expression's default no-face timeout, so a brief loss changes nothing. */
export const DEFAULT_FOLLOW_SETTINGS: FollowSettings = { holdMs: 1500, minIou: 0.3, maxShift: 1, maxScale: 1.6, predictMs: 500 };

/** The face being followed, in the pixels of the stream's frames. */
export interface Followed {
  box: Box;
  /** Of the box's centre, in pixels per millisecond. */
  velocity: Point;
  /** When it was last found. */
  seenAt: number;
}

export interface FollowResult {
  /** Index of the followed face in this frame, or null while it is not found. */
  mainFace: number | null;
  /** What to pass with the next frame of the same stream. */
  followed: Followed | null;
}

/** One frame of a stream: which face is the listener, given who was followed until now. */
export function followListener(
  previous: Followed | null,
  faces: readonly Face[],
  width: number,
  height: number,
  now: number,
  settings: FollowSettings = DEFAULT_FOLLOW_SETTINGS,
): FollowResult {
  if (previous && now - previous.seenAt <= settings.holdMs) {
    const found = matchFollowed(expectedBox(previous, now, settings), faces, settings);
    if (found === null) return { mainFace: null, followed: previous };
    return { mainFace: found, followed: seen(previous, faces[found]!.box, now) };
  }
  const chosen = pickMainFace(faces, width, height);
  return { mainFace: chosen, followed: chosen === null ? null : { box: faces[chosen]!.box, velocity: { x: 0, y: 0 }, seenAt: now } };
}

/** The listener among faces seen for the first time: the largest, discounted the further it is from the centre. */
export function pickMainFace(faces: readonly Face[], width: number, height: number): number | null {
  let best: number | null = null;
  let bestScore = -Infinity;
  faces.forEach((f, i) => {
    const cx = (f.box.x + f.box.width / 2) / width - 0.5;
    const cy = (f.box.y + f.box.height / 2) / height - 0.5;
    const score = f.box.width * f.box.height * (1 - Math.hypot(cx, cy));
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}

/** Where the followed face should be now if it kept moving as it was. */
function expectedBox(f: Followed, now: number, s: FollowSettings): Box {
  const dt = Math.min(Math.max(0, now - f.seenAt), s.predictMs);
  return { ...f.box, x: f.box.x + f.velocity.x * dt, y: f.box.y + f.velocity.y * dt };
}

/** The best overlap wins; without enough overlap, the nearest centre within reach. Never a face of another size. */
function matchFollowed(expected: Box, faces: readonly Face[], s: FollowSettings): number | null {
  const size = Math.sqrt(expected.width * expected.height);
  const e = centre(expected);
  let bestIou = s.minIou;
  let byOverlap: number | null = null;
  let bestShift = s.maxShift;
  let byDistance: number | null = null;
  for (const [index, face] of faces.entries()) {
    const scale = face.box.width / expected.width;
    if (!(scale <= s.maxScale && scale >= 1 / s.maxScale)) continue;
    const overlap = iou(expected, face.box);
    if (overlap >= bestIou) {
      bestIou = overlap;
      byOverlap = index;
    }
    const c = centre(face.box);
    const shift = Math.hypot(c.x - e.x, c.y - e.y) / size;
    if (shift <= bestShift) {
      bestShift = shift;
      byDistance = index;
    }
  }
  return byOverlap ?? byDistance;
}

function seen(previous: Followed, box: Box, now: number): Followed {
  const dt = now - previous.seenAt;
  if (dt <= 0) return { ...previous, box, seenAt: now };
  const from = centre(previous.box);
  const to = centre(box);
  // Half the last step and half the history: steady against the detector's jitter, quick to follow a turn.
  const velocity = {
    x: (previous.velocity.x + (to.x - from.x) / dt) / 2,
    y: (previous.velocity.y + (to.y - from.y) / dt) / 2,
  };
  return { box, velocity, seenAt: now };
}

function centre(b: Box): Point {
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}
