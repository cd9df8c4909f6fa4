/**
 * Build-time fixes to virtua (the Songs list's virtualiser) for long lists. In a Chromium profile of
 * the app's start at 50,000 tracks, virtua's list layout did two things once per row after the first
 * page came, the largest pieces of script in that task on this machine:
 * - it grew its size and offset arrays one push at a time, 100,000 pushes (about 7 ms, and more to
 *   V8's optimiser in the background): Array.prototype.fill does the same in one built-in call. Only
 *   the growing end changes; the prepend case (virtua's `shift` mode, unused here) keeps its loop;
 * - it found the list's total height by summing every row's offset into its offset cache (about
 *   4-6 ms): the layout now also keeps the sum and count of the measured sizes, so the total is that
 *   sum plus the unmeasured rows times the estimate. Offsets are still summed, lazily, as before;
 * - it found the rows on screen by a binary search over the whole list, whose first probe, the
 *   middle row, summed 25,000 offsets, again after each measurement of the rows (about 5 ms in all):
 *   the search now gallops up from where it starts (1, 2, 4, ... rows on) before halving, so it sums
 *   only about as far as the rows it finds. The answer is the same for any sizes (offsets only grow).
 * virtua 0.54.2 is the newest release and has all three. If virtua's code changes, the build stops
 * with a message, so that the fixes are looked at again rather than silently dropped.
 */
import type { Plugin } from 'vite';

interface Fix {
  what: string;
  /** Text of virtua's lib/core/index.js, found exactly once. */
  from: string;
  to: string;
}

const FIXES: Fix[] = [
  {
    what: 'the helper that appends or prepends `count` unmeasured (-1) sizes',
    from: `y = (t, e, n) => {
    const o = n ? "unshift" : "push";
    for (let n = 0; n < e; n++) t[o](-1);
    return t;
}`,
    to: `y = (t, e, n) => {
    if (n) {
        for (let n = 0; n < e; n++) t.unshift(-1);
        return t;
    }
    if (e <= 0) return t;
    const s = t.length;
    t.length = s + e;
    return t.fill(-1, s);
}`,
  },
  {
    what: 'the search for the row at an offset',
    from: `x = (t, e, n, o = 0, s = e - 1) => {
    let l = o;
    for (;o <= s; ) {`,
    to: `x = (t, e, n, o = 0, s = e - 1) => {
    let l = o, w = 1;
    const b = o;
    for (;b + w <= s && t(b + w) <= n; w *= 2) l = b + w;
    for (o = l + 1, s = Math.min(s, b + w - 1); o <= s; ) {`,
  },
  {
    what: "the list layout's start (sizes `a`, offsets `$`)",
    from: `    y(a, t - a.length);
    const $ = y([], t + 1), g = t => {`,
    to: `    y(a, t - a.length);
    let ms = 0, mc = 0;
    for (const v of a) -1 !== v && (ms += v, mc++);
    const $ = y([], t + 1), g = t => {`,
  },
  {
    what: 'the measured sizes being set',
    from: `            for (const [e, o] of t) i += -1 === a[e] ? o : o - g(e), a[e] = o, r = n(e, r);`,
    to: `            for (const [e, o] of t) {
                const p = a[e];
                -1 === p ? (ms += o, mc++) : ms += o - p;
                i += -1 === p ? o : o - g(e), a[e] = o, r = n(e, r);
            }`,
  },
  {
    what: 'the total size',
    from: `        $getTotalSize: () => d(t),`,
    to: `        $getTotalSize: () => ms + (t - mc) * s,`,
  },
  {
    what: 'the length being set',
    from: `        $setLength: (e, o) => {
            const s = e - t;
`,
    to: `        $setLength: (e, o) => {
            const s = e - t;
            if (s < 0) for (const v of o ? a.slice(0, -s) : a.slice(s)) -1 !== v && (ms -= v, mc--);
`,
  },
];

/** virtua's core module with the fixes applied; throws if any text is not where it was. */
export function fixVirtuaSizes(code: string): string {
  let out = code;
  for (const fix of FIXES) {
    const at = out.indexOf(fix.from);
    if (at < 0 || out.indexOf(fix.from, at + 1) >= 0) {
      throw new Error(
        `virtua has changed: build/virtuaSizes.ts no longer finds ${fix.what}. See whether the new virtua still does the work per row that this file removes, and update or drop the fix.`,
      );
    }
    out = out.slice(0, at) + fix.to + out.slice(at + fix.from.length);
  }
  return out;
}

const CORE_MODULE = /[\\/]node_modules[\\/]virtua[\\/]lib[\\/]core[\\/]index\.js$/;

export function virtuaSizes(): Plugin {
  return {
    name: 'emotune:virtua-sizes',
    enforce: 'pre',
    transform(code, id) {
      if (!CORE_MODULE.test(id.split('?')[0]!)) return undefined;
      return { code: fixVirtuaSizes(code), map: null };
    },
  };
}
