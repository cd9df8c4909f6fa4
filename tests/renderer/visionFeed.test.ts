import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FrameRateMode } from '../../src/renderer/lib/frameRate.js';
import { VisionFeed, type PageVisibility } from '../../src/renderer/lib/visionFeed.svelte.js';
import type { Expression } from '../../src/shared/expressions.js';
import { faceDetection, fakeBackend, looksLike, type FakeBackend } from './fakes.js';

const picture = { width: 32, height: 24, format: 'rgba' as const, rgba: new Uint8Array(32 * 24 * 4) };

/** A document whose visibility the test sets. */
class FakePage extends EventTarget implements PageVisibility {
  visibilityState: DocumentVisibilityState = 'visible';
  set(state: DocumentVisibilityState): void {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

/** A feed whose backend answers each frame 20 ms later with the face the test shows. */
function setup(options: { watchInBackground?: boolean; frameRate?: FrameRateMode; fullRate?: () => boolean } = {}) {
  const page = new FakePage();
  let shown: Expression = 'happiness';
  let share = 0.9;
  const sentAt: number[] = [];
  const backend: FakeBackend = fakeBackend({
    'vision.submitFrame': (frame) => {
      sentAt.push(Date.now());
      setTimeout(() => backend.emit('vision.faces', faceDetection(looksLike(shown, share), {}, frame.frameId)), 20);
      return { frameId: frame.frameId, queued: true };
    },
  });
  const connection = { online: true, onChange: () => () => undefined };
  const feed = new VisionFeed(backend.api, connection, {
    page,
    watchInBackground: () => options.watchInBackground ?? false,
    frameRate: options.frameRate,
    fullRate: options.fullRate,
  });
  const detach = feed.attach(document.createElement('video'), () => Promise.resolve(picture));
  const show = (expression: Expression, confidence = 0.9) => ((shown = expression), (share = confidence));
  /** Frames sent in the last `ms`. */
  const sentWithin = (ms: number) => sentAt.filter((t) => t > Date.now() - ms).length;
  return { feed, page, detach, show, sentAt, sentWithin };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('VisionFeed', () => {
  it('keeps the full rate on a still face while asked to (a calibration pose is held)', async () => {
    let guide = true;
    const { sentWithin, detach } = setup({ fullRate: () => guide });
    await vi.advanceTimersByTimeAsync(5000);
    expect(sentWithin(2000)).toBe(20);
    guide = false;
    await vi.advanceTimersByTimeAsync(4000);
    expect(sentWithin(2000)).toBe(4);
    detach();
  });

  it('sends 10 frames a second at first, and 2 a second once the face has been still for a while', async () => {
    const { sentWithin, detach } = setup();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sentWithin(1000)).toBe(10);
    await vi.advanceTimersByTimeAsync(4000);
    expect(sentWithin(2000)).toBe(4);
    detach();
  });

  it('goes back to the full rate as soon as the face changes', async () => {
    const { show, sentAt, detach } = setup();
    await vi.advanceTimersByTimeAsync(5000);
    show('surprise');
    const before = sentAt.length;
    await vi.advanceTimersByTimeAsync(1500);
    // At most one low-rate gap before the change is seen, then 10 a second.
    expect(sentAt.length - before).toBeGreaterThanOrEqual(10);
    const gaps = sentAt.slice(before + 1).map((t, i) => t - sentAt[before + i]!);
    expect(gaps.every((g) => g === 100)).toBe(true);
    detach();
  });

  it('keeps 10 frames a second for a still face in fixed mode', async () => {
    const { sentWithin, detach } = setup({ frameRate: 'fixed' });
    await vi.advanceTimersByTimeAsync(6000);
    expect(sentWithin(2000)).toBe(20);
    detach();
  });

  it('rests while the window is hidden, saying so and showing no face, and goes on when it is back', async () => {
    const { feed, page, sentAt, detach } = setup();
    await vi.advanceTimersByTimeAsync(1000);
    expect(feed.result?.faces).toHaveLength(1);
    page.set('hidden');
    expect(feed.resting).toBe(true);
    expect(feed.result).toBeUndefined();
    const sent = sentAt.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sentAt.length).toBe(sent);
    expect(feed.result).toBeUndefined(); // the answer to a frame already on its way is not shown either
    expect(vi.getTimerCount()).toBe(0);
    page.set('visible');
    expect(feed.resting).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(sentAt.length).toBe(sent + 1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sentAt.length).toBe(sent + 11); // back at the full rate, not the low one of before
    expect(feed.result?.faces).toHaveLength(1);
    detach();
  });

  it('goes on watching while hidden when the listener asked for it', async () => {
    const { feed, page, sentWithin, detach } = setup({ watchInBackground: true });
    await vi.advanceTimersByTimeAsync(1000);
    page.set('hidden');
    expect(feed.resting).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sentWithin(1000)).toBeGreaterThan(0);
    expect(feed.result?.faces).toHaveLength(1);
    detach();
  });

  it('stops following the page once detached', async () => {
    const { feed, page, sentAt, detach } = setup();
    await vi.advanceTimersByTimeAsync(500);
    detach();
    const sent = sentAt.length;
    page.set('hidden');
    page.set('visible');
    await vi.advanceTimersByTimeAsync(2000);
    expect(sentAt.length).toBe(sent);
    expect(feed.resting).toBe(false);
  });
});
