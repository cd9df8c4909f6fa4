import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiParams, FrameAck } from '../../src/shared/api.js';
import { FrameSender, grabFrom, type FrameCanvas, type FrameGrabber, type FramePace } from '../../src/renderer/lib/frameSender.js';
import { fakeBackend } from './fakes.js';

type Frame = ApiParams<'vision.submitFrame'>;

const picture = { width: 32, height: 24, format: 'rgba' as const, rgba: new Uint8Array(32 * 24 * 4) };
const options = { maxFps: 10, answerTimeoutMs: 1000 };

function setup(
  grab: FrameGrabber = () => Promise.resolve(picture),
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
    expect('rgba' in frame && frame.rgba).toBe(picture.rgba);
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
    const { sender, sentIds } = setup(() => Promise.resolve(ready ? picture : undefined));
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

  it('sends nothing when stopped while a picture was being read, and runs one loop when started again meanwhile', async () => {
    let finish: (() => void) | undefined;
    const slow: FrameGrabber = () => new Promise((resolve) => (finish = () => resolve(picture)));
    const { sender, sentIds } = setup(slow);
    sender.start();
    await vi.advanceTimersByTimeAsync(0);
    sender.stop();
    finish!();
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIds()).toEqual([]);
    sender.start();
    await vi.advanceTimersByTimeAsync(0);
    sender.stop();
    sender.start(); // its tick finds the first read still going and leaves it be
    await vi.advanceTimersByTimeAsync(0);
    finish!();
    await vi.advanceTimersByTimeAsync(0);
    expect(sentIds()).toEqual([1]);
  });

  it('tries again after 100 ms when reading the picture fails', async () => {
    let fail = true;
    const { sender, sentIds } = setup(() => (fail ? Promise.reject(new Error('no frame')) : Promise.resolve(picture)));
    sender.start();
    await vi.advanceTimersByTimeAsync(50);
    expect(sentIds()).toEqual([]);
    fail = false;
    await vi.advanceTimersByTimeAsync(50);
    expect(sentIds()).toEqual([1]);
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

  it('scales the picture to the width, keeping the camera aspect ratio', async () => {
    const { canvas, drawImage } = fakeCanvas();
    const video = fakeVideo({ readyState: 4, videoWidth: 1280, videoHeight: 720 });
    const frame = await grabFrom(video, 320, canvas)();
    if (!frame || !('rgba' in frame)) throw new Error('expected an RGBA frame');
    expect(frame.width).toBe(320);
    expect(frame.height).toBe(180);
    expect(frame.rgba).toHaveLength(320 * 180 * 4);
    expect(frame.rgba[0]).toBe(7);
    expect(canvas.height).toBe(180);
    expect(drawImage).toHaveBeenCalledWith(video, 0, 0, 320, 180);
  });

  /** WebCodecs' VideoFrame as the page sees it, over a picture of the given layout. */
  function stubVideoFrame(format: string, width: number, height: number, fill: (bytes: Uint8Array) => void) {
    const closed = vi.fn();
    class FakeVideoFrame {
      readonly format = format;
      readonly visibleRect = { x: 0, y: 0, width, height };
      readonly displayWidth = width;
      readonly displayHeight = height;
      readonly colorSpace = { matrix: 'bt709', fullRange: true };
      allocationSize() {
        return (width * height * 3) / 2;
      }
      copyTo(bytes: Uint8Array) {
        fill(bytes);
        return Promise.resolve([
          { offset: 0, stride: width },
          { offset: width * height, stride: width / 2 },
          { offset: (width * height * 5) / 4, stride: width / 2 },
        ]);
      }
      close = closed;
    }
    vi.stubGlobal('VideoFrame', FakeVideoFrame);
    return closed;
  }

  it("sends the camera's own YUV scaled down, with its colours, when the browser can copy it", async () => {
    const closed = stubVideoFrame('I420', 640, 480, (bytes) => bytes.fill(200, 0, 640 * 480).fill(90, 640 * 480));
    try {
      const { canvas, drawImage } = fakeCanvas();
      const frame = await grabFrom(fakeVideo({ readyState: 4, videoWidth: 640, videoHeight: 480 }), 320, canvas)();
      if (!frame || !('i420' in frame)) throw new Error('expected an I420 frame');
      expect(frame).toMatchObject({ width: 320, height: 240, matrix: 'bt709', fullRange: true });
      expect(frame.i420).toHaveLength((320 * 240 * 3) / 2);
      expect([frame.i420[0], frame.i420[320 * 240]]).toEqual([200, 90]);
      expect(drawImage).not.toHaveBeenCalled();
      expect(closed).toHaveBeenCalledTimes(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('draws through the canvas a camera whose frames are RGB', async () => {
    const closed = stubVideoFrame('BGRA', 640, 480, () => undefined);
    try {
      const { canvas, drawImage } = fakeCanvas();
      const frame = await grabFrom(fakeVideo({ readyState: 4, videoWidth: 640, videoHeight: 480 }), 320, canvas)();
      expect(frame && 'rgba' in frame).toBe(true);
      expect(drawImage).toHaveBeenCalledTimes(1);
      expect(closed).toHaveBeenCalledTimes(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('has no frame while the video has no picture yet', async () => {
    const { canvas, drawImage } = fakeCanvas();
    const frame = await grabFrom(fakeVideo({ readyState: 4, videoWidth: 0, videoHeight: 0 }), 320, canvas)();
    expect(frame).toBeUndefined();
    expect(drawImage).not.toHaveBeenCalled();
  });

  it('says so when there is no 2D canvas', () => {
    const canvas: FrameCanvas = { height: 0, getContext: () => null };
    expect(() => grabFrom(fakeVideo({ readyState: 4, videoWidth: 640, videoHeight: 480 }), 320, canvas)).toThrow(/2D canvas/);
  });
});
