/**
 * The desktop package as electron-builder lays it out (--dir, offline, with a stand-in Electron
 * binary since none can be downloaded here): the app's code and models, nothing else, native
 * code and models unpacked next to app.asar, one platform's onnxruntime binaries, and the
 * security fuses flipped in the binary. The stand-in carries a fuse wire laid out as Electron's
 * (sentinel, version 1, length, one byte per fuse) with Electron's defaults, so the packaging step
 * flips it exactly as it would flip the real binary.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';

const run = promisify(execFile);
let resources: string;
let binary: string;
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ENABLED = 0x31; // '1' on the wire, '0' is off

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'emotune-pack-'));
  const stub = join(root, 'electron-dist');
  mkdirSync(stub);
  // Electron's defaults: RunAsNode, NODE_OPTIONS, --inspect and file:// privileges on; the rest off.
  writeFileSync(
    join(stub, 'electron'),
    Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from('10110001')]),
  );
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
  binary = join(root, 'out', 'linux-unpacked', 'emotune');
}, 300_000);

describe('the desktop package', () => {
  it('has its security fuses flipped in the Electron binary', async () => {
    const wire = await getCurrentFuseWire(binary);
    const on = (fuse: FuseV1Options) => (wire[fuse] as number) === ENABLED;
    expect(on(FuseV1Options.RunAsNode)).toBe(false);
    expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe(false);
    expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe(false);
    expect(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(true);
    expect(on(FuseV1Options.OnlyLoadAppFromAsar)).toBe(true);
    expect(on(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe(false);
  });

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
    for (const prefix of ['/src/', '/tests/', '/training/', '/.venv/', '/docs/', '/dist/tools/']) {
      expect(files.filter((f) => f.startsWith(prefix))).toEqual([]);
    }
  });

  it('unpacks the models and native code that cannot run from inside app.asar, and the LGPL decoders', () => {
    const unpacked = join(resources, 'app.asar.unpacked');
    const models = ['a-mobilenet-ferplus', 'a-mobilenet-ferplus-low-power'].flatMap((m) => [`${m}.onnx`, `${m}.json`]);
    for (const model of [...models, 'blazeface-front-128.onnx', 'blazeface-back-256.onnx']) {
      expect(existsSync(join(unpacked, 'models', model)), model).toBe(true);
    }
    const platforms = readdirSync(join(unpacked, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6'));
    expect(platforms).toEqual(['linux']);
    expect(readdirSync(join(unpacked, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux'))).toEqual(['x64']);
    // The AAC decoder's native code, for this platform and architecture only.
    const webAudio = readdirSync(join(unpacked, 'node_modules', 'node-web-audio-api')).filter((f) => f.endsWith('.node'));
    expect(webAudio).toEqual(['node-web-audio-api.linux-x64-gnu.node']);
    // The LGPL parts of the audio decoders, as plain files a user can replace.
    for (const lgpl of ['mpg123-decoder/src/EmscriptenWasm.js', 'codec-parser/index.js']) {
      expect(existsSync(join(unpacked, 'node_modules', lgpl)), lgpl).toBe(true);
    }
  });
});
