/**
 * A data set's labels.csv read by column name: a missing column, or a row with another number of
 * cells than the header, stops with the file and line. Blank lines are skipped.
 */
import { readFile } from 'node:fs/promises';

export interface LabelRow<C extends string> {
  /** 1-based line in the file, for messages. */
  line: number;
  cells: Record<C, string>;
}

export async function readLabelsCsv<C extends string>(path: string, columns: readonly C[]): Promise<LabelRow<C>[]> {
  const [header = '', ...lines] = (await readFile(path, 'utf8')).split(/\r?\n/);
  const names = header.split(',');
  const at = columns.map((name) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`${path}: no "${name}" column`);
    return i;
  });
  const rows: LabelRow<C>[] = [];
  for (const [i, text] of lines.entries()) {
    if (text.trim() === '') continue;
    const cells = text.split(',');
    if (cells.length !== names.length) throw new Error(`${path}, line ${i + 2}: ${cells.length} cells, expected ${names.length}`);
    rows.push({ line: i + 2, cells: Object.fromEntries(columns.map((c, j) => [c, cells[at[j]!]!])) as Record<C, string> });
  }
  return rows;
}
