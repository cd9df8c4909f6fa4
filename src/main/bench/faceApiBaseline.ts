/**
 * The baseline we measure against: @vladmandic/face-api (MIT) in Node on tfjs's wasm backend,
 * TinyFaceDetector + FaceExpressionNet, loaded from the package's own model folder.
 * Development-only: the packages are devDependencies.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RgbaImage } from '../vision/rgbaImage.js';

const require = createRequire(import.meta.url);

interface FaceApi {
  tf: {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
  };
  nets: { tinyFaceDetector: { loadFromDisk(dir: string): Promise<void> }; faceExpressionNet: { loadFromDisk(dir: string): Promise<void> } };
  TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => unknown;
  detectAllFaces(input: unknown, options: unknown): { withFaceExpressions(): Promise<{ expressions: Record<string, number> }[]> };
}

export class FaceApiBaseline {
  private constructor(
    private readonly faceapi: FaceApi,
    private readonly options: unknown,
  ) {}

  static async load(inputSize = 416): Promise<FaceApiBaseline> {
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    // The wasm backend registers itself when imported.
    require('@tensorflow/tfjs-backend-wasm');
    await faceapi.tf.setBackend('wasm');
    await faceapi.tf.ready();
    const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
    await faceapi.nets.faceExpressionNet.loadFromDisk(modelDir);
    return new FaceApiBaseline(faceapi, new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: 0.5 }));
  }

  /** Faces with expression probabilities, as face-api names them. */
  async analyse(image: RgbaImage): Promise<Record<string, number>[]> {
    const rgb = new Uint8Array(image.width * image.height * 3);
    for (let i = 0, j = 0; i < image.data.length; i += 4, j += 3) {
      rgb[j] = image.data[i]!;
      rgb[j + 1] = image.data[i + 1]!;
      rgb[j + 2] = image.data[i + 2]!;
    }
    const tensor = this.faceapi.tf.tensor3d(rgb, [image.height, image.width, 3], 'int32');
    try {
      const results = await this.faceapi.detectAllFaces(tensor, this.options).withFaceExpressions();
      return results.map((r) => ({ ...r.expressions }));
    } finally {
      tensor.dispose();
    }
  }
}
