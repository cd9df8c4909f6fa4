/**
 * Drag and drop in a list, as the queue and a playlist do it: the pointer over a row's top half
 * drops before it, over its bottom half after it. A drop is a gap between rows (0: above the first,
 * n: below the last); a move is to the place the row has once moved.
 */

/** The gap a pointer at `clientY` over row `index` (drawn in `box`) points at. */
export function dropGap(clientY: number, box: { top: number; height: number }, index: number): number {
  return clientY < box.top + box.height / 2 ? index : index + 1;
}

/** Where the row at `from` lands when dropped at `gap`: the gaps below it count one less once it has left its place. */
export function placeForGap(from: number, gap: number): number {
  return gap > from ? gap - 1 : gap;
}
