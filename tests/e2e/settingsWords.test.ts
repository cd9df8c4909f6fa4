/** Settings in plain words, each with its line of help; a refused value explained next to it; defaults shown as stored. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPRESSION_STATE_SETTINGS } from '../../src/shared/expressions.js';
import { launchChromium } from '../support/chromium.js';
import { startWebApp, type RunningApp } from '../support/webApp.js';
import { gotoView } from './appHelpers.js';

let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startWebApp();
  browser = await launchChromium({ noCamera: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(app.url);
  await gotoView(page, 'settings');
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('settings', () => {
  it('speaks plainly: a name and a line of help for each value, no jargon, no model names', async () => {
    const panel = page.getByTestId('vision-settings');
    await panel.getByTestId('setting-minDwellMs').waitFor();
    const text = (await panel.textContent())!;
    expect(text).toMatch(/Hold time/);
    expect(text).toMatch(/How long an expression must last before the music follows/);
    for (const key of Object.keys(DEFAULT_EXPRESSION_STATE_SETTINGS)) {
      const help = await page.locator(`#help-${key}`).textContent();
      expect(help!.length, key).toBeGreaterThan(20);
    }
    const settingsText = (await page.locator('main').textContent())!;
    expect(settingsText).not.toMatch(/Hysteresis|probability\)|blazeface|executionProvider|\bms\b · /i);
    await gotoView(page, 'about');
    expect(await page.getByTestId('app-info').textContent()).toMatch(/blazeface/);
    await gotoView(page, 'settings');
  });

  it('says why a value is refused, beside it, and shows the stored value again', async () => {
    const field = page.getByTestId('setting-minDwellMs');
    await field.fill('99999');
    await field.press('Tab');
    const alert = page.getByTestId('vision-settings').getByRole('alert');
    await expect
      .poll(() => alert.locator('.text').textContent())
      .toBe('“Hold time” is too high: the most it can be is 60000. The stored value is shown again.');
    await alert.locator('summary').click();
    expect(await alert.locator('code').textContent()).toMatch(/Too big/);
    expect(Number(await page.getByTestId('setting-minDwellMs').inputValue())).toBe(app.backend.vision.expressionSettings().minDwellMs);
  });

  it('shows the defaults, as the backend stored them, after "Restore defaults"', async () => {
    await page.getByTestId('setting-smoothingMs').fill('900');
    await page.getByTestId('setting-smoothingMs').press('Tab');
    await expect.poll(() => app.backend.vision.expressionSettings().smoothingMs).toBe(900);
    await page.getByTestId('restore-vision-defaults').click();
    await expect.poll(() => app.backend.vision.expressionSettings()).toEqual(DEFAULT_EXPRESSION_STATE_SETTINGS);
    for (const [key, value] of Object.entries(DEFAULT_EXPRESSION_STATE_SETTINGS)) {
      await expect.poll(async () => Number(await page.getByTestId(`setting-${key}`).inputValue()), { message: key }).toBe(value);
    }
    expect(await page.getByTestId('vision-settings').getByRole('alert').count()).toBe(0);
  });

  it('offers the standard and the low-power model with what each measured, and switches to the one chosen', async () => {
    const panel = page.getByTestId('expression-model-settings');
    await panel.getByTestId('expression-model-low-power').waitFor();
    const text = (await panel.textContent())!;
    expect(text).toMatch(/Standard.*Reads faces best.*Low power.*less of the processor/s);
    for (const option of (await app.backend.vision.expressionModels()).options) {
      expect(option.problem).toBeNull();
      expect(text).toContain(`${(option.ferplusTest! * 100).toFixed(1)}% of a standard test set of faces`);
    }
    expect(await panel.getByTestId('expression-model-standard').isChecked()).toBe(true);
    await panel.getByTestId('expression-model-low-power').check();
    await expect
      .poll(() => app.backend.appInfo().expression, { timeout: 10_000 })
      .toMatchObject({ model: 'a-mobilenet-ferplus-low-power' });
    await expect.poll(() => panel.getByTestId('expression-model-low-power').isChecked()).toBe(true);
    await panel.getByTestId('expression-model-standard').check();
    await expect.poll(() => app.backend.appInfo().expression, { timeout: 10_000 }).toMatchObject({ model: 'a-mobilenet-ferplus' });
    expect(await panel.getByRole('alert').count()).toBe(0);
  });
});
