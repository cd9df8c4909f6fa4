/** Fake webcam videos for Chromium (--use-file-for-fake-video-capture), made with ffmpeg. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Still pictures shown one after another for the given seconds, as a .y4m clip (Chromium loops it). */
export async function stillsToY4m(stills: { path: string; seconds: number }[], y4m: string, fps = 10): Promise<void> {
  const inputs = stills.flatMap((s) => ['-loop', '1', '-t', String(s.seconds), '-i', s.path]);
  // Pictures may differ in sample aspect ratio, which concat refuses: make them all square.
  const filter = `${stills.map((_, i) => `[${i}:v]setsar=1[s${i}]`).join(';')};${stills.map((_, i) => `[s${i}]`).join('')}concat=n=${stills.length}:v=1[v]`;
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    ...inputs,
    '-filter_complex',
    filter,
    '-map',
    '[v]',
    '-r',
    String(fps),
    '-pix_fmt',
    'yuv420p',
    y4m,
  ]);
}
