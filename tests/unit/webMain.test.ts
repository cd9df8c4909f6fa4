/** `npm run web` at start: one server per data folder, and a damaged library said in plain words. Runs dist/ (npm run build). */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';
import { acquireInstanceLock, InstanceLockError } from '../../src/main/library/instanceLock.js';

const WEB_MAIN = join(PROJECT_ROOT, 'dist', 'main', 'web', 'webMain.js');

/** Starts the server; resolves with its output once it prints its address or exits. */
function startWeb(dataDir: string, extra: string[] = []): Promise<{ code: number | null; out: string; stop(): Promise<void> }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WEB_MAIN, '--port', '0', '--data-dir', dataDir, ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const stop = async () => {
      child.kill('SIGTERM');
      await exited;
    };
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('?key=')) resolve({ code: null, out, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => resolve({ code, out, stop }));
  });
}

describe('starting browser mode', () => {
  it('refuses a second server on the same library, and takes over a lock its dead owner left', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emotune-lock-'));
    const first = await startWeb(dataDir);
    expect(first.code).toBeNull();
    const second = await startWeb(dataDir);
    expect(second.code).toBe(1);
    expect(second.out).toMatch(/Emotune cannot start: Emotune is already running with this library \(process \d+/);
    expect(second.out).not.toMatch(/ at /); // no stack trace
    await first.stop();
    const lock = acquireInstanceLock(dataDir); // released on exit
    expect(() => acquireInstanceLock(dataDir)).toThrow(InstanceLockError);
    lock.release();
    writeFileSync(join(dataDir, 'emotune.lock'), '2147483646\n'); // no such process
    acquireInstanceLock(dataDir).release();
  }, 60_000);

  it('says a damaged library database is damaged and what to do, without a stack trace', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emotune-bad-db-'));
    writeFileSync(join(dataDir, 'library.sqlite'), Buffer.alloc(8192, 0x5a));
    const run = await startWeb(dataDir);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/Emotune cannot start: the library database .* is damaged .*move it aside/);
    expect(run.out).toMatch(/npm run web -- --recover/);
    expect(run.out).not.toMatch(/ at /);
  }, 60_000);

  it('recovers a damaged library with --recover and starts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emotune-recover-web-'));
    writeFileSync(join(dataDir, 'library.sqlite'), Buffer.alloc(8192, 0x5a));
    const run = await startWeb(dataDir, ['--recover']);
    expect(run.code).toBeNull();
    expect(run.out).toMatch(/Started a new library: the damaged database is kept as .*library\.damaged-/);
    await run.stop();
  }, 60_000);
});
