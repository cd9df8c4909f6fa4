/**
 * The PNG icons (electron-builder's and the browser tab's) are drawn from assets/icon.svg by
 * `npm run icons`; a change to the SVG without a new drawing would ship the old icon.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';

const SCRIPT = join(PROJECT_ROOT, 'scripts', 'render-icons.mjs');
const ASSETS = join(PROJECT_ROOT, 'assets');
const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });

describe('app icon', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const copyOfAssets = () => {
    const dir = mkdtempSync(join(tmpdir(), 'emotune-icons-'));
    dirs.push(dir);
    cpSync(ASSETS, dir, { recursive: true });
    return dir;
  };

  it('ships PNG icons drawn from the SVG as it is now', () => {
    const check = run('--check');
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('finds a PNG stale once the SVG changes, and draws it again', () => {
    const dir = copyOfAssets();
    const svg = join(dir, 'icon.svg');
    writeFileSync(svg, readFileSync(svg, 'utf8').replace('#4ade80', '#e11d48'));
    const stale = run('--check', dir);
    expect(stale.status).toBe(1);
    expect(stale.stderr.trim().split('\n')).toEqual([
      'icon.png does not match icon.svg: run npm run icons',
      'favicon.png does not match icon.svg: run npm run icons',
    ]);

    expect(run(dir).status).toBe(0);
    expect(run('--check', dir).status).toBe(0);
  });

  it('finds a damaged PNG stale', () => {
    const dir = copyOfAssets();
    writeFileSync(join(dir, 'favicon.png'), 'not a png');
    const check = run('--check', dir);
    expect(check.status).toBe(1);
    expect(check.stderr.trim().split('\n')).toEqual(['favicon.png does not match icon.svg: run npm run icons']);
  });
});
