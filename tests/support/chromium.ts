/** The e2e tests launch Chromium as the benchmark does. */
export { CHROMIUM_PATH, launchChromium } from '../../src/tools/bench/chromium.js';
