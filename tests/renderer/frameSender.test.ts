import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiParams, FrameAck } from '../../src/shared/api.js';
import { FrameSender, grabFrom, type FrameCanvas, type FrameGrabber, type FramePace } from '../../src/renderer/lib/frameSender.js';
import { fakeBackend } from './fakes.js';

type Frame = ApiParams<'vision.submitFrame'>;

const picture = { width: 32, height: 24, rgba: new Uint8Array(32 * 24 * 4) };
const options = { maxFps: 10, answerTimeoutMs: 1000 };

function setup(
  grab: FrameGrabber = () => picture,
  submit: (f: Frame) => Promise<FrameAck> = () => new Promise(() => undefined),
  pace?: FramePace,
) {
  const submitFrame = vi.fn(submit);
  const backend = fakeBackend({ 'vision.submitFrame': submitFrame });
  const sender = new FrameSender(backend.api, grab, options, pace);
  const sentIds = () => submitFrame.mock.calls.map(([f]) => f.frameId);
  return { sender, submitFrame, sentIds };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FrameSender', () => {
  it('sends a frame as soon as it starts, numbered from 1, with the grabbed picture', async () => {
    const { sender, submitFrame } = setup();
    sender.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(submitFrame).toHaveBeenCalledTimes(1);
    const frame = submitFrame.mock.calls[0]![0];
    expect(frame).toMatchObject({ frameId: 1, width: 32, height: 24 });
    expect(frame.rgba).toBe(picture.rgba);
  });

  it('sends nothing more while a frame is unanswered, and tries again after the answer timeout', async () => {
    const { sender, sentIds } = setup();
    sender.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(sentIds()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentIds()).toEqual([1, 2]);
  });

  it('sends the next frame after an answer, no sooner than the frame rate allows', async () => {
    const { sender, sentIds } = setup();
    sender.start();
    await vi.advanceTimersByTimeAsync(30);
    sender.answered(1); // answered after 30 ms: the next frame waits out the rest of 100 ms
    await vi.advanceTimersByTimeAsync(69);
    expect(sentIds()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentIds()).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(250);
    sender.answered(2); // a slow answer: the next frame goes at once
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIds()).toEqual([1, 2, 3]);
  });

  it('leaves the gap its pace asks for after each answer, and never less than the frame rate allows', async () => {
    let gap = 500;
    const { sender, sentIds } = setup(undefined, undefined, { intervalMs: () => gap });
    sender.start();
    await vi.advanceTimersByTimeAsync(30);
    sender.answered(1); // a still face: the next frame half a second after this one
    await vi.advanceTimersByTimeAsync(469);
    expect(sentIds()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentIds()).toEqual([1, 2]);
    gap = 20; // a pace faster than 10 frames a second is held to it
    await vi.advanceTimersByTimeAsync(30);
    sender.answered(2);
    await vi.advanceTimersByTimeAsync(69);
    expect(sentIds()).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentIds()).toEqual([1, 2, 3]);
  });

  it('ignores a late answer to an older frame', async () => {
    const { sender, sentIds } = setup();
    sender.start();
    await vi.advanceTimersByTimeAsync(300);
    sender.answered(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIds()).toEqual([1, 2]);
    sender.answered(1); // a late answer to frame 1 does not release frame 3
    sender.answered(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(sentIds()).toEqual([1, 2]);
  });

  it('waits for the camera to have a picture, checking again every 100 ms', async () => {
    let ready = false;
    const { sender, sentIds } = setup(() => (ready ? picture : undefined));
    sender.start();
    await vi.advanceTimersByTimeAsync(250);
    expect(sentIds()).toEqual([]);
    ready = true;
    await vi.advanceTimersByTimeAsync(49);
    expect(sentIds()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentIds()).toEqual([1]);
  });

  it('stops sending when stopped, and an answer that arrives afterwards does not restart it', async () => {
    const { sender, sentIds } = setup();
    sender.start();
    await vi.advanceTimersByTimeAsync(0);
    sender.stop();
    sender.answered(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(sentIds()).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs one loop however often it is started, and starts again after a stop', async () => {
    const { sender, sentIds } = setup();
    sender.start();
    sender.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIds()).toEqual([1]);
    sender.stop();
    sender.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIds()).toEqual([1, 2]);
  });

  it('goes on after a refused frame, trying again after the answer timeout', async () => {
    const { sender, sentIds } = setup(undefined, () => Promise.reject(new Error('session closing')));
    sender.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIds()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(999);
    expect(sentIds()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentIds()).toEqual([1, 2]);
  });
});

describe('grabFrom', () => {
  function fakeVideo(fields: { readyState: number; videoWidth: number; videoHeight: number }): HTMLVideoElement {
    const video = document.createElement('video');
    for (const [key, value] of Object.entries(fields)) Object.defineProperty(video, key, { configurable: true, value });
    return video;
  }

  function fakeCanvas() {
    const drawImage = vi.fn();
    const canvas: FrameCanvas = {
      height: 0,
      getContext: () => ({
        drawImage,
        getImageData: (_x, _y, w, h) => ({ data: new Uint8ClampedArray(w * h * 4).fill(7) }),
      }),
    };
    return { canvas, drawImage };
  }

  it('scales the picture to the width, keeping the camera aspect ratio', () => {
    const { canvas, drawImage } = fakeCanvas();
    const video = fakeVideo({ readyState: 4, videoWidth: 1280, videoHeight: 720 });
    const frame = grabFrom(video, 320, canvas)();
    expect(frame?.width).toBe(320);
    expect(frame?.height).toBe(180);
    expect(frame?.rgba).toHaveLength(320 * 180 * 4);
    expect(frame?.rgba[0]).toBe(7);
    expect(canvas.height).toBe(180);
    expect(drawImage).toHaveBeenCalledWith(video, 0, 0, 320, 180);
  });

  it('has no frame while the video has no picture yet', () => {
    const { canvas, drawImage } = fakeCanvas();
    const frame = grabFrom(fakeVideo({ readyState: 4, videoWidth: 0, videoHeight: 0 }), 320, canvas)();
    expect(frame).toBeUndefined();
    expect(drawImage).not.toHaveBeenCalled();
  });

  it('says so when there is no 2D canvas', () => {
    const canvas: FrameCanvas = { height: 0, getContext: () => null };
    expect(() => grabFrom(fakeVideo({ readyState: 4, videoWidth: 640, videoHeight: 480 }), 320, canvas)).toThrow(/2D canvas/);
  });
});
