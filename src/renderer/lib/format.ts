/** Times and counts as the UI writes them. */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–:––';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

// One formatter for every count: Number#toLocaleString builds a new one per call, which took
// 120-150 ms of a start of the app.
const counts = new Intl.NumberFormat();

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${counts.format(n)} ${n === 1 ? one : many}`;
}
