/**
 * Detectors tried in turn: the fast short-range model first, and the 256-pixel model only when
 * the first finds no face as wide as its card says it finds reliably (a listener sitting back,
 * about a metre away). `npm run bench:recall` measures why: the back model's recall at about the
 * front model's cost.
 */
import type { Face } from '../../shared/vision.js';
import { FaceDetector } from './faceDetector.js';
import type { RgbaImage } from './rgbaImage.js';

export class FaceDetectorCascade {
  private constructor(readonly detectors: FaceDetector[]) {}

  static async load(cardPaths: readonly string[]): Promise<FaceDetectorCascade> {
    if (cardPaths.length === 0) throw new Error('no face detector configured');
    return new FaceDetectorCascade(await Promise.all(cardPaths.map((p) => FaceDetector.load(p))));
  }

  get name(): string {
    return this.detectors.map((d) => d.card.name).join(' → ');
  }

  get executionProvider(): string {
    return [...new Set(this.detectors.map((d) => d.executionProvider))].join(', ');
  }

  async detect(image: RgbaImage): Promise<Face[]> {
    let faces: Face[] = [];
    for (const detector of this.detectors) {
      faces = await detector.detect(image);
      const reliable = (detector.card.range?.reliableFromFaceWidth ?? 0) * image.width;
      if (faces.some((f) => f.box.width >= reliable)) return faces;
    }
    return faces;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.detectors.map((d) => d.dispose()));
  }
}
