/**
 * The benchmarks' side of `backendProcess.ts`: starts the browser-mode backend in a process of its
 * own on a data folder, and asks it over IPC for its CPU time, a model, or to close.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExpressionModelChoice } from '../../shared/vision.js';
import type { FromBackendProcess, ToBackendProcess } from './backendProcess.js';

/** The backend's process, asked over IPC: its CPU so far, a model, or to close. */
export class BackendProcess {
  private waiting: { resolve: (m: FromBackendProcess) => void; reject: (e: Error) => void }[] = [];
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: FromBackendProcess) => this.waiting.shift()?.resolve(m));
    child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`the backend process exited (${code})`));
    });
  }

  static async start(dataDir: string): Promise<{ backend: BackendProcess; openUrl: string }> {
    const child = fork(fileURLToPath(new URL('./backendProcess.js', import.meta.url)), [dataDir], { stdio: 'inherit' });
    const backend = new BackendProcess(child);
    const ready = await backend.next();
    if (ready.type !== 'ready') throw new Error(`the backend process did not start: ${JSON.stringify(ready)}`);
    return { backend, openUrl: ready.openUrl };
  }

  private next(): Promise<FromBackendProcess> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private async ask(message: ToBackendProcess): Promise<FromBackendProcess> {
    const answer = this.next();
    this.child.send(message);
    const m = await answer;
    if (m.type === 'failed') throw new Error(m.message);
    return m;
  }

  async cpuSeconds(): Promise<number> {
    const m = await this.ask({ type: 'cpu' });
    return m.type === 'cpu' ? m.seconds : NaN;
  }

  async useModel(model: ExpressionModelChoice): Promise<void> {
    await this.ask({ type: 'model', model });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ type: 'close' } satisfies ToBackendProcess);
    });
  }
}
