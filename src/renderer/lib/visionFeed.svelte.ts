/**
 * The camera frames going to the backend and its answers coming back, for whichever preview shows
 * them. While the connection is down no frame is sent and the last answer is dropped, so nothing on
 * screen claims a face or an expression that is no longer being read. The same holds while the
 * window is hidden or minimised, unless the listener asked to be watched in the background: the
 * camera rests then (the stream stays open, so it is back at once when the window is).
 */
import type { EmotuneApi } from '../../shared/api.js';
import type { DetectionResult } from '../../shared/vision.js';
import { explainError } from './errorWording.js';
import { FrameRate, watchesNow, type FrameRateMode } from './frameRate.js';
import { DEFAULT_FRAME_OPTIONS, FrameSender, grabFrom, type FrameGrabber } from './frameSender.js';

export interface FeedConnection {
  readonly online: boolean;
  onChange(listener: (status: string) => void): () => void;
}

/** Whether the window is in view: the document in the app. */
export interface PageVisibility {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

export interface VisionFeedOptions {
  page?: PageVisibility;
  /** The listener's "keep watching while Emotune is in the background", read at each change of visibility. */
  watchInBackground?: () => boolean;
  frameRate?: FrameRateMode;
  /** Every frame at the full rate whatever the face does: a held calibration pose is still, and wants all its frames. */
  fullRate?: () => boolean;
}

export class VisionFeed {
  result = $state<DetectionResult | undefined>();
  /** Why the last frame failed, in plain words, and the backend's own text. */
  error = $state('');
  errorDetail = $state('');
  /** Frames are held back because the backend cannot be reached. */
  paused = $state(false);
  /** Frames are held back because the window is hidden and the listener did not ask to be watched then. */
  resting = $state(false);
  private readonly page: PageVisibility | undefined;
  private readonly watchInBackground: () => boolean;
  private readonly frameRateMode: FrameRateMode;
  private readonly fullRate: () => boolean;

  constructor(
    private readonly api: EmotuneApi,
    private readonly connection: FeedConnection,
    options: VisionFeedOptions = {},
  ) {
    this.page = options.page ?? globalThis.document;
    this.watchInBackground = options.watchInBackground ?? (() => false);
    this.frameRateMode = options.frameRate ?? 'adaptive';
    this.fullRate = options.fullRate ?? (() => false);
  }

  /** Sends frames from `video` until the returned function is called. */
  attach(video: HTMLVideoElement, grab: FrameGrabber = grabFrom(video)): () => void {
    const rate = new FrameRate(this.frameRateMode);
    // 0: as soon as the sender's own limit (10 a second) allows.
    const pace = { intervalMs: (now: number) => (this.fullRate() ? 0 : rate.intervalMs(now)) };
    const sender = new FrameSender(this.api, grab, DEFAULT_FRAME_OPTIONS, pace);
    const offFaces = this.api.on('vision.faces', (r) => {
      // An answer to a frame sent before the window was hidden: nothing is being read now.
      if (this.resting) return;
      rate.observe(r, performance.now());
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
      const online = this.connection.online;
      const watching = watchesNow(this.page?.visibilityState ?? 'visible', this.watchInBackground());
      this.paused = !online;
      this.resting = online && !watching;
      if (online && watching) {
        sender.start();
      } else {
        sender.stop();
        rate.reset();
        this.result = undefined;
      }
    };
    const offConnection = this.connection.onChange(follow);
    this.page?.addEventListener('visibilitychange', follow);
    follow();
    return () => {
      sender.stop();
      offFaces();
      offError();
      offConnection();
      this.page?.removeEventListener('visibilitychange', follow);
      this.resting = false;
      this.result = undefined;
    };
  }
}
