/**
 * What the posed-set benchmarks share (`bench:pipeline`, `bench:calibration`): the rows of a split of
 * labels.csv, and a system's predictions summed up as accuracy, balanced accuracy, per-class recall
 * and how often a face that is not neutral is called neutral.
 */
import { join } from 'node:path';
import { summariseConfusion, type ConfusionSummary } from '../../main/cli/evalCommand.js';
import { EXPRESSIONS, type Expression } from '../../shared/expressions.js';
import { readLabelsCsv } from './labelsCsv.js';

export interface PosedRow {
  file: string;
  label: Expression;
  /** Who posed it (two digits): the split keeps each performer on one side. */
  performer: string;
}

/** The rows of one split of labels.csv; a bad row stops with its line number. */
export async function readPosedSplit(root: string, split: string): Promise<PosedRow[]> {
  const path = join(root, 'labels.csv');
  const rows: PosedRow[] = [];
  for (const { line, cells } of await readLabelsCsv(path, ['file', 'label', 'split', 'performer'])) {
    if (!(EXPRESSIONS as readonly string[]).includes(cells.label)) throw new Error(`${path}, line ${line}: unknown label "${cells.label}"`);
    if (cells.split === split) rows.push({ file: cells.file, label: cells.label as Expression, performer: cells.performer });
  }
  return rows;
}

export interface SystemReport extends ConfusionSummary {
  system: string;
  neutralShareOfNonNeutral: number;
  noFace: number;
}

export function report(system: string, classes: Expression[], truth: Expression[], predicted: (Expression | null)[]): SystemReport {
  // columns: the classes, then "other class" (e.g. contempt, which the set does not have), then "no face"
  const confusion = classes.map(() => new Array<number>(classes.length + 2).fill(0));
  truth.forEach((t, i) => {
    const p = predicted[i] ?? null;
    const column = p === null ? classes.length + 1 : classes.includes(p) ? classes.indexOf(p) : classes.length;
    confusion[classes.indexOf(t)]![column]!++;
  });
  const neutral = classes.indexOf('neutral');
  const nonNeutral = confusion.filter((_, r) => r !== neutral);
  const total = nonNeutral.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  return {
    system,
    ...summariseConfusion(confusion, classes),
    neutralShareOfNonNeutral: total > 0 ? nonNeutral.reduce((s, r) => s + r[neutral]!, 0) / total : 0,
    noFace: confusion.reduce((s, r) => s + r[classes.length + 1]!, 0),
  };
}

export function table(reports: SystemReport[], classes: Expression[]): string {
  const pct = (x: number) => (100 * x).toFixed(1);
  const head = ['system', 'accuracy', 'balanced', ...classes.map((c) => `${c} recall`), 'non-neutral called neutral', 'no face'];
  const rows = reports.map((r) => [
    r.system,
    pct(r.accuracy),
    pct(r.balancedAccuracy),
    ...classes.map((c) => pct(r.perClassRecall[c] ?? 0)),
    pct(r.neutralShareOfNonNeutral),
    String(r.noFace),
  ]);
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
