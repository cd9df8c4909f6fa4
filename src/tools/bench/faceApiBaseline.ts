/**
 * The baseline we measure against: @vladmandic/face-api (MIT) in Node on tfjs's wasm backend,
 * a face detector (TinyFaceDetector, or SSD MobileNetV1, its most accurate) + FaceExpressionNet,
 * loaded from the package's own model folder. Development-only: the packages are devDependencies.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Expression } from '../../shared/expressions.js';
import type { RgbaImage } from '../../main/vision/rgbaImage.js';

const require = createRequire(import.meta.url);

interface FaceApi {
  tf: {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
  };
  nets: Record<'tinyFaceDetector' | 'ssdMobilenetv1' | 'faceExpressionNet', { loadFromDisk(dir: string): Promise<void> }>;
  TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => unknown;
  SsdMobilenetv1Options: new (options: { minConfidence: number }) => unknown;
  detectAllFaces(
    input: unknown,
    options: unknown,
  ): { withFaceExpressions(): Promise<{ expressions: Record<string, number>; detection: { box: { width: number; height: number } } }[]> };
}

export type FaceApiDetector = 'tiny-416' | 'ssd-mobilenetv1';

/** face-api's expression names, as the app's (FERPlus) classes. */
export const FACE_API_EXPRESSIONS: Record<string, Expression> = {
  neutral: 'neutral',
  happy: 'happiness',
  sad: 'sadness',
  angry: 'anger',
  fearful: 'fear',
  disgusted: 'disgust',
  surprised: 'surprise',
};

export class FaceApiBaseline {
  private constructor(
    private readonly faceapi: FaceApi,
    private readonly options: unknown,
  ) {}

  static async load(detector: FaceApiDetector = 'tiny-416'): Promise<FaceApiBaseline> {
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    // The wasm backend registers itself when imported.
    require('@tensorflow/tfjs-backend-wasm');
    await faceapi.tf.setBackend('wasm');
    await faceapi.tf.ready();
    const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    await faceapi.nets[detector === 'tiny-416' ? 'tinyFaceDetector' : 'ssdMobilenetv1'].loadFromDisk(modelDir);
    await faceapi.nets.faceExpressionNet.loadFromDisk(modelDir);
    const options =
      detector === 'tiny-416'
        ? new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 })
        : new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
    return new FaceApiBaseline(faceapi, options);
  }

  /** The expression of the largest face, in the app's class names; null when no face is found. */
  async mainExpression(image: RgbaImage): Promise<Expression | null> {
    const faces = await this.detect(image);
    const main = faces.sort((a, b) => b.detection.box.width * b.detection.box.height - a.detection.box.width * a.detection.box.height)[0];
    if (!main) return null;
    const [top] = Object.entries(main.expressions).sort((a, b) => b[1] - a[1]);
    return top ? (FACE_API_EXPRESSIONS[top[0]] ?? null) : null;
  }

  /** Faces with expression probabilities, as face-api names them. */
  async analyse(image: RgbaImage): Promise<Record<string, number>[]> {
    return (await this.detect(image)).map((r) => ({ ...r.expressions }));
  }

  private async detect(image: RgbaImage) {
    const rgb = new Uint8Array(image.width * image.height * 3);
    for (let i = 0, j = 0; i < image.data.length; i += 4, j += 3) {
      rgb[j] = image.data[i]!;
      rgb[j + 1] = image.data[i + 1]!;
      rgb[j + 2] = image.data[i + 2]!;
    }
    const tensor = this.faceapi.tf.tensor3d(rgb, [image.height, image.width, 3], 'int32');
    try {
      return await this.faceapi.detectAllFaces(tensor, this.options).withFaceExpressions();
    } finally {
      tensor.dispose();
    }
  }
}
