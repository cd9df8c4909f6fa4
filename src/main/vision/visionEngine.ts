/**
 * One frame in, faces and the main face's expression out: BlazeFace, then A-MobileNet on the
 * face of the listener. Runs wherever it is created: in a worker thread or a utility process.
 * It keeps no state between frames: the engine serves every camera stream at once, so whom each
 * stream follows comes in with its frame and goes back with the answer.
 */
import type { Face, FaceCropImage, FaceExpression, VisionInfo } from '../../shared/vision.js';
import { ExpressionClassifier } from './expressionClassifier.js';
import { FaceDetectorCascade } from './faceDetectorCascade.js';
import { followListener, pickMainFace, type Followed } from './faceTracker.js';
import type { RgbaImage } from './rgbaImage.js';

export interface VisionEngineOptions {
  /** Tried in order until one finds a face. */
  detectorCards: readonly string[];
  expressionCard: string;
}

/** A frame of a camera stream, rather than a still picture. */
export interface StreamFrame {
  /** Whom the stream followed until the last frame; null at its start. */
  followed: Followed | null;
  /** The frame's time in milliseconds, on one clock for the whole stream (the backend's, as the frame reaches it). */
  at: number;
  /** Send back the main face as the expression model received it (the privacy view is open). */
  crop?: boolean;
}

export interface FrameAnalysis {
  faces: Face[];
  mainFace: number | null;
  expression: FaceExpression | null;
  timings: { detectMs: number; classifyMs: number };
  /** Whom to follow in the stream's next frame; only for a stream frame. */
  followed?: Followed | null;
  /** The main face's log-probabilities in the card's class order (what calibration shifts); null without an expression. */
  scores?: number[] | null;
  /** The main face as the expression model received it; only when the stream frame asked for it. */
  crop?: Omit<FaceCropImage, 'at'> | null;
}

export class VisionEngine {
  private constructor(
    private readonly detector: FaceDetectorCascade,
    private readonly classifier: ExpressionClassifier | null,
    readonly info: VisionInfo,
  ) {}

  /** A broken or missing expression model leaves face detection working, and says why. */
  static async load(options: VisionEngineOptions): Promise<VisionEngine> {
    const detector = await FaceDetectorCascade.load(options.detectorCards);
    let classifier: ExpressionClassifier | null = null;
    let expression: VisionInfo['expression'];
    try {
      classifier = await ExpressionClassifier.load(options.expressionCard);
      expression = {
        model: classifier.card.name,
        version: classifier.card.version ?? null,
        executionProvider: classifier.executionProvider,
        classes: classifier.card.classes,
      };
    } catch (error) {
      expression = { error: `expression recognition is off: ${(error as Error).message}` };
    }
    const info: VisionInfo = {
      detector: {
        model: detector.name,
        inputSize: Math.max(...detector.detectors.map((d) => d.card.input.size)),
        executionProvider: detector.executionProvider,
      },
      expression,
    };
    return new VisionEngine(detector, classifier, info);
  }

  /** A still picture has no one to follow: its main face is chosen as the first frame of a stream's would be. */
  async analyse(image: RgbaImage, stream?: StreamFrame): Promise<FrameAnalysis> {
    const t0 = performance.now();
    const faces = await this.detector.detect(image);
    const t1 = performance.now();
    const follow = stream && followListener(stream.followed, faces, image.width, image.height, stream.at);
    const mainFace = follow ? follow.mainFace : pickMainFace(faces, image.width, image.height);
    const read = mainFace !== null && this.classifier ? await this.classifier.read(image, faces[mainFace]!) : null;
    const timings = { detectMs: t1 - t0, classifyMs: performance.now() - t1 };
    const expression = read?.expression ?? null;
    const scores = read?.scores ?? null;
    if (!follow) return { faces, mainFace, expression, timings, scores };
    const crop = stream?.crop && this.classifier ? read && this.classifier.inputImage(read.input) : undefined;
    return { faces, mainFace, expression, timings, followed: follow.followed, scores, ...(crop !== undefined && { crop }) };
  }

  async dispose(): Promise<void> {
    await this.detector.dispose();
    await this.classifier?.dispose();
  }
}
