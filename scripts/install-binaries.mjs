// The two downloads that npm packages make outside the npm registry, run so that a failed one
// does not fail `npm ci`:
//   - Electron's binary (from GitHub), needed only by the desktop app (`npm start`);
//   - onnxruntime's CUDA provider (from NuGet), needed only with an NVIDIA GPU on Linux x64.
// package.json's "allowScripts" denies electron's and onnxruntime-node's own install scripts
// (npm 11.16 and later honour it), and its "postinstall" runs this file instead.
//
//   node scripts/install-binaries.mjs           after npm ci: try both, never fail
//   node scripts/install-binaries.mjs electron  before npm start: Electron or a clear exit 1
//   node scripts/install-binaries.mjs cuda      fetch the CUDA provider now, or a clear exit 1
//
// ELECTRON_SKIP_BINARY_DOWNLOAD and ONNXRUNTIME_NODE_INSTALL keep their usual meaning.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronDir = join(root, 'node_modules', 'electron');
const ortDir = join(root, 'node_modules', 'onnxruntime-node');

/** What a failed installer said went wrong, in one line: its error message, without the stack. */
function reasonOf(output) {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error =
    lines.findLast((l) => /^([A-Z]\w*)?Error: /.test(l)) ??
    lines.findLast((l) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|status code/i.test(l) && !/^\w+: '/.test(l)) ??
    lines.at(-1);
  return (error ?? 'no output').replace(/^Error: /, '').slice(0, 200);
}

/** Runs a package's own installer the way npm would (from its folder, with its package.json). */
function runInstaller(dir, script, env) {
  const result = spawnSync(process.execPath, [script], {
    cwd: dir,
    env: { ...process.env, npm_package_json: join(dir, 'package.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  return { ok: result.status === 0, reason: reasonOf(`${result.stdout ?? ''}\n${result.stderr ?? ''}\n${result.error ?? ''}`) };
}

function electronVersion() {
  return JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
}

/** The same test as electron/install.js: the binary of this version is unpacked in dist/. */
function electronInstalled() {
  try {
    const version = readFileSync(join(electronDir, 'dist', 'version'), 'utf8')
      .trim()
      .replace(/^v/, '');
    const executable = readFileSync(join(electronDir, 'path.txt'), 'utf8');
    return version === electronVersion() && existsSync(join(electronDir, 'dist', executable));
  } catch {
    return false;
  }
}

/** `ok` when Electron is there (or was just downloaded); `skipped` when it was not to be downloaded. */
function installElectron() {
  if (!existsSync(electronDir)) return { status: 'skipped', reason: 'the electron package is not installed (npm ci --omit=dev?)' };
  if (electronInstalled()) return { status: 'ok' };
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { status: 'skipped', reason: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' };
  console.log(`Downloading Electron ${electronVersion()} for the desktop app (about 110 MB)…`);
  const { ok, reason } = runInstaller(electronDir, 'install.js', {});
  return ok && electronInstalled() ? { status: 'ok' } : { status: 'failed', reason };
}

const cudaLibrary = join(ortDir, 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so');
const ortFlags = ['ONNXRUNTIME_NODE_INSTALL', 'ONNXRUNTIME_NODE_INSTALL_CUDA', 'npm_config_onnxruntime_node_install'];

/** Returns undefined when there is nothing to do or the provider was fetched, else why not. */
function installCudaProvider({ force = false } = {}) {
  if (!existsSync(ortDir) || process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const flagged = ortFlags.some((name) => process.env[name]);
  if (!force && !flagged) {
    if (existsSync(cudaLibrary)) return undefined;
    // Without an NVIDIA driver the provider cannot run: skip the download, the CPU is used.
    if (!existsSync('/proc/driver/nvidia/version')) return undefined;
  }
  if (!flagged || force) console.log("Downloading onnxruntime's CUDA provider for the NVIDIA GPU (a few hundred MB)…");
  const { ok, reason } = runInstaller(ortDir, join('script', 'install.js'), force ? { ONNXRUNTIME_NODE_INSTALL: 'cuda12' } : {});
  return ok ? undefined : reason;
}

const command = process.argv[2] ?? 'postinstall';
if (command === 'postinstall') {
  const electron = installElectron();
  if (electron.status === 'failed') {
    console.log(
      `Electron's binary could not be downloaded (${electron.reason}). Browser mode works now: npm run web. ` +
        '`npm start` tries the download again.',
    );
  }
  const cuda = installCudaProvider();
  if (cuda) {
    console.log(`onnxruntime's CUDA provider could not be downloaded (${cuda}); face reading runs on the CPU.`);
    console.log('To try again: node scripts/install-binaries.mjs cuda');
  }
} else if (command === 'electron') {
  const electron = installElectron();
  if (electron.status !== 'ok') {
    console.error(
      `Emotune cannot start the desktop app: Electron's binary is not installed and could not be downloaded (${electron.reason}).\n` +
        'Run `npm start` again where GitHub can be reached, or use browser mode: npm run web',
    );
    process.exit(1);
  }
} else if (command === 'cuda') {
  const cuda = installCudaProvider({ force: true });
  if (cuda) {
    console.error(`onnxruntime's CUDA provider could not be downloaded: ${cuda}`);
    process.exit(1);
  }
} else {
  console.error(`usage: node scripts/install-binaries.mjs [electron|cuda]`);
  process.exit(2);
}
