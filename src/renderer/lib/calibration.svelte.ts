/**
 * Calibration to the listener, on the renderer's side: what the backend keeps (poses, dates,
 * offsets), "Not sad" on the stable expression, and the guided step, a few seconds a pose ("Look
 * relaxed… 3 s") while the backend collects the frames. The step is a small state machine on timers,
 * so that a test can run it with fake ones; skipping at any moment stops the pose under way.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { Expression } from '../../shared/expressions.js';
import { CALIBRATION_POSES, REQUIRED_CALIBRATION_POSES, type CalibrationPose, type CalibrationStatus } from '../../shared/vision.js';
import { explainError } from './errorWording.js';
import { EXPRESSION_WORDS } from './expressionWords.js';

/** Seconds to get ready for a pose, then to hold it while frames are collected. */
export const READY_SECONDS = 2;
export const HOLD_SECONDS = 3;

export type GuideStep =
  | { kind: 'closed' }
  | { kind: 'intro' }
  | { kind: 'ready' | 'hold'; pose: CalibrationPose; index: number; total: number; secondsLeft: number }
  | { kind: 'saving'; pose: CalibrationPose; index: number; total: number }
  | { kind: 'failed'; pose: CalibrationPose; index: number; total: number; message: string }
  | { kind: 'done'; saved: CalibrationPose[]; missed: CalibrationPose[] };

const OFFER_KEY = 'emotune.calibration-offer';

export class CalibrationState {
  /** What the backend keeps; undefined until read. */
  status = $state<CalibrationStatus | undefined>();
  /** Why the last request failed, in plain words. */
  error = $state('');
  /** The answer to the last "Not …": thanks, or why nothing changed. */
  correction = $state<{ ok: boolean; text: string } | undefined>();
  step = $state<GuideStep>({ kind: 'closed' });
  /** The expression card's one offer was answered ("Not now" or calibrated). */
  offerDismissed = $state(false);
  private poses: CalibrationPose[] = [];
  private saved: CalibrationPose[] = [];
  private missed: CalibrationPose[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped whenever the guide moves on by itself or is closed: answers to an older step are dropped. */
  private generation = 0;

  constructor(
    private readonly api: EmotuneApi,
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = globalThis.localStorage,
  ) {
    try {
      this.offerDismissed = storage?.getItem(OFFER_KEY) === 'dismissed';
    } catch {
      // Storage off: the offer is made again next time.
    }
  }

  /** The expression card offers calibration once, to a listener who has none and has not said no. */
  get shouldOffer(): boolean {
    const s = this.status;
    return !!s && s.available && !s.problem && s.poses.length === 0 && s.corrections.length === 0 && !this.offerDismissed;
  }

  dismissOffer(): void {
    this.offerDismissed = true;
    try {
      this.storage?.setItem(OFFER_KEY, 'dismissed');
    } catch {
      // Storage full or off: dismissed for this session.
    }
  }

  async refresh(): Promise<void> {
    try {
      this.status = await this.api.vision.calibration();
      this.error = '';
    } catch (e) {
      this.error = explainError(e as Error).text;
    }
  }

  /** Deletes the calibration (on disk too). */
  async forget(): Promise<boolean> {
    try {
      this.status = await this.api.vision.forgetCalibration();
      this.error = '';
      this.correction = undefined;
      return true;
    } catch (e) {
      this.error = explainError(e as Error).text;
      return false;
    }
  }

  /** "Not sad": the listener says the stable expression shown is not theirs. */
  async correct(not: Expression): Promise<void> {
    try {
      const outcome = await this.api.vision.correctExpression({ not });
      this.status = outcome.status;
      this.correction = outcome.ok
        ? { ok: true, text: `Thanks: Emotune will be slower to read you as ${EXPRESSION_WORDS[not]}.` }
        : { ok: false, text: outcome.message };
    } catch (e) {
      this.correction = { ok: false, text: explainError(e as Error).text };
    }
  }

  // The guided step.

  openGuide(): void {
    this.stopTimer();
    this.generation++;
    this.step = { kind: 'intro' };
    this.dismissOffer();
  }

  /** Starts with the two poses everyone does, or all of them. */
  start(withMore = false): void {
    this.poses = withMore ? [...CALIBRATION_POSES] : [...REQUIRED_CALIBRATION_POSES];
    this.saved = [];
    this.missed = [];
    this.runPose(0);
  }

  /** After a pose failed: the same pose again. */
  retry(): void {
    if (this.step.kind === 'failed') this.runPose(this.step.index);
  }

  /** After a pose failed: on to the next one. */
  skipPose(): void {
    if (this.step.kind !== 'failed') return;
    this.missed.push(this.step.pose);
    this.next(this.step.index + 1);
  }

  /** Skip: stops at once, whatever the step; what was saved stays. */
  closeGuide(): void {
    const collecting = this.step.kind === 'hold';
    this.stopTimer();
    this.generation++;
    this.step = { kind: 'closed' };
    if (collecting) void this.api.vision.cancelCalibrationPose().catch(() => undefined);
    void this.refresh();
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private next(index: number): void {
    if (index < this.poses.length) this.runPose(index);
    else this.step = { kind: 'done', saved: [...this.saved], missed: [...this.missed] };
  }

  private runPose(index: number): void {
    const pose = this.poses[index]!;
    const total = this.poses.length;
    const generation = ++this.generation;
    const countdown = (kind: 'ready' | 'hold', secondsLeft: number, then: () => void) => {
      this.step = { kind, pose, index, total, secondsLeft };
      this.timer = setTimeout(() => {
        if (generation !== this.generation) return;
        if (secondsLeft > 1) countdown(kind, secondsLeft - 1, then);
        else then();
      }, 1000);
    };
    countdown('ready', READY_SECONDS, () => void this.hold(pose, index, total, generation, countdown));
  }

  private async hold(
    pose: CalibrationPose,
    index: number,
    total: number,
    generation: number,
    countdown: (kind: 'hold', secondsLeft: number, then: () => void) => void,
  ): Promise<void> {
    const fail = (message: string) => {
      if (generation === this.generation) this.step = { kind: 'failed', pose, index, total, message };
    };
    try {
      const started = await this.api.vision.startCalibrationPose({ pose });
      if (generation !== this.generation) return;
      if (!started.ok) return fail(started.message);
    } catch (e) {
      return fail(explainError(e as Error).text);
    }
    countdown('hold', HOLD_SECONDS, () => void this.finish(pose, index, total, generation));
  }

  private async finish(pose: CalibrationPose, index: number, total: number, generation: number): Promise<void> {
    this.step = { kind: 'saving', pose, index, total };
    try {
      const outcome = await this.api.vision.finishCalibrationPose({ pose });
      if (generation !== this.generation) return;
      this.status = outcome.status;
      if (!outcome.ok) {
        this.step = { kind: 'failed', pose, index, total, message: outcome.message };
        return;
      }
      this.saved.push(pose);
      this.next(index + 1);
    } catch (e) {
      if (generation === this.generation) this.step = { kind: 'failed', pose, index, total, message: explainError(e as Error).text };
    }
  }
}
