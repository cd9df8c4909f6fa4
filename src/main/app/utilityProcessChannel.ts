/** Desktop mode: the vision worker in an Electron utility process, away from the main process. */
import { utilityProcess } from 'electron';
import type { VisionChannel } from '../vision/visionProtocol.js';

export function utilityProcessChannel(entry: string): VisionChannel {
  const child = utilityProcess.fork(entry, [], { serviceName: 'Emotune vision', stdio: 'inherit' });
  return {
    post: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(`exit code ${code}`)),
    terminate: () => void child.kill(),
  };
}
