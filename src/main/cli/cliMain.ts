/** `emotune <command>`: the app's services from a terminal. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_AUDIO_MOOD_CARD, DEFAULT_DETECTOR_CARDS, DEFAULT_EXPRESSION_CARD, defaultDataDir } from '../backend.js';
import { LibraryDatabaseError, openLibraryDatabase } from '../library/database.js';
import { LibraryStore } from '../library/libraryStore.js';
import { AudioMoodEstimator } from '../mood/audioMoodEstimator.js';
import { scanFolder, ScanError } from '../library/scanner.js';
import { ImageFileError } from '../vision/imageFile.js';
import { VisionEngine } from '../vision/visionEngine.js';
import { detectImage, IMAGE_EXTENSIONS, listImages } from './detectCommand.js';
import { EvalInputError, evaluateFolder, formatReport } from './evalCommand.js';
import { listAudioPaths, moodOfFile } from './moodsCommand.js';
import { countOtherFiles, formatScanSummary } from './scanCommand.js';

/** The exit codes, as the README's table gives them. */
export const EXIT = {
  /** Done; every input was read. */
  ok: 0,
  /** Done, but some inputs could not be read (each is named on stderr), or the run itself failed. */
  failed: 1,
  /** Nothing done: bad usage, or an input that cannot be used at all. */
  usage: 2,
} as const;

const SYNOPSIS = `usage: emotune detect <image|folder>
       emotune eval --data <folder>
       emotune scan <folder> [--data-dir <dir>] [--batch <n>]
       emotune moods <file|folder> [--write]
       emotune --help`;

const USAGE = `${SYNOPSIS}

  detect <image|folder>  find faces in an image (JPEG, PNG, WebP, ...) or in every image of a
                   folder and print them as JSON: each face's box, six keypoints (eyes, nose tip,
                   mouth, ears) and score in pixels, and for the main face its expression and
                   probabilities, with the execution provider in use; unreadable images are named
                   on stderr and the others go on
  eval --data <folder>   run detection, alignment and classification over labelled face photos
                   (one sub-folder per class, named as FERPlus does or as the app says it:
                   neutral or calm, happiness or happy, sadness or sad, surprise, anger, disgust,
                   fear, contempt, in any case) and print accuracy, balanced accuracy and the
                   confusion matrix, with a column for photos where no face was found and one for
                   each predicted class that has no folder
  scan <folder>    add a music folder to the library (in --data-dir, default the app's) and scan
                   it, printing progress as one JSON object per line, then a summary on stderr
                   (tracks found, added, updated, unreadable, other files by extension)
  moods <file|folder>  the mood of each audio file, one JSON line each (file, mood, valence,
                   arousal, confidence, source: the file's own tag or an estimate from the audio,
                   features), without touching the library; --write stores estimated moods in
                   the files' own mood tags (atomically), for any player to use

exit codes:
  0  done, every input was read
  1  done, but some inputs could not be read (each named on stderr), or the run failed
  2  nothing done: bad usage (unknown command or option, missing argument) or an input that
     cannot be used (no such file or folder, a file where a folder is needed, a single file
     that is not an image or audio, a folder with nothing to read, a library that cannot be
     opened)`;

const HELP_HINT = 'Run emotune --help for the commands.';

/** Bad usage: said in words, with the synopsis, exit code 2. */
class UsageError extends Error {}

/** An input that cannot be used at all (a missing path, a file where a folder is needed): exit code 2. */
class InputError extends Error {}

/** Exit codes: see EXIT and the README. */
export async function runCli(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      err.write(`${USAGE}\n`);
      return EXIT.usage;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      out.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    switch (command) {
      case 'detect':
        return await runDetect(rest, out, err);
      case 'eval':
        return await runEval(rest, out, err);
      case 'scan':
        return await runScan(rest, out, err);
      case 'moods':
        return await runMoods(rest, out, err);
    }
    if (command.startsWith('-')) throw new UsageError(`unknown option '${command}': options come after the command. ${HELP_HINT}`);
    throw new UsageError(`unknown command '${command}'. ${HELP_HINT}`);
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`emotune: ${error.message}\n\n${SYNOPSIS}\n`);
      return EXIT.usage;
    }
    if (error instanceof InputError) {
      err.write(`emotune: ${error.message}\n`);
      return EXIT.usage;
    }
    err.write(`emotune: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

/** node's parseArgs, with its errors said as a person would. */
function parseCommand<R>(command: string, parse: () => R): R {
  try {
    return parse();
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`${command} has no option '${quoted}'. Run emotune --help for the commands and their options.`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const option = quoted.split(' ')[0];
      throw new UsageError(
        message.includes('does not take an argument') ? `${command}: ${option} takes no value` : `${command}: ${option} needs a value`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`${command} takes no argument '${quoted}'`);
    throw error;
  }
}

function helpAsked(values: { help?: boolean }, out: NodeJS.WritableStream): boolean {
  if (values.help) out.write(`${USAGE}\n`);
  return values.help === true;
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** A folder the user named: it must exist and be a folder. */
function requireFolder(path: string, what: string): string {
  const full = resolve(path);
  const info = statSync(full, { throwIfNoEntry: false });
  if (!info) throw new InputError(`no such folder: ${full}`);
  if (!info.isDirectory()) throw new InputError(`${full} is a file, not a folder; ${what}`);
  return full;
}

async function runDetect(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const parsed = parseCommand('detect', () => parseArgs({ args, allowPositionals: true, options: HELP_OPTION }));
  if (helpAsked(parsed.values, out)) return EXIT.ok;
  if (parsed.positionals.length !== 1) {
    throw new UsageError(parsed.positionals.length === 0 ? 'detect needs an image or a folder' : 'detect takes one image or folder');
  }
  const path = parsed.positionals[0]!;
  let listed;
  try {
    listed = await listImages(path);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  if (listed.isFolder && listed.files.length === 0) {
    throw new InputError(`no images in ${resolve(path)} (${[...IMAGE_EXTENSIONS].join(', ')})`);
  }
  const engine = await loadEngine(err);
  try {
    if (!listed.isFolder) {
      const result = await detectImage(engine, listed.files[0]!).catch((error: unknown) => error as Error);
      if (result instanceof Error) {
        if (result instanceof ImageFileError) throw new InputError(result.message);
        throw result;
      }
      out.write(`${JSON.stringify({ ...describeEngine(engine), ...result }, null, 2)}\n`);
      return EXIT.ok;
    }
    // A folder: one result per image; an unreadable image is named on stderr and the rest go on.
    const results = [];
    let failed = 0;
    for (const file of listed.files) {
      try {
        results.push(await detectImage(engine, file));
      } catch (error) {
        failed++;
        err.write(`emotune: skipped ${file}: ${reasonOf(error as Error, file)}\n`);
        results.push({ image: file, error: (error as Error).message });
      }
    }
    out.write(`${JSON.stringify({ ...describeEngine(engine), images: results }, null, 2)}\n`);
    if (failed > 0) err.write(`emotune: ${failed} of ${listed.files.length} image(s) could not be read\n`);
    return failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await engine.dispose();
  }
}

/** An image error's message without the path it starts with, for a line that names the file already. */
function reasonOf(error: Error, file: string): string {
  return error.message.replace(`cannot decode ${file} as an image`, 'not a readable image').replace(`cannot open ${file}: `, '');
}

async function loadEngine(err: NodeJS.WritableStream): Promise<VisionEngine> {
  const engine = await VisionEngine.load({ detectorCards: DEFAULT_DETECTOR_CARDS, expressionCard: DEFAULT_EXPRESSION_CARD });
  if ('error' in engine.info.expression) err.write(`emotune: ${engine.info.expression.error}\n`);
  return engine;
}

function describeEngine(engine: VisionEngine) {
  const { detector, expression } = engine.info;
  return {
    detector: detector.model,
    expressionModel: 'error' in expression ? null : expression.model,
    executionProvider: 'error' in expression ? detector.executionProvider : expression.executionProvider,
  };
}

async function runEval(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const parsed = parseCommand('eval', () =>
    parseArgs({ args, allowPositionals: true, options: { ...HELP_OPTION, data: { type: 'string' } } }),
  );
  if (helpAsked(parsed.values, out)) return EXIT.ok;
  if (parsed.positionals.length > 0) {
    const [first] = parsed.positionals;
    throw new UsageError(`eval takes no argument '${first}'${parsed.values.data === undefined ? ` (did you mean --data ${first}?)` : ''}`);
  }
  if (parsed.values.data === undefined) throw new UsageError('eval needs --data <folder> with one sub-folder of face photos per class');
  const folder = requireFolder(parsed.values.data, 'eval --data needs a folder with one sub-folder of face photos per class');
  const engine = await loadEngine(err);
  try {
    if ('error' in engine.info.expression) return EXIT.failed;
    let report;
    try {
      report = await evaluateFolder(engine, folder);
    } catch (error) {
      if (error instanceof EvalInputError) throw new InputError(error.message);
      throw error;
    }
    for (const note of report.ignored) err.write(`emotune: ${note}\n`);
    for (const message of report.unreadable) err.write(`emotune: skipped ${message}\n`);
    out.write(`${formatReport(report)}\n`);
    return report.unreadable.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await engine.dispose();
  }
}

async function runMoods(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const parsed = parseCommand('moods', () =>
    parseArgs({ args, allowPositionals: true, options: { ...HELP_OPTION, write: { type: 'boolean', default: false } } }),
  );
  if (helpAsked(parsed.values, out)) return EXIT.ok;
  if (parsed.positionals.length !== 1) {
    throw new UsageError(parsed.positionals.length === 0 ? 'moods needs an audio file or a folder' : 'moods takes one file or folder');
  }
  let files;
  try {
    files = await listAudioPaths(parsed.positionals[0]!);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  let failed = 0;
  const estimator = new AudioMoodEstimator(DEFAULT_AUDIO_MOOD_CARD, { worker: false });
  for (const file of files) {
    const line = await moodOfFile(file, parsed.values.write, estimator);
    if (line.error) {
      failed++;
      err.write(`emotune: cannot read ${file}: ${line.error}\n`);
    }
    out.write(`${JSON.stringify(line)}\n`);
  }
  return failed > 0 ? EXIT.failed : EXIT.ok;
}

async function runScan(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const parsed = parseCommand('scan', () =>
    parseArgs({
      args,
      allowPositionals: true,
      options: { ...HELP_OPTION, 'data-dir': { type: 'string' }, batch: { type: 'string' } },
    }),
  );
  if (helpAsked(parsed.values, out)) return EXIT.ok;
  if (parsed.positionals.length !== 1) {
    throw new UsageError(parsed.positionals.length === 0 ? 'scan needs a music folder' : 'scan takes one folder');
  }
  const batchSize = Number(parsed.values.batch ?? 50);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new UsageError(`scan: --batch needs a whole number above 0, not '${parsed.values.batch}'`);
  const folder = requireFolder(parsed.positionals[0]!, 'scan needs the music folder');
  let store: LibraryStore;
  try {
    store = new LibraryStore(openLibraryDatabase(`${parsed.values['data-dir'] ?? defaultDataDir()}/library.sqlite`));
  } catch (error) {
    if (error instanceof LibraryDatabaseError) throw new InputError(error.message);
    throw error;
  }
  try {
    const { id } = store.folders.add(folder);
    // Each file the scan could not read: the progress report after it counts one more failure.
    const failedPaths: string[] = [];
    let failedSoFar = 0;
    const result = await scanFolder(store, id, folder, {
      batchSize,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.failed > failedSoFar && p.current) failedPaths.push(p.current);
        failedSoFar = p.failed;
        out.write(`${JSON.stringify(p)}\n`);
      },
    });
    const unreadable = failedPaths.map((path) => ({ path, reason: store.tracks.getByPath(path)?.error ?? 'unreadable audio file' }));
    const summary = formatScanSummary({
      folder,
      found: store.tracks.filesInFolder(id).size,
      progress: result,
      unreadable,
      otherFiles: await countOtherFiles(folder),
    });
    err.write(`emotune: ${summary}\n`);
    return result.failed > 0 ? EXIT.failed : EXIT.ok;
  } catch (error) {
    if (error instanceof ScanError) throw new InputError(error.message);
    throw error;
  } finally {
    store.close();
  }
}
