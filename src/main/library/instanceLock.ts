/**
 * One Emotune per data folder: two servers on the same library would scan, estimate and write
 * over each other. The lock is a file holding the owner's process id, created exclusively; a lock
 * whose process is gone (a crash, a kill) is taken over. The desktop app uses Electron's
 * single-instance lock instead.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export class InstanceLockError extends Error {}

export interface InstanceLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // it exists, but is someone else's
  }
}

export function acquireInstanceLock(dataDir: string): InstanceLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'emotune.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new InstanceLockError(
          `Emotune is already running with this library (process ${owner}, data folder ${dataDir}); use that one, or stop it first`,
        );
      }
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
  throw new InstanceLockError(`cannot take the lock ${path}: another Emotune keeps taking it`);
}
