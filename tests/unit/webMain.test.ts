/**
 * `npm run web` at start: the address to open, one server per data folder, and a damaged library
 * or a busy port said in plain words. The spawned cases run dist/ (npm run build).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/main/backend.js';
import { acquireInstanceLock, InstanceLockError } from '../../src/main/library/instanceLock.js';
import { describeStartFailure, listenFailure, parseWebArgs, startWeb, WebStartFailure } from '../../src/main/web/webMain.js';

const WEB_MAIN = join(PROJECT_ROOT, 'dist', 'main', 'web', 'webMain.js');

/** Starts the server; resolves with its output once it prints its address or exits. */
function spawnWeb(dataDir: string, extra: string[] = []): Promise<{ code: number | null; out: string; stop(): Promise<void> }> {
  return new Promise((resolve) => {
    const args = extra.includes('--port') ? extra : ['--port', '0', ...extra];
    const child = spawn(process.execPath, [WEB_MAIN, '--data-dir', dataDir, ...args], {
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
    const first = await spawnWeb(dataDir);
    expect(first.code).toBeNull();
    // One line says what to open, with this run's key, and how to stop.
    expect(first.out).toMatch(
      /^Emotune is running\. Open http:\/\/127\.0\.0\.1:\d+\/\?key=[\w-]+ in Chromium or Chrome\. Press Ctrl\+C to stop\.$/m,
    );
    const second = await spawnWeb(dataDir);
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
    const run = await spawnWeb(dataDir);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/Emotune cannot start: the library database .* is damaged .*move it aside/);
    expect(run.out).toMatch(/npm run web -- --recover/);
    expect(run.out).not.toMatch(/ at /);
  }, 60_000);

  it('recovers a damaged library with --recover and starts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emotune-recover-web-'));
    writeFileSync(join(dataDir, 'library.sqlite'), Buffer.alloc(8192, 0x5a));
    const run = await spawnWeb(dataDir, ['--recover']);
    expect(run.code).toBeNull();
    expect(run.out).toMatch(/Started a new library: the damaged database is kept as .*library\.damaged-/);
    await run.stop();
  }, 60_000);
});

/** A port held by another program, as the test's own TCP server on 127.0.0.1. */
async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('a port that cannot be used', () => {
  it('is said in words with the command to use another port, exit code 1, and the library is not locked after', async () => {
    const { port, server } = await occupyPort();
    const dataDir = mkdtempSync(join(tmpdir(), 'emotune-busy-port-'));
    try {
      const failure = await startWeb({ port, dataDir, recover: false }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(WebStartFailure);
      const { lines, exitCode } = describeStartFailure(failure);
      expect(exitCode).toBe(1);
      expect(lines).toEqual([
        `Emotune cannot start: port ${port} is in use (another Emotune or another program?). Start with \`npm run web -- --port 8080\` to use another port.`,
      ]);
      acquireInstanceLock(dataDir).release(); // startWeb let go of the library
    } finally {
      server.close();
    }
  });

  it('stops the program with exit code 1 and no stack trace', async () => {
    const { port, server } = await occupyPort();
    try {
      const run = await spawnWeb(mkdtempSync(join(tmpdir(), 'emotune-busy-port-')), ['--port', String(port)]);
      expect(run.code).toBe(1);
      expect(run.out.trim()).toBe(
        `Emotune cannot start: port ${port} is in use (another Emotune or another program?). Start with \`npm run web -- --port 8080\` to use another port.`,
      );
    } finally {
      server.close();
    }
  }, 60_000);

  it('words the other listening errors too, and suggests 8081 when 8080 is the busy one', () => {
    const error = (code: string) => Object.assign(new Error(`listen ${code}`), { code, syscall: 'listen' });
    expect(listenFailure(error('EADDRINUSE'), 8080).message).toMatch(/port 8080 is in use .*--port 8081/);
    expect(listenFailure(error('EACCES'), 80).message).toMatch(/does not let Emotune use port 80 .*administrator.*--port 8080/);
    expect(listenFailure(error('EADDRNOTAVAIL'), 5730).message).toMatch(/127\.0\.0\.1 is not available/);
    expect(listenFailure(error('EMFILE'), 5730).message).toMatch(/cannot listen on 127\.0\.0\.1:5730 \(EMFILE\)/);
    for (const code of ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'EMFILE']) expect(listenFailure(error(code), 1).exitCode).toBe(1);
  });
});

describe('command-line mistakes', () => {
  it('are exit code 2 with what was wrong, not a stack trace', async () => {
    expect(() => parseWebArgs(['--port', 'abc'])).toThrow(/--port abc is not a port number/);
    expect(() => parseWebArgs(['--port', '70000'])).toThrow(WebStartFailure);
    expect(parseWebArgs(['--port', '8080', '--recover'], {})).toMatchObject({ port: 8080, recover: true });
    expect(parseWebArgs([], { EMOTUNE_PORT: '5999' }).port).toBe(5999);
    expect(parseWebArgs([], {}).port).toBe(5730);
    const unknown = (() => {
      try {
        parseWebArgs(['--prot', '80']);
      } catch (error) {
        return describeStartFailure(error);
      }
    })();
    expect(unknown?.exitCode).toBe(2);
    expect(unknown?.lines[1]).toMatch(/^Usage: npm run web -- \[--port <number>\]/);
    const run = await spawnWeb(mkdtempSync(join(tmpdir(), 'emotune-bad-arg-')), ['--port', 'abc']);
    expect(run.code).toBe(2);
    expect(run.out.trim()).toBe('Emotune cannot start: --port abc is not a port number (0 to 65535)');
  }, 60_000);
});
