/**
 * The first five minutes: `npm ci` needs no environment variables. Electron's and onnxruntime's
 * own download scripts are denied (package.json "allowScripts") and scripts/install-binaries.mjs
 * runs them instead, so a download that cannot be made is one line, not a failed install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';

const SCRIPT = join(PROJECT_ROOT, 'scripts', 'install-binaries.mjs');
const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  allowScripts: Record<string, boolean>;
};
const electronInstalled = existsSync(join(PROJECT_ROOT, 'node_modules', 'electron', 'path.txt'));

/**
 * Runs the script where Electron's download cannot succeed, on any machine: the mirror is a closed
 * local port and the download cache an empty folder; the variables that would skip it are unset.
 */
function runUnreachable(args: string[], extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(electron_|npm_config_electron_|npm_package_config_electron_|ELECTRON_|ONNXRUNTIME_NODE_INSTALL)/i.test(key)) env[key] = value;
  }
  Object.assign(env, {
    ELECTRON_MIRROR: 'http://127.0.0.1:9/',
    electron_config_cache: mkdtempSync(join(tmpdir(), 'emotune-electron-cache-')),
    ...extra,
  });
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm ci with no environment variables', () => {
  it('runs the downloads from the project postinstall, not from the packages that fail npm ci', () => {
    expect(pkg.allowScripts).toMatchObject({ electron: false, 'onnxruntime-node': false, 'better-sqlite3': true });
    expect(pkg.scripts.postinstall).toBe('node scripts/install-binaries.mjs');
    expect(pkg.scripts.start).toMatch(/^node scripts\/install-binaries\.mjs electron && /);
  });

  it.skipIf(electronInstalled)(
    'goes on when Electron cannot be downloaded, saying so in one line',
    () => {
      const run = runUnreachable([]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Downloading Electron \d+\.\d+\.\d+ for the desktop app/m);
      expect(run.stdout).toMatch(
        /^Electron's binary could not be downloaded \(.+\)\. Browser mode works now: npm run web\. `npm start` tries the download again\.$/m,
      );
      expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m); // no stack trace
    },
    120_000,
  );

  it.skipIf(electronInstalled)(
    'stops `npm start` with what to do when Electron is still missing',
    () => {
      const run = runUnreachable(['electron']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /^Emotune cannot start the desktop app: Electron's binary is not installed and could not be downloaded \(.+\)\.$/m,
      );
      expect(run.stderr).toMatch(/use browser mode: npm run web$/m);
      expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m);
    },
    120_000,
  );

  it('keeps ELECTRON_SKIP_BINARY_DOWNLOAD and ONNXRUNTIME_NODE_INSTALL=skip working, quietly', () => {
    const run = runUnreachable([], { ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ONNXRUNTIME_NODE_INSTALL: 'skip' });
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('');
    expect(run.stderr.trim()).toBe('');
  });

  it('rejects an unknown command', () => {
    expect(runUnreachable(['nonsense']).code).toBe(2);
  });
});
