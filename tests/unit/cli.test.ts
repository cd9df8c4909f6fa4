import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/main/audio/wav.js';
import { PROJECT_ROOT } from '../../src/main/backend.js';
import { runCli } from '../../src/main/cli/cliMain.js';
import { evaluateFolder, expressionOfFolder } from '../../src/main/cli/evalCommand.js';
import type { Expression } from '../../src/shared/expressions.js';
import { readFileTags } from '../../src/main/library/tagReader.js';
import { FACE_API_DEMO_DIR, NO_FACE, SMILING_TILTED, iou, scaleBox, writeShotPng } from '../fixtures/facePhotos.js';
import { makeAudioFile } from '../support/audioFiles.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function cli(...args: string[]) {
  const out = new Capture();
  const err = new Capture();
  const code = await runCli(args, out, err);
  return { code, out: out.text, err: err.text };
}

const dir = mkdtempSync(join(tmpdir(), 'emotune-cli-'));

describe('emotune detect', () => {
  it('prints the face of a real photo as JSON', async () => {
    const png = join(dir, 'face.png');
    await writeShotPng(SMILING_TILTED, png, 640);
    const { code, out } = await cli('detect', png);
    expect(code).toBe(0);
    const result = JSON.parse(out) as {
      width: number;
      height: number;
      detector: string;
      faces: { box: { x: number; y: number; width: number; height: number }; keypoints: { name: string }[]; score: number }[];
    };
    expect(result).toMatchObject({
      width: 640,
      height: 480,
      detector: 'blazeface-front-128 → blazeface-back-256',
      expressionModel: 'a-mobilenet-ferplus',
      executionProvider: 'cpu',
    });
    expect(result.faces).toHaveLength(1);
    const face = result.faces[0] as unknown as { main: boolean; expression: string; probabilities: Record<string, number> };
    expect(face.main).toBe(true);
    expect(Object.keys(face.probabilities).sort()).toEqual([
      'anger',
      'contempt',
      'disgust',
      'fear',
      'happiness',
      'neutral',
      'sadness',
      'surprise',
    ]);
    expect(Object.values(face.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    // A broad laugh.
    expect(face.expression).toBe('happiness');
    expect(result.faces[0]!.keypoints.map((k) => k.name)).toEqual([
      'rightEye',
      'leftEye',
      'noseTip',
      'mouthCenter',
      'rightEarTragion',
      'leftEarTragion',
    ]);
    expect(iou(result.faces[0]!.box, scaleBox(SMILING_TILTED.face, 640 / SMILING_TILTED.crop.width))).toBeGreaterThan(0.5);
  });

  it('finds every face of a group photo', async () => {
    const { code, out } = await cli('detect', join(FACE_API_DEMO_DIR, 'sample3.jpg'));
    expect(code).toBe(0);
    expect((JSON.parse(out) as { faces: unknown[] }).faces.length).toBeGreaterThanOrEqual(1);
  });

  it('exits 2 with a clear message for a missing file', async () => {
    const { code, err } = await cli('detect', join(dir, 'nope.jpg'));
    expect(code).toBe(2);
    expect(err).toMatch(/cannot open .*nope\.jpg: no such file/);
  });

  it('exits 2 for a file that is not an image', async () => {
    const path = join(dir, 'notes.jpg');
    writeFileSync(path, 'these are not pixels');
    const { code, err } = await cli('detect', path);
    expect(code).toBe(2);
    expect(err).toMatch(/cannot decode .*notes\.jpg as an image/);
  });

  it('exits 2 for a truncated JPEG', async () => {
    const path = join(dir, 'truncated.jpg');
    writeFileSync(path, readFileSync(join(FACE_API_DEMO_DIR, 'sample1.jpg')).subarray(0, 20_000));
    const { code, err } = await cli('detect', path);
    expect(code).toBe(2);
    expect(err).toMatch(/cannot decode .*truncated\.jpg/);
  });

  it('reads every image of a folder, reporting the broken ones and going on', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'emotune-cli-folder-'));
    await writeShotPng(SMILING_TILTED, join(folder, 'a-face.png'), 640);
    writeFileSync(join(folder, 'b-broken.jpg'), 'not an image');
    writeFileSync(join(folder, 'notes.txt'), 'ignored');
    const { code, out } = await cli('detect', folder);
    expect(code).toBe(1);
    const result = JSON.parse(out) as { images: { image: string; error?: string; faces?: unknown[] }[] };
    expect(result.images.map((r) => r.image.split('/').pop())).toEqual(['a-face.png', 'b-broken.jpg']);
    expect(result.images[0]!.faces).toHaveLength(1);
    expect(result.images[1]!.error).toMatch(/cannot decode/);
  });

  it('exits 2 for bad usage', async () => {
    expect((await cli('detect')).code).toBe(2);
    expect((await cli('frobnicate', 'x')).err).toMatch(/usage: emotune detect/);
  });
});

describe('emotune moods', () => {
  it('prints one JSON line per file without touching a library, and --write tags the files atomically', async () => {
    const music = mkdtempSync(join(tmpdir(), 'emotune-moods-'));
    await makeAudioFile(music, { name: 'tagged', format: 'flac', title: 'T', mood: 'Melancholic' });
    await makeAudioFile(music, { name: 'plain', format: 'ogg', title: 'P' });
    writeFileSync(join(music, 'broken.mp3'), 'not audio');
    const first = await cli('moods', music);
    expect(first.code).toBe(1); // one file could not be read
    const lines = first.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => (l.file as string).split('/').pop())).toEqual(['broken.mp3', 'plain.ogg', 'tagged.flac']);
    expect(lines[0]).toMatchObject({ mood: null, source: null, error: expect.any(String) });
    expect(lines[1]).toMatchObject({ source: 'audio', mood: expect.any(String), confidence: expect.any(Number) });
    expect(lines[1]!.features).toHaveProperty('bpm');
    expect(lines[2]).toMatchObject({ source: 'file', mood: 'sad' });
    expect(readdirSync(music).sort()).toEqual(['broken.mp3', 'plain.ogg', 'tagged.flac']); // nothing else written

    const written = await cli('moods', join(music, 'plain.ogg'), '--write');
    expect(written.code).toBe(0);
    const line = JSON.parse(written.out) as { mood: string; written: boolean };
    expect(line.written).toBe(true);
    expect((await readFileTags(join(music, 'plain.ogg'))).moodText).toBe(line.mood);
    const again = JSON.parse((await cli('moods', join(music, 'plain.ogg'))).out) as { source: string };
    expect(again.source).toBe('file');
  });

  it('says what is wrong with the path', async () => {
    expect(await cli('moods', join(dir, 'nowhere'))).toMatchObject({ code: 2, err: expect.stringMatching(/no such file or folder/) });
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(await cli('moods', join(dir, 'notes.txt'))).toMatchObject({ code: 2, err: expect.stringMatching(/not an audio file/) });
  });
});

/** A fresh folder with the given sub-folders. */
function folderWith(prefix: string, ...subFolders: string[]): string {
  const root = mkdtempSync(join(tmpdir(), `emotune-${prefix}-`));
  for (const sub of subFolders) mkdirSync(join(root, sub), { recursive: true });
  return root;
}

/** Random bytes under an image's name: no decoder reads them. */
function writeCorruptJpeg(path: string): void {
  writeFileSync(path, randomBytes(4096));
}

/** The confusion matrix of `emotune eval`'s text report: the header's columns and each row's counts. */
function parseMatrix(report: string): { columns: string[]; rows: Record<string, number[]> } {
  const lines = report.split('\n');
  const start = lines.findIndex((l) => l.startsWith('confusion matrix'));
  // Cells are right-aligned at one width; "no face" holds a space, so cut the header by that width,
  // which a row tells: a class name, then one count per column.
  const header = lines[start + 1]!;
  const width = header.length / lines[start + 2]!.trim().split(/\s+/).length;
  const cells = (line: string) => Array.from({ length: line.length / width }, (_, i) => line.slice(i * width, (i + 1) * width).trim());
  const columns = cells(header).slice(1);
  const rows: Record<string, number[]> = {};
  for (const line of lines.slice(start + 2)) {
    if (!line.trim()) break;
    const [name, ...counts] = cells(line);
    rows[name!] = counts.map(Number);
  }
  return { columns, rows };
}

describe('emotune usage and exit codes', () => {
  it('prints the usage and the exit codes for --help, -h and help, on stdout, exit 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const { code, out, err } = await cli(flag);
      expect(code).toBe(0);
      expect(out).toMatch(/usage: emotune detect <image\|folder>/);
      expect(out).toMatch(/emotune scan <folder>/);
      expect(out).toMatch(/exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 /);
      expect(err).toBe('');
    }
    expect(await cli('scan', '--help')).toMatchObject({ code: 0, out: expect.stringMatching(/^usage: emotune/) });
  });

  it('prints the usage on stderr without a command, exit 2', async () => {
    const { code, out, err } = await cli();
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/usage: emotune detect/);
  });

  it('says an unknown command is unknown, exit 2', async () => {
    const { code, err } = await cli('foo');
    expect(code).toBe(2);
    expect(err).toMatch(/^emotune: unknown command 'foo'\. Run emotune --help for the commands\.\n/);
    expect(err).toMatch(/usage: emotune detect/);
  });

  it('says an unknown or incomplete option in words, without a stack trace, exit 2', async () => {
    const unknown = await cli('eval', '--frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^emotune: eval has no option '--frobnicate'\. Run emotune --help/);
    expect(unknown.err).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /);
    expect(await cli('detect', '-z', 'x.jpg')).toMatchObject({ code: 2, err: expect.stringMatching(/detect has no option '-z'/) });
    expect(await cli('eval', '--data')).toMatchObject({ code: 2, err: expect.stringMatching(/eval: --data needs a value/) });
    expect(await cli('moods', 'x', '--write=yes')).toMatchObject({ code: 2, err: expect.stringMatching(/moods: --write takes no value/) });
    expect(await cli('eval', 'faces/')).toMatchObject({ code: 2, err: expect.stringMatching(/did you mean --data faces\//) });
    expect(await cli('scan', dir, '--batch', 'lots')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--batch needs a whole number/),
    });
    expect(await cli('--verbose')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option '--verbose'/) });
  });

  it('says "no such folder" for a missing folder, and a file is not a folder, exit 2', async () => {
    const missing = join(dir, 'no-such-folder');
    expect(await cli('eval', '--data', missing)).toMatchObject({ code: 2, err: `emotune: no such folder: ${missing}\n` });
    expect(await cli('scan', missing, '--data-dir', join(dir, 'data'))).toMatchObject({
      code: 2,
      err: `emotune: no such folder: ${missing}\n`,
    });
    expect(existsSync(join(dir, 'data'))).toBe(false); // nothing done
    const file = join(dir, 'a-file.txt');
    writeFileSync(file, 'x');
    expect(await cli('eval', '--data', file)).toMatchObject({ code: 2, err: expect.stringMatching(/a-file\.txt is a file, not a folder/) });
    expect(await cli('scan', file)).toMatchObject({ code: 2, err: expect.stringMatching(/a-file\.txt is a file, not a folder/) });
    expect(await cli('detect', missing)).toMatchObject({ code: 2, err: expect.stringMatching(/no such file or folder/) });
  });

  it('gives the same exit codes from the launcher in bin/', async () => {
    const bin = join(PROJECT_ROOT, 'bin', 'emotune.js');
    expect(existsSync(join(PROJECT_ROOT, 'dist', 'main', 'cli', 'cliMain.js')), 'the CLI is not built: run `npm run build:main`').toBe(
      true,
    );
    const run = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
        execFile(process.execPath, [bin, ...args], (error, stdout, stderr) =>
          done({ code: error ? (error.code as number) : 0, stdout, stderr }),
        );
      });
    expect(await run('--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: emotune/) });
    expect(await run('foo')).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command 'foo'/) });
    expect(await run('scan', join(dir, 'gone'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/no such folder/) });
  });
});

describe('emotune detect on a folder with bad images', () => {
  it('names each bad image and why on stderr, reads the others, and exits 1', async () => {
    const folder = folderWith('cli-bad');
    await writeShotPng(SMILING_TILTED, join(folder, 'good.png'), 640);
    writeCorruptJpeg(join(folder, 'random.jpg'));
    writeFileSync(join(folder, 'cut.jpg'), readFileSync(join(FACE_API_DEMO_DIR, 'sample1.jpg')).subarray(0, 20_000));
    const { code, out, err } = await cli('detect', folder);
    expect(code).toBe(1);
    expect(err).toMatch(new RegExp(`skipped ${join(folder, 'cut.jpg')}: not a readable image: .+`));
    expect(err).toMatch(new RegExp(`skipped ${join(folder, 'random.jpg')}: not a readable image: .+`));
    expect(err).toMatch(/2 of 3 image\(s\) could not be read/);
    const images = (JSON.parse(out) as { images: { image: string; faces?: unknown[]; error?: string }[] }).images;
    expect(images.map((i) => i.image.split('/').pop())).toEqual(['cut.jpg', 'good.png', 'random.jpg']);
    expect(images[1]!.faces).toHaveLength(1);
  });

  it('exits 2 for a folder without images', async () => {
    const folder = folderWith('cli-empty');
    writeFileSync(join(folder, 'notes.txt'), 'x');
    expect(await cli('detect', folder)).toMatchObject({ code: 2, err: expect.stringMatching(/no images in .*\(\.jpg, \.jpeg, \.png/) });
  });
});

describe('emotune eval', () => {
  it('takes class folders by their FERPlus names and the words the UI uses, in any case', () => {
    const cases: [string, Expression][] = [
      ['neutral', 'neutral'],
      ['Calm', 'neutral'],
      ['happiness', 'happiness'],
      ['happy', 'happiness'],
      ['HAPPY', 'happiness'],
      ['surprise', 'surprise'],
      ['surprised', 'surprise'],
      ['sadness', 'sadness'],
      ['Sad', 'sadness'],
      ['anger', 'anger'],
      ['angry', 'anger'],
      ['disgust', 'disgust'],
      ['disgusted', 'disgust'],
      ['fear', 'fear'],
      ['afraid', 'fear'],
      ['scared', 'fear'],
      ['contempt', 'contempt'],
      ['unimpressed', 'contempt'],
    ];
    for (const [name, expression] of cases) expect(expressionOfFolder(name), name).toBe(expression);
    expect(expressionOfFolder('unknown')).toBeUndefined();
    expect(expressionOfFolder('away')).toBeUndefined();
  });

  it('counts only missed faces as "no face", and gives a class without a folder its own column', async () => {
    // A stand-in engine: each image's file size (its width) says what it "shows".
    const root = folderWith('cli-eval-fake', 'happy', 'Sad', 'neutral', 'unknown');
    const shows: Record<number, Expression | null> = { 10: 'happiness', 11: 'contempt', 12: null, 13: 'sadness', 14: 'surprise' };
    const put = (sub: string, name: string, width: number) =>
      sharp({ create: { width, height: 8, channels: 3, background: '#808080' } })
        .png()
        .toFile(join(root, sub, name));
    await put('happy', 'a.png', 10);
    await put('happy', 'b.png', 11);
    await put('happy', 'c.png', 12);
    await put('Sad', 'a.png', 13);
    await put('Sad', 'b.png', 14);
    await put('Sad', 'c.png', 14);
    await put('neutral', 'a.png', 12);
    await put('unknown', 'a.png', 10);
    writeCorruptJpeg(join(root, 'Sad', 'broken.jpg'));
    const engine = {
      analyse: (image: { width: number }) => {
        const top = shows[image.width] ?? null;
        return Promise.resolve({
          faces: top ? [{}] : [],
          mainFace: top ? 0 : null,
          expression: top ? { top, probabilities: {} } : null,
          timings: { detectMs: 0, classifyMs: 0 },
        });
      },
    } as unknown as Parameters<typeof evaluateFolder>[0];
    const report = await evaluateFolder(engine, root);
    expect(report.classes).toEqual(['neutral', 'happiness', 'sadness']);
    expect(report.columns).toEqual(['neutral', 'happiness', 'sadness', 'surprise', 'contempt', 'no face']);
    expect(report.confusion).toEqual([
      [0, 0, 0, 0, 0, 1], // neutral: no face
      [0, 1, 0, 0, 1, 1], // happy: right, contempt, no face
      [0, 0, 1, 2, 0, 0], // sad: right, surprise twice
    ]);
    expect(report.noFace).toBe(2);
    expect(report.images).toBe(7);
    expect(report.accuracy).toBeCloseTo(2 / 7);
    expect(report.balancedAccuracy).toBeCloseTo((0 + 1 / 3 + 1 / 3) / 3);
    expect(report.ignored).toEqual(["ignored folder 'unknown': not an expression"]);
    expect(report.unreadable).toHaveLength(1);
    expect(report.unreadable[0]).toMatch(/broken\.jpg/);
  });

  it('runs the real pipeline over folders named as the UI says them', async () => {
    const root = folderWith('cli-eval', 'Happy', 'sad', 'unknown');
    await writeShotPng(SMILING_TILTED, join(root, 'Happy', 'smile.png'), 640);
    await writeShotPng(NO_FACE, join(root, 'sad', 'wall.png'), 640);
    await writeShotPng(SMILING_TILTED, join(root, 'unknown', 'smile.png'), 640);
    writeCorruptJpeg(join(root, 'sad', 'random.jpg'));
    const { code, out, err } = await cli('eval', '--data', root);
    expect(code).toBe(1); // one image could not be read
    expect(err).toMatch(/ignored folder 'unknown': not an expression/);
    expect(err).toMatch(/skipped cannot decode .*random\.jpg as an image/);
    expect(out).toMatch(/^images: 2 \(1 unreadable, skipped\)/);
    expect(out).toMatch(/no face found: 1/);
    expect(parseMatrix(out)).toEqual({
      columns: ['happiness', 'sadness', 'no face'],
      rows: { happiness: [1, 0, 0], sadness: [0, 0, 1] },
    });
  });

  it('puts a prediction of a class without a folder in its own column, not in "no face"', async () => {
    const root = folderWith('cli-eval-other', 'sad', 'neutral');
    await writeShotPng(SMILING_TILTED, join(root, 'sad', 'smile.png'), 640);
    await writeShotPng(NO_FACE, join(root, 'sad', 'wall.png'), 640);
    await writeShotPng(NO_FACE, join(root, 'neutral', 'wall.png'), 640);
    const { code, out, err } = await cli('eval', '--data', root);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/happiness: predicted, but no folder/);
    expect(parseMatrix(out)).toEqual({
      columns: ['neutral', 'sadness', 'happiness', 'no face'],
      rows: { neutral: [0, 0, 0, 1], sadness: [0, 0, 1, 1] },
    });
  });

  it('exits 2 when no sub-folder names an expression', async () => {
    const root = folderWith('cli-eval-none', 'unknown', 'misc');
    const { code, err } = await cli('eval', '--data', root);
    expect(code).toBe(2);
    expect(err).toMatch(/has no sub-folder named after an expression .*found 'misc', 'unknown'/);
  });
});

describe('emotune scan', () => {
  it('prints progress as JSON lines, then a summary: found, added, updated, unreadable, other files by extension', async () => {
    const root = folderWith('cli-scan', 'music/album', 'data');
    const music = join(root, 'music');
    const tone = (hz: number) =>
      encodeWav({ sampleRate: 22050, samples: new Float32Array(22050).map((_, k) => 0.3 * Math.sin((2 * Math.PI * hz * k) / 22050)) });
    writeFileSync(join(music, 'one.wav'), tone(220));
    writeFileSync(join(music, 'album', 'two.wav'), tone(330));
    writeFileSync(join(music, 'broken.mp3'), 'not audio');
    writeFileSync(join(music, 'album', 'cover.jpg'), 'x');
    writeFileSync(join(music, 'notes.txt'), 'x');
    writeFileSync(join(music, 'album', 'info.txt'), 'x');
    writeFileSync(join(music, 'README'), 'x');
    const first = await cli('scan', music, '--data-dir', join(root, 'data'));
    expect(first.code).toBe(1); // one track could not be read
    const lines = first.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { phase: string });
    expect(lines.at(-1)).toMatchObject({ phase: 'done', added: 2, failed: 1 });
    const summary = first.err.split('\n');
    expect(summary[0]).toBe(`emotune: scanned ${music}: 3 track(s) found, 2 added, 0 updated, 0 unchanged, 0 removed, 1 unreadable`);
    expect(summary[1]).toMatch(/^ {2}unreadable: broken\.mp3: .+/);
    expect(summary[2]).toBe('  skipped 4 file(s) that are not audio: .txt 2, .jpg 1, (none) 1');

    writeFileSync(join(music, 'one.wav'), tone(440));
    const second = await cli('scan', music, '--data-dir', join(root, 'data'));
    expect(second.code).toBe(0);
    expect(second.err.split('\n')[0]).toBe(
      `emotune: scanned ${music}: 3 track(s) found, 0 added, 1 updated, 2 unchanged, 0 removed, 0 unreadable`,
    );
  });
});
