/**
 * Entry of the vision worker: a worker thread (browser mode, CLI) or an Electron utility
 * process (desktop). Either way the models run here, never on the thread that serves the UI.
 */
import { parentPort } from 'node:worker_threads';
import { toRgba } from './cameraImage.js';
import { VisionEngine } from './visionEngine.js';
import type { FromVisionWorker, ToVisionWorker } from './visionProtocol.js';

interface Port {
  on(event: 'message', listener: (message: ToVisionWorker) => void): void;
  post(message: FromVisionWorker): void;
}

function connect(): Port {
  if (parentPort) {
    const port = parentPort;
    return { on: (_e, listener) => port.on('message', listener), post: (m) => port.postMessage(m) };
  }
  // Electron's utility process: messages arrive wrapped in an event.
  const electronPort = (
    process as unknown as {
      parentPort?: { on(e: 'message', l: (ev: { data: ToVisionWorker }) => void): void; postMessage(m: unknown): void };
    }
  ).parentPort;
  if (!electronPort) throw new Error('the vision worker must run as a worker thread or an Electron utility process');
  return { on: (_e, listener) => electronPort.on('message', (event) => listener(event.data)), post: (m) => electronPort.postMessage(m) };
}

const port = connect();
let engine: VisionEngine | undefined;
/** Where camera pictures are converted to RGBA, kept from frame to frame: frames are read one at a time. */
let rgba: Uint8Array | undefined;
/** The frame being read: the next waits for it (the models run on this thread anyway), so `rgba` is never shared. */
let reading: Promise<void> = Promise.resolve();

async function analyse(message: Extract<ToVisionWorker, { type: 'analyse' }>, loaded: VisionEngine): Promise<void> {
  try {
    const image = toRgba(message.image, rgba);
    if ('i420' in message.image) rgba = image.data;
    port.post({ type: 'result', id: message.id, analysis: await loaded.analyse(image, message.stream) });
  } catch (error) {
    port.post({ type: 'error', id: message.id, message: (error as Error).message });
  }
}

port.on('message', (message) => {
  if (message.type === 'init') {
    VisionEngine.load(message.options).then(
      (loaded) => {
        engine = loaded;
        port.post({ type: 'ready', info: loaded.info });
      },
      (error: unknown) => port.post({ type: 'failed', message: (error as Error).message }),
    );
    return;
  }
  const loaded = engine;
  if (!loaded) {
    port.post({ type: 'error', id: message.id, message: 'the vision models are not loaded yet' });
    return;
  }
  reading = reading.then(() => analyse(message, loaded));
});
