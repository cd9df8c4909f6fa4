/**
 * The desktop package as electron-builder lays it out (--dir, offline, with a stand-in Electron
 * binary since none can be downloaded here): the app's code and models, nothing else, native
 * code and models unpacked next to app.asar, and one platform's onnxruntime binaries.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listPackage } from '@electron/asar';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';

const run = promisify(execFile);
let resources: string;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'emotune-pack-'));
  const stub = join(root, 'electron-dist');
  mkdirSync(stub);
  writeFileSync(join(stub, 'electron'), '#!/bin/sh\n');
  chmodSync(join(stub, 'electron'), 0o755);
  await run(
    process.execPath,
    [
      join(PROJECT_ROOT, 'node_modules', 'electron-builder', 'cli.js'),
      '--dir',
      '--linux',
      '--x64',
      `-c.electronDist=${stub}`,
      '-c.npmRebuild=false',
      `-c.directories.output=${join(root, 'out')}`,
    ],
    { cwd: PROJECT_ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
  );
  resources = join(root, 'out', 'linux-unpacked', 'resources');
}, 300_000);

describe('the desktop package', () => {
  it('holds the built app and its models, and none of the sources, tests, data or venv', () => {
    const files = listPackage(join(resources, 'app.asar'), { isPack: false });
    for (const wanted of [
      '/package.json',
      '/dist/main/app/electronMain.js',
      '/dist/main/app/preload.cjs',
      '/dist/main/vision/visionWorker.js',
      '/dist/renderer/index.html',
    ]) {
      expect(files).toContain(wanted);
    }
    for (const prefix of ['/src/', '/tests/', '/training/', '/.venv/', '/docs/', '/dist/main/bench/']) {
      expect(files.filter((f) => f.startsWith(prefix))).toEqual([]);
    }
  });

  it('unpacks the models and native code that cannot run from inside app.asar', () => {
    const unpacked = join(resources, 'app.asar.unpacked');
    for (const model of ['a-mobilenet-ferplus.onnx', 'a-mobilenet-ferplus.json', 'blazeface-front-128.onnx', 'blazeface-back-256.onnx']) {
      expect(existsSync(join(unpacked, 'models', model)), model).toBe(true);
    }
    const platforms = readdirSync(join(unpacked, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6'));
    expect(platforms).toEqual(['linux']);
    expect(readdirSync(join(unpacked, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux'))).toEqual(['x64']);
  });
});
