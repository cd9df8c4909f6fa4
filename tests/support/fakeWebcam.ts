/** Fake webcam videos for Chromium, made with ffmpeg at test time from the project's fixtures. */
import { stillsToY4m } from '../../src/tools/bench/fakeWebcam.js';

export { stillsToY4m };

/** Turns one still picture into a short looping .y4m clip that Chromium plays as the camera. */
export function stillToY4m(png: string, y4m: string, seconds = 2, fps = 10): Promise<void> {
  return stillsToY4m([{ path: png, seconds }], y4m, fps);
}
