/**
 * The only module that imports onnxruntime-node: sessions are built and run here, so a change
 * of runtime version or execution provider touches one file.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

/** Execution providers to try, best first; the CPU is always the last resort. */
export function preferredProviders(
  platform = process.platform,
  arch = process.arch,
  override = process.env.EMOTUNE_EXECUTION_PROVIDER,
): string[] {
  if (override) return override === 'cpu' ? ['cpu'] : [override, 'cpu'];
  if (platform === 'linux' && arch === 'x64') return ['cuda', 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  return ['cpu'];
}

/**
 * The CUDA provider is a separate library that onnxruntime-node's install script downloads
 * (skipped with ONNXRUNTIME_NODE_INSTALL=skip, or without CUDA 12); without it, trying CUDA
 * only prints a native error, so look for the file first.
 */
function missingProviderReason(provider: string): string | undefined {
  if (provider !== 'cuda') return undefined;
  const binding = join(
    dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')),
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
  return existsSync(join(binding, 'libonnxruntime_providers_cuda.so')) ? undefined : 'the CUDA provider library is not installed';
}

/** Why a provider was not used, for the log and the About box. */
export const providerFallbacks: { model: string; provider: string; reason: string }[] = [];

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
export async function loadOnnxModel(
  path: string,
  input: TensorSpec,
  outputs: readonly string[],
  providers: readonly string[] = preferredProviders(),
): Promise<OnnxModel> {
  let session: ort.InferenceSession | undefined;
  let provider = 'cpu';
  let lastError: unknown;
  for (const candidate of providers) {
    const missing = missingProviderReason(candidate);
    if (missing) {
      if (!providerFallbacks.some((f) => f.provider === candidate)) console.warn(`onnxruntime: not using ${candidate}: ${missing}`);
      providerFallbacks.push({ model: path, provider: candidate, reason: missing });
      continue;
    }
    try {
      // One intra-op thread: on a 2-core machine it was as fast as two and leaves a core for the UI.
      session = await ort.InferenceSession.create(path, { executionProviders: [candidate], intraOpNumThreads: 1, logSeverityLevel: 3 });
      provider = candidate;
      break;
    } catch (error) {
      lastError = error;
      if (candidate !== 'cpu') {
        const reason = (error as Error).message.split('\n')[0] ?? String(error);
        providerFallbacks.push({ model: path, provider: candidate, reason });
        console.warn(`onnxruntime: ${candidate} is not available for ${path} (${reason}); trying the next provider`);
      }
    }
  }
  if (!session) throw new ModelLoadError(path, (lastError as Error)?.message ?? 'no execution provider could load it');
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
  const loaded = session;
  return {
    path,
    executionProvider: provider,
    async run(feed, outputNames) {
      const tensor = new ort.Tensor('float32', feed.data, feed.dims);
      const results = await loaded.run({ [feed.name]: tensor }, outputNames as string[]);
      const out = new Map<string, Float32Array>();
      for (const name of outputNames) out.set(name, results[name]!.data as Float32Array);
      return out;
    },
    dispose: () => loaded.release(),
  };
}
