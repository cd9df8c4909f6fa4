/** The guided calibration step on fake timers, "Not sad", and the card's one offer. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CalibrationState, HOLD_SECONDS, READY_SECONDS } from '../../src/renderer/lib/calibration.svelte.js';
import { offsetPhrases } from '../../src/renderer/lib/calibrationWords.js';
import type { CalibrationOutcome, CalibrationPose, CalibrationStatus } from '../../src/shared/vision.js';
import { fakeBackend, type Handlers } from './fakes.js';

const EMPTY: CalibrationStatus = { available: true, active: false, poses: [], corrections: [], offsets: {}, cap: 1, problem: null };

function withPoses(...poses: CalibrationPose[]): CalibrationStatus {
  return { ...EMPTY, active: true, poses: poses.map((pose) => ({ pose, at: 1, frames: 20 })), offsets: { neutral: 0.5, sadness: -0.4 } };
}

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
}

function setup(handlers: Handlers = {}) {
  const saved: CalibrationPose[] = [];
  const finish = vi.fn(({ pose }: { pose: CalibrationPose }): CalibrationOutcome => {
    saved.push(pose);
    return { ok: true, status: withPoses(...saved) };
  });
  const backend = fakeBackend({
    'vision.calibration': () => EMPTY,
    'vision.startCalibrationPose': () => ({ ok: true, status: EMPTY }),
    'vision.finishCalibrationPose': finish,
    'vision.cancelCalibrationPose': () => ({ cancelled: true }),
    ...handlers,
  });
  const storage = memoryStorage();
  return { backend, calibration: new CalibrationState(backend.api, storage), storage, finish };
}

/** Runs the clock through one pose: the countdown to get ready, then the pose held. */
const onePose = () => vi.advanceTimersByTimeAsync((READY_SECONDS + HOLD_SECONDS) * 1000);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the guided calibration', () => {
  it('counts down each pose, collects it while it is held, and ends with what was saved', async () => {
    const { backend, calibration } = setup();
    calibration.openGuide();
    expect(calibration.step).toEqual({ kind: 'intro' });
    calibration.start();
    expect(calibration.step).toMatchObject({ kind: 'ready', pose: 'neutral', index: 0, total: 2, secondsLeft: READY_SECONDS });
    await vi.advanceTimersByTimeAsync(1000);
    expect(calibration.step).toMatchObject({ kind: 'ready', secondsLeft: READY_SECONDS - 1 });
    // Frames are collected only while the pose is held, not while the listener gets ready.
    expect(backend.callsTo('vision.startCalibrationPose')).toEqual([]);
    await vi.advanceTimersByTimeAsync((READY_SECONDS - 1) * 1000);
    expect(calibration.step).toMatchObject({ kind: 'hold', pose: 'neutral', secondsLeft: HOLD_SECONDS });
    expect(backend.callsTo('vision.startCalibrationPose')).toEqual([{ pose: 'neutral' }]);
    await vi.advanceTimersByTimeAsync(HOLD_SECONDS * 1000);
    expect(backend.callsTo('vision.finishCalibrationPose')).toEqual([{ pose: 'neutral' }]);
    expect(calibration.step).toMatchObject({ kind: 'ready', pose: 'happiness', index: 1 });
    await onePose();
    expect(calibration.step).toEqual({ kind: 'done', saved: ['neutral', 'happiness'], missed: [] });
    expect(calibration.status?.poses.map((p) => p.pose)).toEqual(['neutral', 'happiness']);
  });

  it('asks for the other poses too when the listener wants them', async () => {
    const { calibration } = setup();
    calibration.openGuide();
    calibration.start(true);
    expect(calibration.step).toMatchObject({ total: 4 });
    for (let i = 0; i < 4; i++) await onePose();
    expect(calibration.step).toMatchObject({ kind: 'done', saved: ['neutral', 'happiness', 'surprise', 'sadness'] });
  });

  it('says why a pose failed, and tries it again or leaves it out', async () => {
    let attempts = 0;
    const { calibration } = setup({
      'vision.finishCalibrationPose': ({ pose }) =>
        pose === 'neutral' && attempts++ === 0
          ? { ok: false, reason: 'no-face', message: 'No face was seen while you were asked to look relaxed.', status: EMPTY }
          : pose === 'happiness'
            ? { ok: false, reason: 'several-faces', message: 'More than one face was in view.', status: withPoses('neutral') }
            : { ok: true, status: withPoses('neutral') },
    });
    calibration.openGuide();
    calibration.start();
    await onePose();
    expect(calibration.step).toMatchObject({ kind: 'failed', pose: 'neutral', message: expect.stringMatching(/No face was seen/) });
    calibration.retry();
    await onePose();
    expect(calibration.step).toMatchObject({ kind: 'ready', pose: 'happiness' });
    await onePose();
    expect(calibration.step).toMatchObject({ kind: 'failed', pose: 'happiness', message: 'More than one face was in view.' });
    calibration.skipPose();
    expect(calibration.step).toEqual({ kind: 'done', saved: ['neutral'], missed: ['happiness'] });
  });

  it('stops at once when skipped mid-pose: the pose is cancelled and never finished', async () => {
    const { backend, calibration } = setup();
    calibration.openGuide();
    calibration.start();
    await vi.advanceTimersByTimeAsync(READY_SECONDS * 1000 + 500);
    expect(calibration.step.kind).toBe('hold');
    calibration.closeGuide();
    expect(calibration.step).toEqual({ kind: 'closed' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(backend.callsTo('vision.cancelCalibrationPose')).toHaveLength(1);
    expect(backend.callsTo('vision.finishCalibrationPose')).toEqual([]);
    expect(calibration.step).toEqual({ kind: 'closed' });
  });

  it('says so when a pose cannot even start (no expression model)', async () => {
    const { calibration } = setup({
      'vision.startCalibrationPose': () => ({
        ok: false,
        reason: 'unavailable',
        message: 'Expressions cannot be read on this computer.',
        status: { ...EMPTY, available: false },
      }),
    });
    calibration.openGuide();
    calibration.start();
    await vi.advanceTimersByTimeAsync(READY_SECONDS * 1000);
    expect(calibration.step).toMatchObject({ kind: 'failed', message: 'Expressions cannot be read on this computer.' });
  });
});

describe('the calibration state', () => {
  it('offers calibration once, to a listener who has none, and remembers "Not now"', async () => {
    const { calibration, backend, storage } = setup();
    expect(calibration.shouldOffer).toBe(false);
    await calibration.refresh();
    expect(calibration.shouldOffer).toBe(true);
    calibration.dismissOffer();
    expect(calibration.shouldOffer).toBe(false);
    expect(new CalibrationState(backend.api, storage).offerDismissed).toBe(true);
  });

  it('thanks the listener for "Not sad", or says why nothing changed', async () => {
    const { calibration } = setup({
      'vision.correctExpression': ({ not }) =>
        not === 'sadness'
          ? { ok: true, status: { ...EMPTY, active: true, corrections: [{ not, at: 1, frames: 10 }], offsets: { sadness: -0.3 } } }
          : { ok: false, reason: 'no-expression', message: 'Emotune no longer reads you as angry.', status: EMPTY },
    });
    await calibration.correct('sadness');
    expect(calibration.correction).toEqual({ ok: true, text: 'Thanks: Emotune will be slower to read you as sad.' });
    expect(calibration.status?.corrections).toHaveLength(1);
    await calibration.correct('anger');
    expect(calibration.correction).toEqual({ ok: false, text: 'Emotune no longer reads you as angry.' });
  });

  it('puts offsets in plain words, the largest first, and leaves out the ones too small to matter', () => {
    expect(offsetPhrases({ ...EMPTY, offsets: { neutral: 0.2, sadness: -0.9, anger: 0.01, happiness: 0.5 } })).toEqual([
      'reads you as sad much less readily (−0.90)',
      'reads you as happy more readily (+0.50)',
      'reads you as neutral a little more readily (+0.20)',
    ]);
  });
});
