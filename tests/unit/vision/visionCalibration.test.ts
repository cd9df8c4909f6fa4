/**
 * Calibration and the face crop through the vision service, with a scripted classifier: a pose's
 * frames calibrate every later frame (and the stable expression), no face or several faces fail and
 * change nothing, "not sad" lowers sadness, and the crop goes only to the session that asks for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEventName, ApiEvents } from '../../../src/shared/api.js';
import { DEFAULT_EXPRESSION_STATE_SETTINGS, EXPRESSIONS, type Expression } from '../../../src/shared/expressions.js';
import type { DetectionResult, Face } from '../../../src/shared/vision.js';
import { openLibraryDatabase } from '../../../src/main/library/database.js';
import { LibraryStore } from '../../../src/main/library/libraryStore.js';
import { calibratedExpression } from '../../../src/main/vision/calibration.js';
import { toRgba, type CameraImage } from '../../../src/main/vision/cameraImage.js';
import type { FrameAnalysis, StreamFrame } from '../../../src/main/vision/visionEngine.js';
import { VisionService, type FrameAnalyser, type VisionSession } from '../../../src/main/vision/visionService.js';

const CLASSES = [...EXPRESSIONS];
const log = (shares: Partial<Record<Expression, number>>) => {
  const rest = (1 - Object.values(shares).reduce((a, b) => a + b, 0)) / (CLASSES.length - Object.keys(shares).length);
  return CLASSES.map((c) => Math.log(shares[c] ?? rest));
};
/** What each scripted frame shows, by its first byte. */
const SCENES = {
  /** One face, relaxed, which the model reads as mostly sad. */
  restingSad: { faces: 1, scores: log({ sadness: 0.6, neutral: 0.3 }) },
  smiling: { faces: 1, scores: log({ happiness: 0.95 }) },
  empty: { faces: 0, scores: null },
  twoFaces: { faces: 2, scores: log({ happiness: 0.9 }) },
} as const;
type Scene = keyof typeof SCENES;
const SCENE_NAMES = Object.keys(SCENES) as Scene[];

const face: Face = { box: { x: 1, y: 1, width: 10, height: 10 }, keypoints: [], score: 0.9 };

class ScriptedClassifier implements FrameAnalyser {
  readonly info = {
    detector: { model: 'scripted', inputSize: 1, executionProvider: 'cpu' },
    expression: { model: 'scripted-expressions', version: '1', executionProvider: 'cpu', classes: CLASSES },
  };
  /** Whether each frame asked for the face crop. */
  readonly cropAsked: boolean[] = [];
  analyse(picture: CameraImage, stream?: StreamFrame): Promise<FrameAnalysis> {
    const image = toRgba(picture);
    const scene = SCENES[SCENE_NAMES[image.data[0]!]!];
    this.cropAsked.push(stream?.crop === true);
    const scores = scene.scores && [...scene.scores];
    const crop = { width: 2, height: 2, channels: 1 as const, data: new Uint8Array([image.data[1]!, 2, 3, 4]) };
    return Promise.resolve({
      faces: Array.from({ length: scene.faces }, () => face),
      mainFace: scene.faces > 0 ? 0 : null,
      expression: scores && calibratedExpression(scores, [], CLASSES),
      timings: { detectMs: 1, classifyMs: 1 },
      followed: null,
      scores,
      ...(stream?.crop && { crop: scene.faces > 0 ? crop : null }),
    });
  }
  close(): void {}
}

type Event = { [E in ApiEventName]: { event: E; payload: ApiEvents[E] } }[ApiEventName];

let store: LibraryStore | undefined;
const dirs: string[] = [];
afterEach(() => {
  store?.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'emotune-vision-calibration-'));
  dirs.push(dir);
  store = new LibraryStore(openLibraryDatabase(join(dir, 'library.sqlite')));
  const analyser = new ScriptedClassifier();
  const vision = new VisionService(analyser, store.settings, { dataDir: dir });
  vision.setExpressionSettings({ ...DEFAULT_EXPRESSION_STATE_SETTINGS, smoothingMs: 0, minDwellMs: 0, hysteresis: 0, uncertainBelow: 0.3 });
  return { vision, analyser, dir };
}

/** A session and a way to show it frames of a scene, waiting for each answer. */
function open(vision: VisionService) {
  const events: Event[] = [];
  const session: VisionSession = vision.openSession((event, payload) => events.push({ event, payload } as Event));
  let frameId = 0;
  const show = async (scene: Scene, count = 1, tag = 0): Promise<DetectionResult> => {
    for (let i = 0; i < count; i++) {
      const before = events.length;
      session.submit({
        frameId: ++frameId,
        width: 1,
        height: 1,
        format: 'rgba',
        rgba: new Uint8Array([SCENE_NAMES.indexOf(scene), tag, 0, 255]),
      });
      await expect.poll(() => events.length).toBeGreaterThan(before);
    }
    const last = events.at(-1)!;
    if (last.event !== 'vision.faces') throw new Error(`frame failed: ${JSON.stringify(last.payload)}`);
    return last.payload;
  };
  return { session, events, show };
}

describe('calibration through the vision service', () => {
  it('calibrates every later frame, and the stable expression, from a pose of the listener alone', async () => {
    const { vision, dir } = setUp();
    const { session, events, show } = open(vision);
    const before = await show('restingSad');
    expect(before.state.stable).toBe('sadness');
    expect(before.calibrated).toBeUndefined();

    expect(session.startPose('neutral')).toMatchObject({ ok: true });
    await show('restingSad', 6);
    const outcome = await session.finishPose('neutral');
    expect(outcome).toMatchObject({ ok: true, status: { active: true, poses: [{ pose: 'neutral', frames: 6 }] } });
    expect(outcome.status.offsets.neutral).toBeGreaterThan(0);
    expect(outcome.status.offsets.sadness).toBeLessThan(0);

    const after = await show('restingSad');
    expect(after.calibrated).toBe(true);
    expect(after.expression!.probabilities.neutral).toBeGreaterThan(before.expression!.probabilities.neutral);
    expect(after.expression!.top).toBe('neutral');
    expect(after.state.stable).toBe('neutral');
    // The model's scores and the crop stay on the main side.
    expect(events.every((e) => e.event !== 'vision.faces' || (!('scores' in e.payload) && !('crop' in e.payload)))).toBe(true);

    // A new window reads the same listener with the same calibration, and so does the next run.
    expect((await open(vision).show('restingSad')).expression!.top).toBe('neutral');
    const nextRun = new VisionService(new ScriptedClassifier(), store!.settings, { dataDir: dir });
    expect(nextRun.calibrationStatus()).toEqual(outcome.status);
    await vision.forgetCalibration();
    expect((await show('restingSad')).calibrated).toBeUndefined();
    session.close();
  });

  it.each([
    ['empty', 'no-face', /No face was seen while you were asked to smile/],
    ['twoFaces', 'several-faces', /More than one face was in view while you were asked to smile/],
  ] as const)('fails a pose with %s in view, and keeps the calibration before', async (scene, reason, message) => {
    const { vision } = setUp();
    const { session, show } = open(vision);
    session.startPose('neutral');
    await show('restingSad', 4);
    const kept = (await session.finishPose('neutral')).status;

    session.startPose('happiness');
    await show('smiling', 1);
    await show(scene, 5);
    const outcome = await session.finishPose('happiness');
    expect(outcome).toMatchObject({ ok: false, reason, message: expect.stringMatching(message) });
    expect(!outcome.ok && outcome.message).toMatch(/Your calibration is as it was before/);
    expect(vision.calibrationStatus()).toEqual(kept);
    session.close();
  });

  it('fails a pose that saw no frame, or was never started', async () => {
    const { vision } = setUp();
    const { session } = open(vision);
    session.startPose('neutral');
    await expect(session.finishPose('neutral')).resolves.toMatchObject({ ok: false, reason: 'no-frames' });
    await expect(session.finishPose('neutral')).resolves.toMatchObject({ ok: false, reason: 'not-started' });
    session.startPose('happiness');
    expect(session.cancelPose()).toBe(true);
    await expect(session.finishPose('happiness')).resolves.toMatchObject({ ok: false, reason: 'not-started' });
    expect(vision.calibrationStatus().poses).toEqual([]);
    session.close();
  });

  it('takes "not sad" on the stable expression into the same adjustment', async () => {
    const { vision } = setUp();
    const { session, show } = open(vision);
    const sad = await show('restingSad', 3);
    expect(sad.state.stable).toBe('sadness');
    // Only the expression shown can be corrected.
    await expect(session.correct('anger')).resolves.toMatchObject({ ok: false, reason: 'no-expression' });
    const outcome = await session.correct('sadness');
    expect(outcome).toMatchObject({ ok: true, status: { active: true, corrections: [{ not: 'sadness', frames: 3 }] } });
    expect(outcome.status.offsets.sadness).toBeLessThan(0);
    const after = await show('restingSad');
    expect(after.expression!.probabilities.sadness).toBeLessThan(sad.expression!.probabilities.sadness);
    session.close();
  });

  it('sends the face crop only while asked, and only to the session that asked', async () => {
    const { vision, analyser } = setUp();
    const a = open(vision);
    const b = open(vision);
    await a.show('smiling');
    expect(analyser.cropAsked).toEqual([false]);
    // The first request arms the crop; the next frame brings one.
    expect(a.session.faceCrop()).toBeNull();
    await a.show('smiling', 1, 77);
    await b.show('smiling', 1, 99);
    expect(analyser.cropAsked).toEqual([false, true, false]);
    expect(a.session.faceCrop()).toMatchObject({ width: 2, height: 2, channels: 1, data: new Uint8Array([77, 2, 3, 4]) });
    expect(b.session.faceCrop()).toBeNull();
    // No face: no crop, rather than an old one.
    await a.show('empty');
    expect(a.session.faceCrop()).toBeNull();
    a.session.close();
    expect(a.session.faceCrop()).toBeNull();
    b.session.close();
  });
});
