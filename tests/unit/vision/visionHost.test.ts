/**
 * The vision host's supervision, with an in-process channel that speaks the worker protocol and can
 * be made to crash or hang on cue: a dead or stuck worker is restarted, and frames fail in words
 * meanwhile instead of waiting for ever.
 */
import { describe, expect, it } from 'vitest';
import type { FrameAnalysis } from '../../../src/main/vision/visionEngine.js';
import type { VisionInfo } from '../../../src/shared/vision.js';
import { VisionHost } from '../../../src/main/vision/visionHost.js';
import type { FromVisionWorker, ToVisionWorker, VisionChannel } from '../../../src/main/vision/visionProtocol.js';

const INFO: VisionInfo = { detector: { model: 'test', inputSize: 128, executionProvider: 'cpu' }, expression: { error: 'none' } };
const ANALYSIS: FrameAnalysis = { faces: [], mainFace: null, expression: null, timings: { detectMs: 1, classifyMs: 0 } };
const FRAME = { width: 2, height: 2, data: new Uint8Array(16) };

class ScriptedWorker implements VisionChannel {
  hang = false;
  terminated = false;
  private readonly onMessages: ((m: FromVisionWorker) => void)[] = [];
  private readonly onExits: ((reason: string) => void)[] = [];
  post(message: ToVisionWorker): void {
    if (message.type === 'init') setImmediate(() => this.emit({ type: 'ready', info: INFO }));
    else if (!this.hang) setImmediate(() => this.emit({ type: 'result', id: message.id, analysis: ANALYSIS }));
  }
  onMessage(listener: (m: FromVisionWorker) => void): void {
    this.onMessages.push(listener);
  }
  onExit(listener: (reason: string) => void): void {
    this.onExits.push(listener);
  }
  terminate(): void {
    this.terminated = true;
    setImmediate(() => this.crash('terminated'));
  }
  crash(reason: string): void {
    for (const l of this.onExits) l(reason);
  }
  private emit(m: FromVisionWorker): void {
    if (!this.terminated) for (const l of this.onMessages) l(m);
  }
}

function supervised(options: { frameTimeoutMs?: number; failStarts?: number } = {}) {
  const workers: ScriptedWorker[] = [];
  let failStarts = options.failStarts ?? 0;
  const open = () => {
    if (workers.length > 0 && failStarts-- > 0) throw new Error('cannot start the worker');
    const w = new ScriptedWorker();
    workers.push(w);
    return w;
  };
  return {
    workers,
    start: () =>
      VisionHost.start(
        open,
        { detectorCards: [], expressionCard: '' },
        { frameTimeoutMs: options.frameTimeoutMs ?? 1000, restartDelaysMs: [5, 10] },
      ),
  };
}

describe('VisionHost supervision', () => {
  it('restarts a worker that dies, failing frames in words until it is back', async () => {
    const { workers, start } = supervised();
    const host = await start();
    await expect(host.analyse(FRAME)).resolves.toEqual(ANALYSIS);
    const inFlight = host.analyse(FRAME);
    workers[0]!.hang = true;
    workers[0]!.crash('exit code 134');
    await expect(inFlight).rejects.toThrow(/the vision worker stopped \(exit code 134\); it is being restarted/);
    await expect(host.analyse(FRAME)).rejects.toThrow(/being restarted after it stopped \(exit code 134\)/);
    await expect.poll(() => host.restarts).toBe(1);
    await expect(host.analyse(FRAME)).resolves.toEqual(ANALYSIS);
    expect(workers).toHaveLength(2);
    host.close();
  });

  it('stops and restarts a worker that hangs on a frame', async () => {
    const { workers, start } = supervised({ frameTimeoutMs: 50 });
    const host = await start();
    workers[0]!.hang = true;
    await expect(host.analyse(FRAME)).rejects.toThrow(/took longer than 50 ms on a frame/);
    expect(workers[0]!.terminated).toBe(true);
    await expect.poll(() => host.restarts).toBe(1);
    await expect(host.analyse(FRAME)).resolves.toEqual(ANALYSIS);
    host.close();
  });

  it('keeps trying, with longer waits, when the restart itself fails; and never after close', async () => {
    const { workers, start } = supervised({ failStarts: 2 });
    const host = await start();
    workers[0]!.crash('exit code 1');
    await expect.poll(() => host.restarts, { timeout: 2000 }).toBe(1);
    expect(workers).toHaveLength(2);
    host.close();
    workers[1]!.crash('exit code 1');
    await new Promise((r) => setTimeout(r, 50));
    expect(workers).toHaveLength(2);
    await expect(host.analyse(FRAME)).rejects.toThrow(/has been closed/);
  });
});
