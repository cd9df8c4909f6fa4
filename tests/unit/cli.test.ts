import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli/cliMain.js';
import { readFileTags } from '../../src/main/library/tagReader.js';
import { FACE_API_DEMO_DIR, SMILING_TILTED, iou, scaleBox, writeShotPng } from '../fixtures/facePhotos.js';
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
