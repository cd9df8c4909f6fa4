/**
 * A build-time fix to virtua (the Songs list's virtualiser): it grows its per-row size and offset
 * arrays one push at a time, 100,000 pushes when a list of 50,000 tracks arrives. In a Chromium
 * profile of the app's start that loop was the largest piece of script after the first page came
 * (about 7 ms of a 28 ms task on this machine, and more to V8's optimiser in the background).
 * Array.prototype.fill does the same in one built-in call. Only the growing end is changed; the
 * prepend case (virtua's `shift` mode, unused here) keeps its loop. virtua 0.54.2 is the newest
 * release and still has the loop.
 *
 * If virtua's code changes, the build stops with a message, so that the fix is looked at again
 * rather than silently dropped.
 */
import type { Plugin } from 'vite';

/** virtua's lib/core/index.js: the helper that appends or prepends `count` unmeasured (-1) sizes. */
const GROW_LOOP = `y = (t, e, n) => {
    const o = n ? "unshift" : "push";
    for (let n = 0; n < e; n++) t[o](-1);
    return t;
}`;

const GROW_FILL = `y = (t, e, n) => {
    if (n) {
        for (let n = 0; n < e; n++) t.unshift(-1);
        return t;
    }
    if (e <= 0) return t;
    const s = t.length;
    t.length = s + e;
    return t.fill(-1, s);
}`;

/** virtua's core module with its sizes grown by fill; throws if the loop is not where it was. */
export function fillVirtuaSizes(code: string): string {
  const at = code.indexOf(GROW_LOOP);
  if (at < 0 || code.indexOf(GROW_LOOP, at + 1) >= 0) {
    throw new Error(
      'virtua has changed: build/virtuaSizeFill.ts no longer finds the loop it replaces. See whether the new virtua still grows its size arrays one push at a time, and update or drop this fix.',
    );
  }
  return code.slice(0, at) + GROW_FILL + code.slice(at + GROW_LOOP.length);
}

const CORE_MODULE = /[\\/]node_modules[\\/]virtua[\\/]lib[\\/]core[\\/]index\.js$/;

export function virtuaSizeFill(): Plugin {
  return {
    name: 'emotune:virtua-size-fill',
    enforce: 'pre',
    transform(code, id) {
      if (!CORE_MODULE.test(id.split('?')[0]!)) return undefined;
      return { code: fillVirtuaSizes(code), map: null };
    },
  };
}
