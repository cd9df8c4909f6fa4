/**
 * One frame in, faces and the main face's expression out: BlazeFace, then A-MobileNet on the
 * face of the listener. Runs wherever it is created: in a worker thread or a utility process.
 */
import type { Face, FaceExpression, VisionInfo } from '../../shared/vision.js';
import { ExpressionClassifier } from './expressionClassifier.js';
import { FaceDetectorCascade } from './faceDetectorCascade.js';
import type { RgbaImage } from './rgbaImage.js';

export interface VisionEngineOptions {
  /** Tried in order until one finds a face. */
  detectorCards: readonly string[];
  expressionCard: string;
}

export interface FrameAnalysis {
  faces: Face[];
  mainFace: number | null;
  expression: FaceExpression | null;
  timings: { detectMs: number; classifyMs: number };
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

  async analyse(image: RgbaImage): Promise<FrameAnalysis> {
    const t0 = performance.now();
    const faces = await this.detector.detect(image);
    const t1 = performance.now();
    const mainFace = pickMainFace(faces, image.width, image.height);
    const expression = mainFace !== null && this.classifier ? await this.classifier.classify(image, faces[mainFace]!) : null;
    return { faces, mainFace, expression, timings: { detectMs: t1 - t0, classifyMs: performance.now() - t1 } };
  }

  async dispose(): Promise<void> {
    await this.detector.dispose();
    await this.classifier?.dispose();
  }
}

/** The listener: the largest face, discounted the further it is from the centre of the frame. */
export function pickMainFace(faces: readonly Face[], width: number, height: number): number | null {
  let best: number | null = null;
  let bestScore = -Infinity;
  faces.forEach((f, i) => {
    const cx = (f.box.x + f.box.width / 2) / width - 0.5;
    const cy = (f.box.y + f.box.height / 2) / height - 0.5;
    const score = f.box.width * f.box.height * (1 - Math.hypot(cx, cy));
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}
