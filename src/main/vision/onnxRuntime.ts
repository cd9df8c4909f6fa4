/**
 * The only module that imports onnxruntime-node: sessions are built and run here, so a change
 * of runtime version or execution provider touches one file.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

/**
 * onnxruntime's own log: only errors reach the user. At its default (warning) it prints lines
 * such as "Failed to persist telemetry device ID" and provider notices that ask nothing of them.
 * EMOTUNE_ONNX_LOG=verbose|info|warning shows more when looking into a problem.
 */
const ORT_LOG_LEVELS = ['verbose', 'info', 'warning', 'error', 'fatal'] as const;
const requestedLog = ORT_LOG_LEVELS.indexOf(process.env.EMOTUNE_ONNX_LOG as (typeof ORT_LOG_LEVELS)[number]);
const logSeverityLevel = (requestedLog >= 0 ? requestedLog : 3) as 0 | 1 | 2 | 3 | 4;
ort.env.logLevel = ORT_LOG_LEVELS[logSeverityLevel];

/**
 * Telemetry off. onnxruntime-node 1.30's Linux build (and, by onnxruntime's notes, the macOS
 * one) sends usage events to Microsoft and keeps a device ID and an event cache under
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime; Windows builds use ETW. ORT_DISABLE_TELEMETRY=1,
 * set before the first session, creates none of that. The JavaScript API has no switch for it.
 * In a worker thread this assignment does not reach the native library, so the processes that
 * start vision workers in a thread set it too (webMain.ts).
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

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
 * The CUDA provider is a separate library that scripts/install-binaries.mjs downloads after
 * npm ci where an NVIDIA driver is found (not with ONNXRUNTIME_NODE_INSTALL=skip); without it,
 * trying CUDA only prints a native error, so look for the file first.
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

/**
 * Why a provider was not used, for the About box. Printed only when the user asked for that
 * provider (EMOTUNE_EXECUTION_PROVIDER): the fallback to the CPU is expected, not news.
 */
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
      if (candidate === process.env.EMOTUNE_EXECUTION_PROVIDER && !providerFallbacks.some((f) => f.provider === candidate)) {
        console.warn(`onnxruntime: not using ${candidate}: ${missing}`);
      }
      providerFallbacks.push({ model: path, provider: candidate, reason: missing });
      continue;
    }
    try {
      // One intra-op thread: on a 2-core machine it was as fast as two and leaves a core for the UI.
      session = await ort.InferenceSession.create(path, { executionProviders: [candidate], intraOpNumThreads: 1, logSeverityLevel });
      provider = candidate;
      break;
    } catch (error) {
      lastError = error;
      if (candidate !== 'cpu') {
        const reason = (error as Error).message.split('\n')[0] ?? String(error);
        providerFallbacks.push({ model: path, provider: candidate, reason });
        if (candidate === process.env.EMOTUNE_EXECUTION_PROVIDER) {
          console.warn(`onnxruntime: ${candidate} is not available for ${path} (${reason}); trying the next provider`);
        }
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
