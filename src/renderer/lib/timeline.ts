/**
 * The performance marks and measures that the benchmarks and the browser tests read. The browser
 * keeps every one of them for as long as the page lives, and a music player's page lives for
 * hours (camera frames alone add 36,000 an hour at 10 a second), so each name keeps at most
 * `KEPT_PER_NAME`: when a name reaches it, its entries are cleared and it starts again.
 */
export const KEPT_PER_NAME = 5000;

const counts = new Map<string, number>();

function keepBounded(name: string, clear: (name: string) => void): void {
  const count = (counts.get(name) ?? 0) + 1;
  if (count < KEPT_PER_NAME) {
    counts.set(name, count);
    return;
  }
  clear(name);
  counts.set(name, 0);
}

export function mark(name: string, options?: PerformanceMarkOptions): void {
  performance.mark(name, options);
  keepBounded(name, (n) => performance.clearMarks(n));
}

export function measure(name: string, options: PerformanceMeasureOptions): void {
  performance.measure(name, options);
  keepBounded(name, (n) => performance.clearMeasures(n));
}
