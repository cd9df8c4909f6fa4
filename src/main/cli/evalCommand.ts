/**
 * `emotune eval --data <folder>`: the whole pipeline (detection, alignment, classification) over
 * labelled face photos, one sub-folder per class; prints accuracy, balanced accuracy and the
 * confusion matrix. A class folder may use the FERPlus name (happiness) or the word the app shows
 * (happy), in any case. Photos where no face is found count as errors in the "no face" column;
 * predictions of a class that has no folder count as errors in a column of their own.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { EXPRESSION_ADJECTIVES, EXPRESSIONS, type Expression } from '../../shared/expressions.js';
import { readImageFile } from '../vision/imageFile.js';
import type { VisionEngine } from '../vision/visionEngine.js';
import { IMAGE_EXTENSIONS } from './detectCommand.js';

/** A data folder that cannot be evaluated at all (exit code 2). */
export class EvalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalInputError';
  }
}

/** Folder names for each class besides its own: the UI's words and the usual dataset spellings. */
const FOLDER_ALIASES: Record<Expression, readonly string[]> = {
  neutral: ['calm'],
  happiness: ['happy', 'joy'],
  surprise: ['surprised'],
  sadness: ['sad'],
  anger: ['angry'],
  disgust: ['disgusted'],
  fear: ['afraid', 'scared', 'fearful'],
  contempt: ['unimpressed', 'contemptuous'],
};

const FOLDER_NAMES = new Map<string, Expression>(
  EXPRESSIONS.flatMap((e) => [e, EXPRESSION_ADJECTIVES[e], ...FOLDER_ALIASES[e]].map((name) => [name.toLowerCase(), e] as const)),
);

/** The class a folder name stands for (FERPlus name, the UI's word, a common synonym; any case). */
export function expressionOfFolder(name: string): Expression | undefined {
  return FOLDER_NAMES.get(name.trim().toLowerCase());
}

export const NO_FACE_COLUMN = 'no face';

export interface EvalReport {
  images: number;
  accuracy: number;
  balancedAccuracy: number;
  /** The rows: the classes that have a folder, in the app's order. */
  classes: Expression[];
  /** The columns: the classes, then predicted classes that have no folder, then "no face". */
  columns: string[];
  /** rows: true class; columns: as `columns`. */
  confusion: number[][];
  /** Images where no face was found. */
  noFace: number;
  /** Each unreadable image's message (it names the file), skipped. */
  unreadable: string[];
  /** What was left out, in words: sub-folders that name no class, files outside the class folders. */
  ignored: string[];
}

export async function evaluateFolder(engine: Pick<VisionEngine, 'analyse'>, folder: string): Promise<EvalReport> {
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const folders = new Map<Expression, string[]>();
  const ignored: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const expression = expressionOfFolder(entry.name);
    if (expression) folders.set(expression, [...(folders.get(expression) ?? []), entry.name]);
    else ignored.push(`ignored folder '${entry.name}': not an expression`);
  }
  const loose = entries.filter((e) => !e.isDirectory() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())).length;
  if (loose > 0) ignored.push(`ignored ${loose} image(s) directly in ${folder}: put them in the sub-folder of their class`);
  const classes = EXPRESSIONS.filter((e) => folders.has(e));
  if (classes.length === 0) {
    throw new EvalInputError(
      `${folder} has no sub-folder named after an expression (${EXPRESSIONS.join(', ')}, or happy, sad, angry, ...)` +
        (ignored.length > 0
          ? `; found ${entries
              .filter((e) => e.isDirectory())
              .map((e) => `'${e.name}'`)
              .join(', ')}`
          : ''),
    );
  }

  const truth: number[] = [];
  const predicted: (Expression | null)[] = [];
  const unreadable: string[] = [];
  for (const [row, expression] of classes.entries()) {
    for (const name of folders.get(expression)!) {
      const files = (await readdir(join(folder, name))).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
      for (const file of files) {
        let image;
        try {
          image = await readImageFile(join(folder, name, file));
        } catch (error) {
          unreadable.push((error as Error).message);
          continue;
        }
        const analysis = await engine.analyse(image);
        truth.push(row);
        predicted.push(analysis.mainFace === null ? null : (analysis.expression?.top ?? null));
      }
    }
  }
  if (truth.length === 0) {
    throw new EvalInputError(
      `no readable face photos in the class folders of ${folder}` + (unreadable.length > 0 ? ` (${unreadable.length} unreadable)` : ''),
    );
  }

  // Predictions of a class without a folder are wrong, but not "no face": each gets its own column.
  const others = EXPRESSIONS.filter((e) => !classes.includes(e) && predicted.includes(e));
  const columns: string[] = [...classes, ...others, NO_FACE_COLUMN];
  const confusion = classes.map(() => new Array<number>(columns.length).fill(0));
  truth.forEach((row, i) => {
    const p = predicted[i];
    confusion[row]![p === null || p === undefined ? columns.length - 1 : columns.indexOf(p)]!++;
  });
  const { images, accuracy, balancedAccuracy } = summariseConfusion(confusion, classes);
  const noFace = predicted.filter((p) => p === null).length;
  return { images, accuracy, balancedAccuracy, classes, columns, confusion, noFace, unreadable, ignored };
}

export interface ConfusionSummary {
  images: number;
  accuracy: number;
  /** The mean of the recalls of the classes that have images. */
  balancedAccuracy: number;
  perClassRecall: Partial<Record<Expression, number>>;
  /** rows: true class; columns: the classes, then any extra columns (missed faces, other classes). */
  confusion: number[][];
}

export function summariseConfusion(confusion: number[][], classes: readonly Expression[]): ConfusionSummary {
  const totals = confusion.map((r) => r.reduce((a, b) => a + b, 0));
  const images = totals.reduce((a, b) => a + b, 0);
  const correct = classes.reduce((s, _, i) => s + confusion[i]![i]!, 0);
  const perClassRecall: Partial<Record<Expression, number>> = {};
  classes.forEach((c, i) => {
    if (totals[i]! > 0) perClassRecall[c] = confusion[i]![i]! / totals[i]!;
  });
  const recalls = Object.values(perClassRecall);
  return {
    images,
    accuracy: images > 0 ? correct / images : 0,
    balancedAccuracy: recalls.length > 0 ? recalls.reduce((a, b) => a + b, 0) / recalls.length : 0,
    perClassRecall,
    confusion,
  };
}

export function formatReport(report: EvalReport): string {
  const width = Math.max(8, ...report.columns.map((c) => c.length)) + 1;
  const pad = (s: string) => s.padStart(width);
  const others = report.columns.slice(report.classes.length, -1);
  const lines = [
    `images: ${report.images}${report.unreadable.length ? ` (${report.unreadable.length} unreadable, skipped)` : ''}`,
    `accuracy: ${(100 * report.accuracy).toFixed(2)}%`,
    `balanced accuracy: ${(100 * report.balancedAccuracy).toFixed(2)}%`,
    `no face found: ${report.noFace}`,
    '',
    `confusion matrix (rows: true class, columns: predicted${others.length ? `; ${others.join(', ')}: predicted, but no folder` : ''})`,
    pad('') + report.columns.map(pad).join(''),
    ...report.confusion.map((row, i) => pad(report.classes[i]!) + row.map((n) => pad(String(n))).join('')),
  ];
  return lines.join('\n');
}
