/**
 * The only module that imports onnxruntime-node: sessions are built and run here, so a change
 * of runtime version or execution provider touches one file.
 */
import * as ort from 'onnxruntime-node';

export interface TensorSpec {
  name: string;
  /** Expected dimensions; -1 for a free (batch) dimension. */
  dims: number[];
}

export interface OnnxModel {
  readonly path: string;
  readonly executionProvider: string;
  run(input: { name: string; data: Float32Array; dims: number[] }, outputNames: readonly string[]): Promise<Map<string, Float32Array>>;
  dispose(): Promise<void>;
}

export class ModelLoadError extends Error {
  constructor(path: string, reason: string) {
    super(`cannot load model ${path}: ${reason}`);
    this.name = 'ModelLoadError';
  }
}

/**
 * Opens a model on the CPU and checks that it has the input and outputs its card names,
 * so a wrong file fails at load time with a readable message rather than at the first frame.
 */
export async function loadOnnxModel(path: string, input: TensorSpec, outputs: readonly string[]): Promise<OnnxModel> {
  let session: ort.InferenceSession;
  try {
    // One intra-op thread: on a 2-core machine it was as fast as two and leaves a core for the UI.
    session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      logSeverityLevel: 3,
    });
  } catch (error) {
    throw new ModelLoadError(path, (error as Error).message);
  }
  if (!session.inputNames.includes(input.name)) {
    await session.release();
    throw new ModelLoadError(path, `it has inputs [${session.inputNames.join(', ')}], not "${input.name}"`);
  }
  const missing = outputs.filter((o) => !session.outputNames.includes(o));
  if (missing.length > 0) {
    await session.release();
    throw new ModelLoadError(path, `it lacks outputs [${missing.join(', ')}]`);
  }
  const meta = session.inputMetadata.find((m) => m.name === input.name);
  if (meta?.isTensor) {
    const shape = meta.shape.map((d) => (typeof d === 'number' ? d : -1));
    const fits = shape.length === input.dims.length && shape.every((d, i) => d === -1 || input.dims[i] === -1 || d === input.dims[i]);
    if (!fits) {
      await session.release();
      throw new ModelLoadError(path, `input "${input.name}" has shape [${shape.join(', ')}], the card says [${input.dims.join(', ')}]`);
    }
  }
  return {
    path,
    executionProvider: 'cpu',
    async run(feed, outputNames) {
      const tensor = new ort.Tensor('float32', feed.data, feed.dims);
      const results = await session.run({ [feed.name]: tensor }, outputNames as string[]);
      const out = new Map<string, Float32Array>();
      for (const name of outputNames) out.set(name, results[name]!.data as Float32Array);
      return out;
    },
    dispose: () => session.release(),
  };
}
