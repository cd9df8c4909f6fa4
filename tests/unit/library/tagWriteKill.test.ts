/**
 * A tag write killed at any moment leaves the music file as it was or as finished, byte for byte:
 * the writer runs in a child process on a large WAV, and is killed with SIGKILL at several points of
 * a write whose length is measured first. Needs the build (the child runs dist/).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wavHeader } from '../../../src/main/audio/wav.js';
import { PROJECT_ROOT } from '../../../src/main/backend.js';

const WRITER = join(PROJECT_ROOT, 'dist', 'main', 'library', 'atomicTagWrite.js');
const CHILD = `const { writeTagsAtomically } = await import(process.argv[1]); await writeTagsAtomically(process.argv[2], { mood: 'happy' });`;

/** A 16-bit stereo 44.1 kHz WAV of noise, about `mb` megabytes. */
function bigWav(path: string, mb: number): void {
  const data = Buffer.alloc(mb * 1024 * 1024);
  for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(path, Buffer.concat([wavHeader(44100, 2, data.length), data]));
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Runs the writer; kills it after `killAfterMs` if given. Resolves with the run's length in ms. */
function runWriter(path: string, killAfterMs?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, WRITER, path], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`writer failed: ${stderr}`));
      else resolve(performance.now() - started);
    });
  });
}

describe('a tag write killed midway', () => {
  it('leaves the original or the finished file, never a damaged one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emotune-kill-'));
    const original = join(dir, 'original.wav');
    bigWav(original, 120);
    const originalHash = sha(original);
    const finishedDir = mkdtempSync(join(dir, 'finished-'));
    copyFileSync(original, join(finishedDir, 'song.wav'));
    const fullMs = await runWriter(join(finishedDir, 'song.wav'));
    const finishedHash = sha(join(finishedDir, 'song.wav'));
    expect(finishedHash).not.toBe(originalHash);

    const seen: string[] = [];
    for (const fraction of [0.15, 0.3, 0.45, 0.6, 0.75, 0.9]) {
      const runDir = mkdtempSync(join(dir, 'run-'));
      const target = join(runDir, 'song.wav');
      copyFileSync(original, target);
      await runWriter(target, Math.round(fullMs * fraction));
      const hash = sha(target);
      expect([originalHash, finishedHash], `killed at ${fraction}`).toContain(hash);
      seen.push(hash === originalHash ? 'original' : 'finished');
      // at most the hidden copy of the killed write is left, never a second file under the song's name
      expect(readdirSync(runDir).filter((f) => !f.startsWith('.emotune-write-'))).toEqual(['song.wav']);
      rmSync(runDir, { recursive: true, force: true });
    }
    expect(seen).toContain('original'); // some kills did land mid-write
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});
