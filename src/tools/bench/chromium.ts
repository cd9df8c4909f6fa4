/** Debian's Chromium driven by playwright-core (a dev dependency), with the flags this machine needs: for the benchmark and the e2e tests. */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * fakeVideo: a .y4m file played as the webcam, permission granted.
 * denyCamera: a fake camera exists but the permission prompt is denied.
 * noCamera: no capture device at all, permission granted.
 */
export async function launchChromium(options: { fakeVideo?: string; denyCamera?: boolean; noCamera?: boolean } = {}): Promise<Browser> {
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (options.fakeVideo) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeVideo}`);
    if (!options.denyCamera) args.push('--use-fake-ui-for-media-stream');
  }
  if (options.denyCamera) args.push('--use-fake-device-for-media-stream', '--deny-permission-prompts');
  if (options.noCamera) args.push('--use-fake-ui-for-media-stream');
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
}
