/**
 * The listener's calibration, for the whole app (one listener per device): the frames of each pose
 * of the guided step and of each "not this expression" correction, kept as the model's scores (eight
 * numbers a frame, never a picture), the offsets fitted to them, and the file in the data folder
 * that keeps them across runs. A damaged file, or one made for another expression model, is left
 * unused with a message that says so, and the model runs uncalibrated; a failed save keeps the
 * calibration that was there before.
 */
import { existsSync, readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { EXPRESSIONS, type Expression } from '../../shared/expressions.js';
import {
  CALIBRATION_POSES,
  type CalibrationOutcome,
  type CalibrationPose,
  type CalibrationStatus,
  type FaceExpression,
  type VisionInfo,
} from '../../shared/vision.js';
import { writeFileAtomically } from '../atomicFile.js';
import { DEFAULT_FIT, calibratedExpression, fitOffsets, type CalibrationSample, type FitOptions } from './calibration.js';

export const CALIBRATION_FILE = 'calibration.json';
/** The most frames of one pose or correction kept: about four seconds of camera. */
export const MAX_FRAMES_KEPT = 40;
/** The most corrections kept; an older one gives way to a newer. */
export const MAX_CORRECTIONS = 20;

const at = z.number().int().nonnegative();
const scores = z.array(z.array(z.number()).min(2).max(EXPRESSIONS.length)).min(1).max(MAX_FRAMES_KEPT);

const calibrationFileSchema = z
  .object({
    version: z.literal(1),
    /** The expression model whose scores these are: another model's scores mean something else. */
    model: z.object({ name: z.string().min(1).max(200), version: z.string().max(100).nullable() }).strict(),
    classes: z.array(z.enum(EXPRESSIONS)).min(2).max(EXPRESSIONS.length),
    poses: z.array(z.object({ pose: z.enum(CALIBRATION_POSES), at, scores }).strict()).max(CALIBRATION_POSES.length),
    corrections: z.array(z.object({ not: z.enum(EXPRESSIONS), at, scores }).strict()).max(MAX_CORRECTIONS),
  })
  .strict()
  .refine(
    (c) => [...c.poses, ...c.corrections].every((entry) => entry.scores.every((row) => row.length === c.classes.length)),
    'every frame has one score per class',
  )
  .refine((c) => new Set(c.poses.map((p) => p.pose)).size === c.poses.length, 'each pose at most once');

type CalibrationData = z.infer<typeof calibrationFileSchema>;

type ModelInfo = VisionInfo['expression'];
type LoadedModel = Exclude<ModelInfo, { error: string }>;

const sameModel = (data: CalibrationData, model: LoadedModel) =>
  data.model.name === model.model &&
  data.model.version === model.version &&
  data.classes.length === model.classes.length &&
  data.classes.every((c, i) => c === model.classes[i]);

/** The samples a calibration's entries make: each pose and each correction counts as much as one pose. */
function samplesOf(data: CalibrationData): CalibrationSample[] {
  const samples: CalibrationSample[] = [];
  const add = (expression: Expression, kind: 'is' | 'not', rows: number[][]) => {
    const classIndex = data.classes.indexOf(expression);
    if (classIndex < 0) return;
    for (const row of rows) samples.push({ scores: row, classIndex, kind, weight: 1 / rows.length });
  };
  for (const p of data.poses) add(p.pose, 'is', p.scores);
  for (const c of data.corrections) add(c.not, 'not', c.scores);
  return samples;
}

export class ListenerCalibration {
  private data: CalibrationData | null = null;
  private offsets: number[] = [];
  /** Why the file on disk is not used, if it is not (read once at start). */
  private damaged: string | null = null;
  /** Changes, one after the other: each starts from what the last one saved. */
  private queue: Promise<unknown> = Promise.resolve();
  readonly path: string | null;

  /** `dataDir` undefined: nothing is kept across runs (tests, tools). */
  constructor(
    dataDir: string | undefined,
    private readonly model: () => ModelInfo,
    private readonly fit: FitOptions = DEFAULT_FIT,
  ) {
    this.path = dataDir === undefined ? null : resolve(dataDir, CALIBRATION_FILE);
    if (this.path) this.load(this.path);
  }

  private load(path: string): void {
    if (!existsSync(path)) return;
    try {
      const parsed = calibrationFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
      this.use(parsed.data);
    } catch (error) {
      this.damaged =
        `Your saved calibration could not be read (the file ${path} is damaged), so Emotune reads your face without it. ` +
        'Calibrate again, or delete it, to replace it.';
      console.warn(`${path} is ignored: ${(error as Error).message}`);
    }
  }

  private use(data: CalibrationData | null): void {
    this.data = data;
    this.offsets = data ? fitOffsets(samplesOf(data), data.classes.length, this.fit) : [];
  }

  /** The model in use, if the calibration can be made for it. */
  private loadedModel(): LoadedModel | null {
    const model = this.model();
    return 'error' in model ? null : model;
  }

  private isActive(): boolean {
    const model = this.loadedModel();
    return this.data !== null && model !== null && sameModel(this.data, model);
  }

  /** This frame's expression with the calibration applied, or null when none applies. */
  apply(frameScores: readonly number[]): FaceExpression | null {
    if (!this.isActive() || frameScores.length !== this.offsets.length) return null;
    return calibratedExpression(frameScores, this.offsets, this.data!.classes);
  }

  status(): CalibrationStatus {
    const model = this.loadedModel();
    const data = this.data;
    let problem = this.damaged;
    if (!problem && data && model && !sameModel(data, model)) {
      problem =
        `Your calibration was made for another expression model (${data.model.name}${data.model.version ? ` ${data.model.version}` : ''}), ` +
        'so Emotune reads your face without it. Calibrate again to make one for this model.';
    }
    const offsets: CalibrationStatus['offsets'] = {};
    if (data) data.classes.forEach((c, i) => (offsets[c] = this.offsets[i] ?? 0));
    return {
      available: model !== null,
      active: this.isActive(),
      poses: (data?.poses ?? []).map((p) => ({ pose: p.pose, at: p.at, frames: p.scores.length })),
      corrections: (data?.corrections ?? []).map((c) => ({ not: c.not, at: c.at, frames: c.scores.length })),
      offsets,
      cap: this.fit.cap,
      problem,
    };
  }

  /** The calibration as it would be with one more entry; what was made for another model gives way. */
  private next(model: LoadedModel, change: (data: CalibrationData) => CalibrationData): CalibrationData {
    const base: CalibrationData =
      this.data && sameModel(this.data, model)
        ? this.data
        : {
            version: 1,
            model: { name: model.model, version: model.version },
            classes: model.classes as Expression[],
            poses: [],
            corrections: [],
          };
    return change(base);
  }

  private unavailable(): CalibrationOutcome {
    return {
      ok: false,
      reason: 'unavailable',
      message: 'Expressions cannot be read on this computer, so there is nothing to calibrate.',
      status: this.status(),
    };
  }

  /** One change after the other, each starting from what the last one left. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Saves, then uses; a save that fails leaves the calibration (in memory and on disk) as it was. */
  private async save(next: CalibrationData): Promise<CalibrationOutcome> {
    try {
      if (this.path) await writeFileAtomically(this.path, `${JSON.stringify(next)}\n`);
    } catch (error) {
      return {
        ok: false,
        reason: 'not-saved',
        message: `Your calibration could not be saved (${(error as Error).message}); the one before is kept.`,
        status: this.status(),
      };
    }
    this.damaged = null;
    this.use(next);
    return { ok: true, status: this.status() };
  }

  /** A pose's frames (the model's scores of the main face), replacing that pose's earlier frames. */
  addPose(pose: CalibrationPose, frames: readonly (readonly number[])[], now = Date.now()): Promise<CalibrationOutcome> {
    const model = this.loadedModel();
    if (!model) return Promise.resolve(this.unavailable());
    const kept = frames.slice(-MAX_FRAMES_KEPT).map((row) => [...row]);
    const order = (p: { pose: CalibrationPose }) => CALIBRATION_POSES.indexOf(p.pose);
    return this.serial(() =>
      this.save(
        this.next(model, (data) => ({
          ...data,
          poses: [...data.poses.filter((p) => p.pose !== pose), { pose, at: now, scores: kept }].sort((a, b) => order(a) - order(b)),
        })),
      ),
    );
  }

  /** "Not sad": frames the model read as `not` count against it from now on. */
  addCorrection(not: Expression, frames: readonly (readonly number[])[], now = Date.now()): Promise<CalibrationOutcome> {
    const model = this.loadedModel();
    if (!model) return Promise.resolve(this.unavailable());
    const kept = frames.slice(-MAX_FRAMES_KEPT).map((row) => [...row]);
    return this.serial(() =>
      this.save(
        this.next(model, (data) => ({
          ...data,
          corrections: [...data.corrections, { not, at: now, scores: kept }].slice(-MAX_CORRECTIONS),
        })),
      ),
    );
  }

  /** Deletes the calibration, in memory and on disk (a damaged file too). */
  forget(): Promise<CalibrationStatus> {
    return this.serial(async () => {
      if (this.path) {
        await unlink(this.path).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw new Error(`Your calibration could not be deleted (${error.message}).`, { cause: error });
        });
      }
      this.damaged = null;
      this.use(null);
      return this.status();
    });
  }
}
