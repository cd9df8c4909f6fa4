/** The listener's calibration on disk: kept atomically, read back, and a damaged or foreign file ignored with a message. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CALIBRATION_FILE, ListenerCalibration } from '../../../src/main/vision/listenerCalibration.js';
import type { Expression } from '../../../src/shared/expressions.js';
import type { VisionInfo } from '../../../src/shared/vision.js';

const CLASSES: Expression[] = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt'];
const MODEL: VisionInfo['expression'] = { model: 'a-mobilenet', version: '3', executionProvider: 'cpu', classes: CLASSES };

/** A relaxed face the model reads as mostly sad: 55% sad, 30% neutral. */
const RESTING_SAD = CLASSES.map((c) => Math.log(c === 'sadness' ? 0.55 : c === 'neutral' ? 0.3 : 0.15 / 6));
const frames = (n = 10) => Array.from({ length: n }, () => [...RESTING_SAD]);

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'emotune-calibration-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('ListenerCalibration', () => {
  it('keeps a pose in the data folder, atomically, and reads it back in the next run', async () => {
    const dir = dataDir();
    const first = new ListenerCalibration(dir, () => MODEL);
    expect(first.status()).toMatchObject({ available: true, active: false, poses: [], problem: null });
    expect(first.apply(RESTING_SAD)).toBeNull();
    const outcome = await first.addPose('neutral', frames(), 1_700_000_000_000);
    expect(outcome).toMatchObject({ ok: true, status: { active: true, poses: [{ pose: 'neutral', at: 1_700_000_000_000, frames: 10 }] } });
    // Only the file itself: no temporary copy left beside it; readable by the user alone.
    expect(readdirSync(dir)).toEqual([CALIBRATION_FILE]);
    if (process.platform !== 'win32') expect(statSync(join(dir, CALIBRATION_FILE)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(join(dir, CALIBRATION_FILE), 'utf8')) as { version: number; model: unknown };
    expect(stored).toMatchObject({ version: 1, model: { name: 'a-mobilenet', version: '3' } });

    const calibrated = first.apply(RESTING_SAD)!;
    expect(calibrated.top).toBe('neutral');
    const second = new ListenerCalibration(dir, () => MODEL);
    expect(second.status()).toEqual(first.status());
    expect(second.apply(RESTING_SAD)).toEqual(calibrated);
  });

  it('replaces a pose done again, and keeps corrections with the poses', async () => {
    const calibration = new ListenerCalibration(dataDir(), () => MODEL);
    await calibration.addPose('happiness', frames(3), 1);
    await calibration.addPose('neutral', frames(3), 2);
    await calibration.addPose('neutral', frames(5), 3);
    const { status } = await calibration.addCorrection('sadness', frames(4), 4);
    expect(status.poses).toEqual([
      { pose: 'neutral', at: 3, frames: 5 },
      { pose: 'happiness', at: 1, frames: 3 },
    ]);
    expect(status.corrections).toEqual([{ not: 'sadness', at: 4, frames: 4 }]);
    expect(status.offsets.sadness).toBeLessThan(0);
  });

  it.each([
    ['not JSON', '{"version": 1, "model"'],
    [
      'another version',
      JSON.stringify({ version: 2, model: { name: 'a-mobilenet', version: '3' }, classes: CLASSES, poses: [], corrections: [] }),
    ],
    [
      'a frame of the wrong width',
      JSON.stringify({
        version: 1,
        model: { name: 'a-mobilenet', version: '3' },
        classes: CLASSES,
        poses: [{ pose: 'neutral', at: 1, scores: [[0, 0, 0]] }],
        corrections: [],
      }),
    ],
  ])('ignores a damaged file (%s) with a message, and runs uncalibrated', async (_what, text) => {
    const dir = dataDir();
    writeFileSync(join(dir, CALIBRATION_FILE), text);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const calibration = new ListenerCalibration(dir, () => MODEL);
    expect(warn).toHaveBeenCalledOnce();
    expect(calibration.status()).toMatchObject({ active: false, poses: [], problem: expect.stringMatching(/could not be read/) });
    expect(calibration.apply(RESTING_SAD)).toBeNull();
    // The damaged file is still there until a new calibration replaces it.
    expect(readFileSync(join(dir, CALIBRATION_FILE), 'utf8')).toBe(text);
    const outcome = await calibration.addPose('neutral', frames());
    expect(outcome).toMatchObject({ ok: true, status: { active: true, problem: null } });
    expect(new ListenerCalibration(dir, () => MODEL).status().problem).toBeNull();
  });

  it('leaves a calibration made for another model unused, and says so', async () => {
    const dir = dataDir();
    await new ListenerCalibration(dir, () => ({ ...MODEL, version: '2' })).addPose('neutral', frames());
    const calibration = new ListenerCalibration(dir, () => MODEL);
    expect(calibration.status()).toMatchObject({
      active: false,
      problem: expect.stringMatching(/another expression model \(a-mobilenet 2\)/),
    });
    expect(calibration.apply(RESTING_SAD)).toBeNull();
    // Calibrating again makes one for this model.
    const { status } = await calibration.addPose('happiness', frames(2));
    expect(status).toMatchObject({ active: true, problem: null, poses: [{ pose: 'happiness' }] });
  });

  it('keeps the calibration before when a save fails', async () => {
    const dir = dataDir();
    const calibration = new ListenerCalibration(dir, () => MODEL);
    await calibration.addPose('neutral', frames(), 5);
    const before = calibration.status();
    // The file's place taken by a folder: the rename over it fails.
    rmSync(join(dir, CALIBRATION_FILE));
    mkdirSync(join(dir, CALIBRATION_FILE, 'in-the-way'), { recursive: true });
    const outcome = await calibration.addPose('happiness', frames(), 6);
    expect(outcome).toMatchObject({
      ok: false,
      reason: 'not-saved',
      message: expect.stringMatching(/could not be saved.*the one before is kept/),
    });
    expect(calibration.status()).toEqual(before);
    expect(readdirSync(dir)).toEqual([CALIBRATION_FILE]);
  });

  it('forgets: the file is deleted, a damaged one too, and the model reads the face as it is', async () => {
    const dir = dataDir();
    const calibration = new ListenerCalibration(dir, () => MODEL);
    await calibration.addPose('neutral', frames());
    const status = await calibration.forget();
    expect(status).toMatchObject({ active: false, poses: [], corrections: [], offsets: {}, problem: null });
    expect(existsSync(join(dir, CALIBRATION_FILE))).toBe(false);
    expect(calibration.apply(RESTING_SAD)).toBeNull();
    await expect(calibration.forget()).resolves.toMatchObject({ poses: [] });

    writeFileSync(join(dir, CALIBRATION_FILE), 'garbage');
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const damaged = new ListenerCalibration(dir, () => MODEL);
    expect((await damaged.forget()).problem).toBeNull();
    expect(existsSync(join(dir, CALIBRATION_FILE))).toBe(false);
  });

  it('has nothing to calibrate without an expression model', async () => {
    const calibration = new ListenerCalibration(dataDir(), () => ({ error: 'expression recognition is off: no model' }));
    expect(calibration.status().available).toBe(false);
    await expect(calibration.addPose('neutral', frames())).resolves.toMatchObject({ ok: false, reason: 'unavailable' });
  });
});
