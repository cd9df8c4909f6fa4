/**
 * The build's fixes to virtua's list layout (build/virtuaSizes.ts): they apply to the virtua that is
 * installed, and a layout built from the fixed module answers every question (sizes, offsets, the
 * row at an offset, the total) as the original does, growing, shrinking, measured, re-estimated and
 * prepended to, in set sequences and in random ones.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixVirtuaSizes } from '../../build/virtuaSizes.js';

interface ListLayout {
  $getItemOffset(index: number): number;
  $getItemSize(index: number): number;
  $findIndex(offset: number): number;
  $getRange(start: number, end: number): [number, number];
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
  fixed = (await import(write('fixed.mjs', fixVirtuaSizes(source)))) as Core;
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
    // The rows on screen, scrolled down and back up: the search starts from the last range's first row.
    ranges: [0, total / 2, total - 800, 1000, 0].map((top) => layout.$getRange(top, top + 800)),
  };
}

/**
 * The same steps on a layout from each module, compared after each: with a row height given (as
 * the Songs list does) and without one, where virtua estimates it from the rows it has measured.
 */
function compare(steps: ((layout: ListLayout) => void)[]) {
  for (const itemSize of [44, undefined]) {
    const a = original.createListLayout(0, itemSize);
    const b = fixed.createListLayout(0, itemSize);
    for (const step of steps) {
      step(a);
      step(b);
      expect(answers(b)).toEqual(answers(a));
    }
  }
}

/** A small seeded generator (a 32-bit LCG), so that a failing sequence can be run again. */
function random(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    // Math.imul keeps the product in 32 bits; a plain multiply passed 2^53 and lost the low bits.
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    return x / 4_294_967_296;
  };
}

describe("virtua's list layout, fixed for long lists", () => {
  it('finds each piece in the installed virtua and changes nothing before the first', () => {
    const out = fixVirtuaSizes(source);
    expect(out).toContain('t.fill(-1, s)');
    expect(out).toContain('ms + (t - mc) * s');
    expect(out).toContain('w *= 2');
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
      (l) => l.$setItemSizes([[3, 44]], 800),
      (l) => l.$setLength(60_000),
      (l) => l.$setLength(120),
      (l) => l.$setLength(0),
      (l) => l.$setLength(3_000),
    ]);
  });

  it('gives the same layout when rows are put in front and taken from the front (virtua’s shift mode)', () => {
    compare([
      (l) => l.$setLength(100),
      (l) => l.$setItemSizes([[0, 60]], 800),
      (l) => l.$setLength(150, true),
      (l) => l.$setItemSizes([[0, 20]], 800),
      (l) => l.$setLength(40, true),
    ]);
  });

  it('gives the same layout through random lengths and measurements', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = random(seed);
      const steps: ((layout: ListLayout) => void)[] = [];
      for (let k = 0; k < 40; k++) {
        const length = Math.floor(next() * 5_000);
        const shift = next() < 0.3;
        // Sizes in steps of 1/8 px: ResizeObserver's are fractions, and these add up exactly either way.
        const sizes = Array.from({ length: 1 + Math.floor(next() * 8) }, (): [number, number] => [
          Math.floor(next() * 5_000),
          Math.round(next() * 800) / 8,
        ]);
        if (next() < 0.4) steps.push((l) => l.$setLength(length, shift));
        else
          steps.push((l) =>
            l.$setItemSizes(
              sizes.filter(([i]) => i < l.$getLength()),
              600,
            ),
          );
      }
      compare(steps);
    }
  });

  it('stops the build with a plain message when virtua no longer has what it fixes', () => {
    expect(() => fixVirtuaSizes(source.replace('t[o](-1)', 't[o](0)'))).toThrow(/virtua has changed.*unmeasured/);
    expect(() => fixVirtuaSizes(source.replace('$getTotalSize: () => d(t),', '$getTotalSize: () => d(t) ,'))).toThrow(
      /virtua has changed.*total size/,
    );
  });
});
