import { describe, expect, it } from 'vitest';
import { KEPT_PER_NAME, mark, measure } from '../../src/renderer/lib/timeline.js';

describe('timeline', () => {
  it('keeps each name to a bounded number of entries, and goes on recording after it clears them', () => {
    const start = performance.now();
    for (let i = 0; i < KEPT_PER_NAME - 1; i++) measure('test:bounded', { start, end: start + 1 });
    expect(performance.getEntriesByName('test:bounded')).toHaveLength(KEPT_PER_NAME - 1);
    measure('test:bounded', { start, end: start + 1 });
    expect(performance.getEntriesByName('test:bounded')).toHaveLength(0);
    measure('test:bounded', { start, end: start + 2 });
    expect(performance.getEntriesByName('test:bounded').map((e) => e.duration)).toEqual([2]);
  });

  it('counts each name apart: a busy name never clears a quiet one', () => {
    mark('test:quiet');
    for (let i = 0; i < KEPT_PER_NAME; i++) mark('test:busy');
    expect(performance.getEntriesByName('test:quiet')).toHaveLength(1);
    expect(performance.getEntriesByName('test:busy')).toHaveLength(0);
  });
});
