/** BlazeFace face detection on an RGBA frame: letterbox, run the ONNX model, decode, suppress. */
import type { Face } from '../../shared/vision.js';
import { decodeDetections, generateAnchors, weightedNonMaxSuppression, type Anchor } from './blazeface.js';
import { readDetectorCard, type DetectorCard } from './detectorCard.js';
import { loadOnnxModel, type OnnxModel } from './onnxRuntime.js';
import { resizeRgbaToNhwc } from './resample.js';
import type { RgbaImage } from './rgbaImage.js';

export class FaceDetector {
  private constructor(
    readonly card: DetectorCard,
    private readonly model: OnnxModel,
    private readonly anchors: Anchor[],
  ) {}

  static async load(cardPath: string): Promise<FaceDetector> {
    const card = await readDetectorCard(cardPath);
    const size = card.input.size;
    const model = await loadOnnxModel(card.modelPath, { name: card.input.name, dims: [1, size, size, 3] }, [
      ...card.outputs.scores,
      ...card.outputs.regressions,
    ]);
    return new FaceDetector(card, model, generateAnchors(card.anchors));
  }

  get executionProvider(): string {
    return this.model.executionProvider;
  }

  /** Faces in pixels of the given image, best score first. */
  async detect(image: RgbaImage): Promise<Face[]> {
    const { tensor, scale } = this.letterbox(image);
    const size = this.card.input.size;
    const names = [...this.card.outputs.scores, ...this.card.outputs.regressions];
    const outputs = await this.model.run({ name: this.card.input.name, data: tensor, dims: [1, size, size, 3] }, names);
    const scores = concat(this.card.outputs.scores.map((n) => outputs.get(n)!));
    const regressions = concat(this.card.outputs.regressions.map((n) => outputs.get(n)!));
    const raw = decodeDetections(scores, regressions, this.anchors, {
      inputSize: size,
      keypointCount: this.card.decode.keypoints,
      scoreThreshold: this.card.decode.scoreThreshold,
      scoreClip: this.card.decode.scoreClip,
    });
    // Model coordinates are fractions of the square input; the image sits in its top-left corner.
    const toPixels = size / scale;
    return weightedNonMaxSuppression(raw, this.card.decode.nmsIouThreshold).map((d) => {
      const x = clamp(d.xMin * toPixels, 0, image.width);
      const y = clamp(d.yMin * toPixels, 0, image.height);
      return {
        box: {
          x,
          y,
          width: clamp(d.xMax * toPixels, 0, image.width) - x,
          height: clamp(d.yMax * toPixels, 0, image.height) - y,
        },
        keypoints: pairs(d.keypoints).map(([kx, ky]) => ({ x: kx * toPixels, y: ky * toPixels })),
        score: d.score,
      };
    });
  }

  /**
   * Fits the image into the square input without distortion, padding right and bottom,
   * and maps bytes to the card's value range. Returns the resize factor.
   */
  private letterbox(image: RgbaImage): { tensor: Float32Array; scale: number } {
    const size = this.card.input.size;
    const scale = size / Math.max(image.width, image.height);
    const width = Math.max(1, Math.round(image.width * scale));
    const height = Math.max(1, Math.round(image.height * scale));
    const [lo, hi] = this.card.input.range;
    const tensor = new Float32Array(size * size * 3).fill(lo);
    resizeRgbaToNhwc(image.data, image.width, image.height, width, height, tensor, size, lo, (hi - lo) / 255);
    return { tensor, scale: width / image.width };
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function pairs(values: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < values.length; i += 2) out.push([values[i]!, values[i + 1]!]);
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
