/**
 * The Chromium the e2e tests and benchmarks drive: it starts without the omnibox popup that
 * Chromium builds as it starts (a WebUI page that took a core from the page being measured), and
 * with Playwright's own disabled features still in force, since Chromium keeps only the last
 * --disable-features switch it is given.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../../src/tools/bench/chromium.js';

let browser: Browser;
let argv: string[];
let targets: { type: string; url: string }[];

beforeAll(async () => {
  const options = await chromiumLaunchOptions({ noCamera: true });
  // --enable-automation only so that Chromium will tell its command line.
  browser = await chromium.launch({ ...options, args: [...(options.args ?? []), '--enable-automation'] });
  const page = await browser.newPage();
  await page.goto('about:blank');
  const cdp = await browser.newBrowserCDPSession();
  argv = (await cdp.send('Browser.getBrowserCommandLine')).arguments;
  // The popup is built from a task after the start; a second is ample for it to have been.
  await page.waitForTimeout(1000);
  targets = (await cdp.send('Target.getTargets')).targetInfos;
});

afterAll(async () => {
  await browser?.close();
});

describe('the test browser', () => {
  it('builds no omnibox popup beside the page', () => {
    expect(targets.filter((t) => t.url.startsWith('chrome://'))).toEqual([]);
    expect(targets.filter((t) => t.type === 'page').map((t) => t.url)).toEqual(['about:blank']);
  });

  it("gets one --disable-features switch that keeps Playwright's list and adds the popup's features", () => {
    const switches = argv.filter((a) => a.startsWith('--disable-features='));
    expect(switches).toHaveLength(1);
    const features = switches[0]!.slice('--disable-features='.length).split(',');
    // PaintHolding is one of Playwright's (it would hold the first paint of a page back).
    expect(features).toEqual(expect.arrayContaining(['PaintHolding', 'WebUIOmniboxPopup', 'WebUIOmniboxAimPopup']));
  });
});
