/**
 * The build's fix to virtua's size arrays (build/virtuaSizeFill.ts): it applies to the virtua that
 * is installed, and a list layout built from the fixed module answers every question (sizes,
 * offsets, the row at an offset, the total) as the original does, growing, shrinking, measured and
 * prepended to.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillVirtuaSizes } from '../../build/virtuaSizeFill.js';

interface ListLayout {
  $getItemOffset(index: number): number;
  $getItemSize(index: number): number;
  $findIndex(offset: number): number;
  $getTotalSize(): number;
  $getLength(): number;
  $setItemSizes(sizes: [index: number, size: number][], viewport?: number): void;
  $setLength(length: number, shift?: boolean): void;
}
type Core = { createListLayout(length: number, itemSize?: number): ListLayout };

const CORE = join(dirname(createRequire(import.meta.url).resolve('virtua')), 'core', 'index.js');
const source = readFileSync(CORE, 'utf8');
let dir: string;
let original: Core;
let fixed: Core;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emotune-virtua-'));
  const write = (name: string, code: string) => {
    const file = join(dir, name);
    // Without virtua's source-map comment: the map is not beside the copy.
    writeFileSync(file, code.replace(/^\/\/# sourceMappingURL=.*$/m, ''));
    return pathToFileURL(file).href;
  };
  original = (await import(write('original.mjs', source))) as Core;
  fixed = (await import(write('fixed.mjs', fillVirtuaSizes(source)))) as Core;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a virtualiser asks of a layout, at a spread of rows and offsets. */
function answers(layout: ListLayout) {
  const n = layout.$getLength();
  const rows = [0, 1, 2, 17, Math.floor(n / 2), n - 2, n - 1].filter((i) => i >= 0 && i < n);
  const total = layout.$getTotalSize();
  const offsets = [0, 1, 43, 44, 45, 1000, total / 3, total - 1];
  return {
    n,
    total,
    sizes: rows.map((i) => layout.$getItemSize(i)),
    starts: rows.map((i) => layout.$getItemOffset(i)),
    at: offsets.map((o) => layout.$findIndex(o)),
  };
}

/** The same steps on a layout from each module, compared after each. */
function compare(steps: ((layout: ListLayout) => void)[]) {
  const a = original.createListLayout(0, 44);
  const b = fixed.createListLayout(0, 44);
  for (const step of steps) {
    step(a);
    step(b);
    expect(answers(b)).toEqual(answers(a));
  }
}

describe("virtua's size arrays grown by fill", () => {
  it('finds the loop in the installed virtua and changes nothing else', () => {
    const out = fillVirtuaSizes(source);
    expect(out).not.toBe(source);
    expect(out).toContain('t.fill(-1, s)');
    const head = source.indexOf('y = (t, e, n) => {');
    expect(out.slice(0, head)).toBe(source.slice(0, head));
  });

  it('gives the same layout for a list that arrives, is measured, grows, shrinks and grows again', () => {
    compare([
      (l) => l.$setLength(50_000),
      (l) =>
        l.$setItemSizes(
          [
            [0, 60],
            [3, 30],
            [49_999, 50],
          ],
          800,
        ),
      (l) => l.$setLength(60_000),
      (l) => l.$setLength(120),
      (l) => l.$setLength(0),
      (l) => l.$setLength(3_000),
    ]);
  });

  it('gives the same layout when rows are put in front (virtua’s shift mode)', () => {
    compare([(l) => l.$setLength(100), (l) => l.$setItemSizes([[0, 60]], 800), (l) => l.$setLength(150, true)]);
  });

  it('stops the build with a plain message when virtua no longer has the loop', () => {
    expect(() => fillVirtuaSizes(source.replace('t[o](-1)', 't[o](0)'))).toThrow(/virtua has changed/);
  });
});
