/**
 * `emotune eval --data <folder>`: the whole pipeline (detection, alignment, classification) over
 * labelled face photos, one sub-folder per class; prints accuracy, balanced accuracy and the
 * confusion matrix. Photos where no face is found count as errors, in their own column.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { EXPRESSIONS, type Expression } from '../../shared/expressions.js';
import { readImageFile } from '../vision/imageFile.js';
import type { VisionEngine } from '../vision/visionEngine.js';
import { IMAGE_EXTENSIONS } from './detectCommand.js';

export interface EvalReport {
  images: number;
  accuracy: number;
  balancedAccuracy: number;
  classes: Expression[];
  /** rows: true class; columns: predicted class, then "no face". */
  confusion: number[][];
  unreadable: string[];
}

export async function evaluateFolder(engine: VisionEngine, folder: string): Promise<EvalReport> {
  const entries = await readdir(folder, { withFileTypes: true });
  const classes = entries
    .filter((e) => e.isDirectory() && (EXPRESSIONS as readonly string[]).includes(e.name))
    .map((e) => e.name as Expression)
    .sort((a, b) => EXPRESSIONS.indexOf(a) - EXPRESSIONS.indexOf(b));
  const unknown = entries.filter((e) => e.isDirectory() && !(EXPRESSIONS as readonly string[]).includes(e.name)).map((e) => e.name);
  if (classes.length === 0) {
    throw new Error(
      `${folder} has no sub-folder named after a class (${EXPRESSIONS.join(', ')})${unknown.length ? `; found ${unknown.join(', ')}` : ''}`,
    );
  }
  const confusion = classes.map(() => new Array<number>(classes.length + 1).fill(0));
  const unreadable: string[] = [];
  let images = 0;
  for (const [row, name] of classes.entries()) {
    const files = (await readdir(join(folder, name))).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
    for (const file of files) {
      let image;
      try {
        image = await readImageFile(join(folder, name, file));
      } catch (error) {
        unreadable.push(`${join(name, file)}: ${(error as Error).message}`);
        continue;
      }
      images++;
      const { expression } = await engine.analyse(image);
      const predicted = expression ? classes.indexOf(expression.top) : -1;
      // A prediction outside the evaluated classes counts as wrong, like a missed face.
      confusion[row]![predicted >= 0 ? predicted : classes.length]!++;
    }
  }
  const { accuracy, balancedAccuracy } = summariseConfusion(confusion, classes);
  return { images, accuracy, balancedAccuracy, classes, confusion, unreadable };
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
  const width = Math.max(8, ...report.classes.map((c) => c.length)) + 1;
  const pad = (s: string) => s.padStart(width);
  const lines = [
    `images: ${report.images}${report.unreadable.length ? ` (${report.unreadable.length} unreadable, skipped)` : ''}`,
    `accuracy: ${(100 * report.accuracy).toFixed(2)}%`,
    `balanced accuracy: ${(100 * report.balancedAccuracy).toFixed(2)}%`,
    '',
    `confusion matrix (rows: true class, columns: predicted)`,
    pad('') + report.classes.map(pad).join('') + pad('no face'),
    ...report.confusion.map((row, i) => pad(report.classes[i]!) + row.map((n) => pad(String(n))).join('')),
  ];
  for (const u of report.unreadable) lines.push(`unreadable: ${u}`);
  return lines.join('\n');
}
