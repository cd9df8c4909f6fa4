/**
 * The first five minutes, onnxruntime: loading a model prints nothing (no provider notices, no
 * telemetry warnings), leaves no telemetry device ID or event cache behind, and still says why a
 * model cannot be loaded. Each case is a fresh process: telemetry is decided when onnxruntime
 * starts. Runs dist/ (npm run build).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';

const ONNX_RUNTIME = pathToFileURL(join(PROJECT_ROOT, 'dist', 'main', 'vision', 'onnxRuntime.js')).href;
const MODEL = join(PROJECT_ROOT, 'models', 'blazeface-front-128.onnx');
const CUDA_LIBRARY = join(
  PROJECT_ROOT,
  'node_modules',
  'onnxruntime-node',
  'bin',
  'napi-v6',
  'linux',
  'x64',
  'libonnxruntime_providers_cuda.so',
);

/** Loads a model in a new Node process whose cache folder (XDG_CACHE_HOME) is `cache`. */
function loadInFreshProcess(model: string, cache: string, env: Record<string, string> = {}) {
  const script = `
    const { loadOnnxModel } = await import(${JSON.stringify(ONNX_RUNTIME)});
    try {
      const m = await loadOnnxModel(${JSON.stringify(model)}, { name: 'input:0', dims: [1, 128, 128, 3] }, []);
      console.log('loaded on', m.executionProvider);
      await m.dispose();
    } catch (error) {
      console.log('failed:', error.message);
    }`;
  const base = { ...process.env };
  for (const key of ['ORT_DISABLE_TELEMETRY', 'EMOTUNE_ONNX_LOG', 'EMOTUNE_EXECUTION_PROVIDER', 'CI']) delete base[key];
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...base, XDG_CACHE_HOME: cache, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('onnxruntime in the app', () => {
  it('loads a model without a line on stderr and without a telemetry device ID or cache', () => {
    const cache = mkdtempSync(join(tmpdir(), 'emotune-ort-cache-'));
    const run = loadInFreshProcess(MODEL, cache);
    expect(run.stdout).toMatch(/^loaded on (cpu|cuda)$/m);
    expect(run.stderr).toBe(''); // was: "onnxruntime: not using cuda: …" on Linux x64
    expect(existsSync(join(cache, 'Microsoft'))).toBe(false); // was: …/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db}
  });

  it('prints no telemetry warning where the cache folder cannot be written', () => {
    // Before: "[W:onnxruntime:…, telemetry.cc] Failed to persist telemetry device ID; using an in-memory identifier".
    const run = loadInFreshProcess(MODEL, '/proc/emotune-no-such-folder');
    expect(run.stdout).toMatch(/^loaded on (cpu|cuda)$/m);
    expect(run.stderr).toBe('');
  });

  it('still says why a model cannot be loaded', () => {
    const cache = mkdtempSync(join(tmpdir(), 'emotune-ort-cache-'));
    const broken = join(cache, 'broken.onnx');
    writeFileSync(broken, 'not a model');
    const run = loadInFreshProcess(broken, cache);
    expect(run.stdout).toMatch(/^failed: cannot load model .*broken\.onnx: .+/m);
  });

  it('shows why an asked-for provider is not used', () => {
    const run = loadInFreshProcess(MODEL, mkdtempSync(join(tmpdir(), 'emotune-ort-cache-')), { EMOTUNE_EXECUTION_PROVIDER: 'cuda' });
    expect(run.stdout).toMatch(/^loaded on (cpu|cuda)$/m);
    if (process.platform === 'linux' && process.arch === 'x64' && !existsSync(CUDA_LIBRARY)) {
      expect(run.stderr).toMatch(/^onnxruntime: not using cuda: the CUDA provider library is not installed$/m);
    }
  });
});
