/** What several browser tests of the app's layout and flows share. */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

export const MAIN_VIEWS = ['songs', 'moods', 'playlists', 'session', 'history', 'settings', 'privacy', 'about'] as const;

export async function gotoView(page: Page, view: string): Promise<void> {
  await page.getByTestId(`nav-${view}`).click();
  await page.waitForFunction((v) => location.hash === `#/${v}`, view);
}

export interface AudioState {
  paused: boolean;
  time: number;
  src: string;
  volume: number;
  muted: boolean;
}

export const audioState = (page: Page): Promise<AudioState | null> =>
  page.evaluate(() => {
    const a = document.querySelector<HTMLAudioElement>('audio[data-testid="player-audio"]');
    return a ? { paused: a.paused, time: a.currentTime, src: a.currentSrc, volume: a.volume, muted: a.muted } : null;
  });

export const trackIdOf = (state: AudioState | null): number => Number(state?.src.split('/media/')[1]);

/** No sideways scrolling of the page itself, whatever the window. */
export const pageOverflow = (page: Page): Promise<{ scrollWidth: number; innerWidth: number }> =>
  page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));

/** Library rows wholly inside the list's scrolling area. */
export const visibleRows = (page: Page): Promise<number> =>
  page.evaluate(() => {
    const scroller = document.querySelector('[data-testid="track-table"] .scroller');
    if (!scroller) return 0;
    const box = scroller.getBoundingClientRect();
    return [...document.querySelectorAll('[data-testid="track-row"]')].filter((row) => {
      const r = row.getBoundingClientRect();
      return r.height > 0 && r.top >= box.top - 1 && r.bottom <= Math.min(box.bottom, window.innerHeight) + 1;
    }).length;
  });

const require = createRequire(import.meta.url);
export const AXE_PATH = require.resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical findings on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: object,
          ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
}
