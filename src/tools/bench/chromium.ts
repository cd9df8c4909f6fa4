/** Debian's Chromium driven by playwright-core (a dev dependency), with the flags this machine needs: for the benchmark and the e2e tests. */
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Browser features the app under test does without. Chromium 156 builds its omnibox popup, a WebUI
 * page with some 400 ms of script here, in a renderer of its own as the browser starts: on two
 * cores that ran alongside the page being measured and took a core from its start (bench:ui's first
 * render, median of 10 alternated starts, 170 ms with it and 101 ms without). The desktop app
 * has no omnibox, and a browser the listener already runs built it long before Emotune's tab opened.
 */
const DISABLED_FEATURES = ['PreloadTopChromeWebUI', 'WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

const DISABLE_FEATURES = '--disable-features=';
let playwrightFeatures: Promise<string | undefined> | undefined;

/**
 * Playwright's own --disable-features switch, read back from a browser it started. Chromium keeps
 * only the last --disable-features it is given, so ours has to carry Playwright's list too (its
 * PaintHolding and the rest); the list is Playwright's to change, so it is read, not copied here.
 */
function playwrightDisabledFeatures(): Promise<string | undefined> {
  playwrightFeatures ??= (async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--enable-automation'] });
    try {
      const cdp = await browser.newBrowserCDPSession();
      const { arguments: argv } = await cdp.send('Browser.getBrowserCommandLine');
      return argv.find((arg) => arg.startsWith(DISABLE_FEATURES));
    } finally {
      await browser.close();
    }
  })().catch((error: unknown) => {
    playwrightFeatures = undefined;
    throw error;
  });
  return playwrightFeatures;
}

/**
 * fakeVideo: a .y4m file played as the webcam, permission granted.
 * denyCamera: a fake camera exists but the permission prompt is denied.
 * noCamera: no capture device at all, permission granted.
 */
export interface ChromiumOptions {
  fakeVideo?: string;
  denyCamera?: boolean;
  noCamera?: boolean;
}

/** What launchChromium passes to Playwright (exported for the test that checks the switches reach Chromium). */
export async function chromiumLaunchOptions(options: ChromiumOptions = {}): Promise<LaunchOptions> {
  const theirs = await playwrightDisabledFeatures();
  const features = [...(theirs ? theirs.slice(DISABLE_FEATURES.length).split(',') : []), ...DISABLED_FEATURES];
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--autoplay-policy=no-user-gesture-required',
    `${DISABLE_FEATURES}${features.join(',')}`,
  ];
  if (options.fakeVideo) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeVideo}`);
    if (!options.denyCamera) args.push('--use-fake-ui-for-media-stream');
  }
  if (options.denyCamera) args.push('--use-fake-device-for-media-stream', '--deny-permission-prompts');
  if (options.noCamera) args.push('--use-fake-ui-for-media-stream');
  return { executablePath: CHROMIUM_PATH, headless: true, args, ignoreDefaultArgs: theirs ? [theirs] : undefined };
}

export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  return chromium.launch(await chromiumLaunchOptions(options));
}
