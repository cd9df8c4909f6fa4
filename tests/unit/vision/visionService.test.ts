/** Each renderer's session smooths its own frames; settings reach every open session; failures reach the renderer. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEventName, ApiEvents } from '../../../src/shared/api.js';
import { DEFAULT_EXPRESSION_STATE_SETTINGS, EXPRESSIONS, type Expression } from '../../../src/shared/expressions.js';
import { openLibraryDatabase } from '../../../src/main/library/database.js';
import { LibraryStore } from '../../../src/main/library/libraryStore.js';
import type { Followed } from '../../../src/main/vision/faceTracker.js';
import { toRgba, type CameraImage } from '../../../src/main/vision/cameraImage.js';
import type { FrameAnalysis, StreamFrame } from '../../../src/main/vision/visionEngine.js';
import { VisionService, type FrameAnalyser } from '../../../src/main/vision/visionService.js';

type Event = { [E in ApiEventName]: { event: E; payload: ApiEvents[E] } }[ApiEventName];

function probabilities(top: Expression): Record<Expression, number> {
  return Object.fromEntries(EXPRESSIONS.map((e) => [e, e === top ? 0.93 : 0.01])) as Record<Expression, number>;
}

/** Answers each frame with the expression its first pixel names (index into EXPRESSIONS), or fails on 255. */
class ScriptedAnalyser implements FrameAnalyser {
  readonly info = { detector: { model: 'scripted', inputSize: 1, executionProvider: 'cpu' }, expression: { error: 'none' } };
  closed = false;
  /** Whom each frame came in following, in order. */
  readonly followedIn: (Followed | null)[] = [];
  analyse(picture: CameraImage, stream?: StreamFrame): Promise<FrameAnalysis> {
    const image = toRgba(picture);
    const code = image.data[0]!;
    if (code === 255) return Promise.reject(new Error('the vision worker stopped: it is being started again'));
    const top = EXPRESSIONS[code]!;
    this.followedIn.push(stream?.followed ?? null);
    // The frame's second byte stands for where the followed face was found.
    const at = image.data[1]!;
    return Promise.resolve({
      faces: [],
      mainFace: 0,
      expression: { probabilities: probabilities(top), top },
      timings: { detectMs: 1, classifyMs: 1 },
      followed: { box: { x: at, y: 0, width: 1, height: 1 }, velocity: { x: 0, y: 0 }, seenAt: stream?.at ?? 0 },
    });
  }
  close(): void {
    this.closed = true;
  }
}

const frame = (frameId: number, code: number, at = 0, width = 1) => ({
  frameId,
  width,
  height: 1,
  format: 'rgba' as const,
  rgba: new Uint8Array([code, at, 0, 255, ...new Array<number>((width - 1) * 4).fill(0)]),
});

let store: LibraryStore;
afterEach(() => store.close());

function service(): { vision: VisionService; analyser: ScriptedAnalyser } {
  store = new LibraryStore(openLibraryDatabase(join(mkdtempSync(join(tmpdir(), 'emotune-vision-')), 'library.sqlite')));
  const analyser = new ScriptedAnalyser();
  return { vision: new VisionService(analyser, store.settings), analyser };
}

function collect(): { events: Event[]; emit: <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void } {
  const events: Event[] = [];
  return { events, emit: (event, payload) => events.push({ event, payload } as Event) };
}

async function settle(events: Event[], count: number): Promise<void> {
  await expect.poll(() => events.length).toBeGreaterThanOrEqual(count);
}

describe('VisionService', () => {
  it('keeps one state machine per session, so two windows never smooth each other’s faces', async () => {
    const { vision } = service();
    vision.setExpressionSettings({ ...DEFAULT_EXPRESSION_STATE_SETTINGS, smoothingMs: 0, minDwellMs: 0, hysteresis: 0 });
    const a = collect();
    const b = collect();
    const sa = vision.openSession(a.emit);
    const sb = vision.openSession(b.emit);
    sa.submit(frame(1, EXPRESSIONS.indexOf('happiness')));
    sb.submit(frame(1, EXPRESSIONS.indexOf('sadness')));
    await settle(a.events, 1);
    await settle(b.events, 1);
    const stable = (e: Event) => (e.event === 'vision.faces' ? e.payload.state.stable : e.event);
    expect(a.events.map(stable)).toEqual(['happiness']);
    expect(b.events.map(stable)).toEqual(['sadness']);
    sa.close();
    sb.close();
  });

  it('stores new settings and applies them to sessions already open', async () => {
    const { vision } = service();
    const a = collect();
    const session = vision.openSession(a.emit);
    const next = vision.setExpressionSettings({
      ...DEFAULT_EXPRESSION_STATE_SETTINGS,
      smoothingMs: 0,
      minDwellMs: 0,
      uncertainBelow: 0.99,
    });
    expect(next.uncertainBelow).toBe(0.99);
    expect(store.settings.get('expressionState')).toMatchObject({ uncertainBelow: 0.99 });
    session.submit(frame(1, EXPRESSIONS.indexOf('happiness')));
    await settle(a.events, 1);
    // 0.93 is under the new threshold: the open session already reads it as uncertain.
    expect(a.events[0]).toMatchObject({ event: 'vision.faces', payload: { state: { stable: 'uncertain' } } });
    session.close();
  });

  it('follows one face per session from frame to frame, and starts afresh when the stream does', async () => {
    const { vision, analyser } = service();
    const a = collect();
    const b = collect();
    const sa = vision.openSession(a.emit);
    const sb = vision.openSession(b.emit);
    const step = async (session: typeof sa, events: Event[], f: ReturnType<typeof frame>) => {
      const before = events.length;
      session.submit(f);
      await settle(events, before + 1);
    };
    await step(sa, a.events, frame(1, 0, 10));
    await step(sa, a.events, frame(2, 0, 11));
    // Another window's first frame follows no one, whatever the first window follows.
    await step(sb, b.events, frame(1, 0, 50));
    await step(sa, a.events, frame(3, 0, 12));
    // The camera turned off and on again: frame ids start again at 1.
    await step(sa, a.events, frame(1, 0, 13));
    await step(sa, a.events, frame(2, 0, 14));
    // Another camera, another size.
    await step(sa, a.events, frame(3, 0, 15, 2));
    expect(analyser.followedIn.map((f) => f?.box.x ?? null)).toEqual([null, 10, null, 11, null, 13, null]);
    // Whom a session follows stays on the main side: the renderer gets the main face's index only.
    expect(a.events.every((e) => e.event === 'vision.faces' && !('followed' in e.payload))).toBe(true);
    sa.close();
    sb.close();
  });

  it('sends a failed frame to the renderer as a vision error, and stops taking frames once closed', async () => {
    const { vision, analyser } = service();
    const a = collect();
    const session = vision.openSession(a.emit);
    expect(session.submit(frame(7, 255))).toBe(true);
    await settle(a.events, 1);
    expect(a.events[0]).toEqual({ event: 'vision.error', payload: { frameId: 7, message: expect.stringMatching(/started again/) } });
    session.close();
    expect(session.submit(frame(8, 0))).toBe(false);
    vision.close();
    expect(analyser.closed).toBe(true);
  });
});
