/**
 * Runs `callback` once the next frame has been drawn. A frame's style, layout and paint come after
 * its animation-frame callbacks, so a task queued from one of those runs once the frame is done:
 * the moment the list's first render is measured to, and after which the start's other work may
 * begin without holding that frame up.
 */
export function afterPaint(callback: () => void): void {
  requestAnimationFrame(() => setTimeout(callback, 0));
}
