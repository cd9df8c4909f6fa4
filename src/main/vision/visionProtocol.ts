/** Messages between the vision host (main side) and the vision worker (thread or utility process). */
import type { VisionInfo } from '../../shared/vision.js';
import type { CameraImage } from './cameraImage.js';
import type { FrameAnalysis, StreamFrame, VisionEngineOptions } from './visionEngine.js';

export type ToVisionWorker =
  { type: 'init'; options: VisionEngineOptions } | { type: 'analyse'; id: number; image: CameraImage; stream?: StreamFrame };

export type FromVisionWorker =
  | { type: 'ready'; info: VisionInfo }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; analysis: FrameAnalysis }
  | { type: 'error'; id: number; message: string };

/** The one thing a host needs from a thread or a process: send, receive, stop. */
export interface VisionChannel {
  post(message: ToVisionWorker): void;
  onMessage(listener: (message: FromVisionWorker) => void): void;
  onExit(listener: (reason: string) => void): void;
  terminate(): void;
}
