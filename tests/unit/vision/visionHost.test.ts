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

/** What a worker reports once it has tried to load the expression model its init names ('' and 'broken' fail). */
function infoFor(expressionCard: string): VisionInfo {
  if (!expressionCard || expressionCard === 'broken')
    return { ...INFO, expression: { error: `cannot read model card ${expressionCard || 'none'}` } };
  return { ...INFO, expression: { model: expressionCard, version: '1', executionProvider: 'cpu', classes: ['neutral', 'happiness'] } };
}

class ScriptedWorker implements VisionChannel {
  hang = false;
  terminated = false;
  /** Frames kept unanswered while `hang` is on, for `answerHeld`. */
  readonly held: number[] = [];
  private readonly onMessages: ((m: FromVisionWorker) => void)[] = [];
  private readonly onExits: ((reason: string) => void)[] = [];
  post(message: ToVisionWorker): void {
    if (message.type === 'init') setImmediate(() => this.emit({ type: 'ready', info: infoFor(message.options.expressionCard) }));
    else if (this.hang) this.held.push(message.id);
    else setImmediate(() => this.emit({ type: 'result', id: message.id, analysis: ANALYSIS }));
  }
  answerHeld(): void {
    for (const id of this.held.splice(0)) this.emit({ type: 'result', id, analysis: ANALYSIS });
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

  it('changes the expression model in a new worker; the old one answers its frame in flight, then stops', async () => {
    const { workers, start } = supervised();
    const host = await start();
    await host.useExpressionModel('standard.json');
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true); // nothing was in flight: stopped at once
    workers[1]!.hang = true;
    const inFlight = host.analyse(FRAME);
    const info = await host.useExpressionModel('low-power.json');
    expect(info.expression).toMatchObject({ model: 'low-power.json' });
    expect(host.info).toBe(info);
    expect(workers[1]!.terminated).toBe(false); // still owes a frame
    await expect(host.analyse(FRAME)).resolves.toEqual(ANALYSIS); // the new worker answers new frames
    workers[1]!.answerHeld();
    await expect(inFlight).resolves.toEqual(ANALYSIS);
    expect(workers[1]!.terminated).toBe(true);
    // a crash of the new worker restarts it with the new model
    workers[2]!.crash('exit code 1');
    await expect.poll(() => host.restarts).toBe(1);
    expect(host.info.expression).toMatchObject({ model: 'low-power.json' });
    host.close();
  });

  it('keeps the model in use when another cannot be loaded, and says why', async () => {
    const { workers, start } = supervised();
    const host = await start();
    await host.useExpressionModel('standard.json');
    await expect(host.useExpressionModel('broken')).rejects.toThrow(/cannot read model card broken/);
    expect(workers[2]!.terminated).toBe(true);
    expect(host.info.expression).toMatchObject({ model: 'standard.json' });
    await expect(host.analyse(FRAME)).resolves.toEqual(ANALYSIS);
    expect(workers[1]!.terminated).toBe(false);
    host.close();
    await expect(host.useExpressionModel('standard.json')).rejects.toThrow(/has been closed/);
  });

  it("fails a retired worker's frame in words when that worker dies before answering", async () => {
    const { workers, start } = supervised();
    const host = await start();
    workers[0]!.hang = true;
    const inFlight = host.analyse(FRAME);
    await host.useExpressionModel('standard.json');
    workers[0]!.crash('exit code 139');
    await expect(inFlight).rejects.toThrow(/the vision worker stopped \(exit code 139\)/);
    expect(host.restarts).toBe(0); // the worker in use is fine
    await expect(host.analyse(FRAME)).resolves.toEqual(ANALYSIS);
    host.close();
  });
});
