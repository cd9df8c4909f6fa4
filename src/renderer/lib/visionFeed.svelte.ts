/**
 * The camera frames going to the backend and its answers coming back, for whichever preview shows
 * them. While the connection is down no frame is sent and the last answer is dropped, so nothing on
 * screen claims a face or an expression that is no longer being read.
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { DetectionResult } from '../../shared/vision.js';
import { explainError } from './errorWording.js';
import { FrameSender, grabFrom, type FrameGrabber } from './frameSender.js';

export interface FeedConnection {
  readonly online: boolean;
  onChange(listener: (status: string) => void): () => void;
}

export class VisionFeed {
  result = $state<DetectionResult | undefined>();
  /** Why the last frame failed, in plain words, and the backend's own text. */
  error = $state('');
  errorDetail = $state('');
  /** Frames are held back because the backend cannot be reached. */
  paused = $state(false);

  constructor(
    private readonly api: EmotuneApi,
    private readonly connection: FeedConnection,
  ) {}

  /** Sends frames from `video` until the returned function is called. */
  attach(video: HTMLVideoElement, grab: FrameGrabber = grabFrom(video)): () => void {
    const sender = new FrameSender(this.api, grab);
    const offFaces = this.api.on('vision.faces', (r) => {
      this.result = r;
      this.error = '';
      this.errorDetail = '';
      sender.answered(r.frameId);
    });
    const offError = this.api.on('vision.error', (e) => {
      const { text, detail } = explainError(e.message);
      this.error = text;
      this.errorDetail = detail;
      sender.answered(e.frameId);
    });
    const follow = () => {
      if (this.connection.online) {
        this.paused = false;
        sender.start();
      } else {
        this.paused = true;
        sender.stop();
        this.result = undefined;
      }
    };
    const offConnection = this.connection.onChange(follow);
    follow();
    return () => {
      sender.stop();
      offFaces();
      offError();
      offConnection();
      this.result = undefined;
    };
  }
}
