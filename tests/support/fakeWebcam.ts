/** Fake webcam videos for Chromium, made with ffmpeg at test time from the project's fixtures. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Turns one still picture into a short looping .y4m clip that Chromium plays as the camera. */
export async function stillToY4m(png: string, y4m: string, seconds = 2, fps = 10): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', png, '-t', String(seconds), '-r', String(fps), '-pix_fmt', 'yuv420p', y4m]);
}
