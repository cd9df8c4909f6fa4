/** The shipped BlazeFace models through onnxruntime-node on a real face photo. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CARDS, MODELS_DIR } from '../../src/main/backend.js';
import { FaceDetector } from '../../src/main/vision/faceDetector.js';
import { FACE_KEYPOINTS } from '../../src/shared/vision.js';
import { NO_FACE, SMILING_TILTED, iou, renderShot, scaleBox } from '../fixtures/facePhotos.js';

describe.each(['blazeface-front-128', 'blazeface-back-256'])('%s', (name) => {
  let detector: FaceDetector;

  beforeAll(async () => {
    detector = await FaceDetector.load(join(MODELS_DIR, `${name}.json`));
  });

  afterAll(async () => {
    await detector.dispose();
  });

  it('finds the one face in a webcam-framed photo, where it is', async () => {
    const frame = await renderShot(SMILING_TILTED, 640);
    const faces = await detector.detect(frame);
    expect(faces).toHaveLength(1);
    const face = faces[0]!;
    expect(face.score).toBeGreaterThan(0.8);
    expect(iou(face.box, scaleBox(SMILING_TILTED.face, frame.scale))).toBeGreaterThan(0.5);
    expect(face.keypoints).toHaveLength(FACE_KEYPOINTS.length);
    // Eyes, nose and mouth lie inside the box; the subject's right eye is on the image's left.
    for (const k of [0, 1, 2, 3]) {
      const p = face.keypoints[k]!;
      expect(p.x).toBeGreaterThan(face.box.x);
      expect(p.x).toBeLessThan(face.box.x + face.box.width);
      expect(p.y).toBeGreaterThan(face.box.y);
      expect(p.y).toBeLessThan(face.box.y + face.box.height);
    }
    expect(face.keypoints[0]!.x).toBeLessThan(face.keypoints[1]!.x);
    // Eyes above the mouth.
    expect(face.keypoints[0]!.y).toBeLessThan(face.keypoints[3]!.y);
  });

  it('gives the same box, in frame pixels, at any frame size', async () => {
    const small = await renderShot(SMILING_TILTED, 320);
    const large = await renderShot(SMILING_TILTED, 960);
    const [a] = await detector.detect(small);
    const [b] = await detector.detect(large);
    expect(iou(scaleBox(a!.box, 3), b!.box)).toBeGreaterThan(0.85);
  });

  it('finds nothing in a frame without a face', async () => {
    expect(await detector.detect(await renderShot(NO_FACE, 640))).toEqual([]);
  });
});

describe('FaceDetector.load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emotune-card-'));
  const card = JSON.parse(readFileSync(DEFAULT_DETECTOR_CARDS[0]!, 'utf8')) as Record<string, unknown>;

  it('says which file is wrong when the model is not an ONNX model', async () => {
    writeFileSync(join(dir, 'broken.onnx'), 'not a model');
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...card, file: 'broken.onnx' }));
    await expect(FaceDetector.load(join(dir, 'broken.json'))).rejects.toThrow(/cannot load model .*broken\.onnx/);
  });

  it('refuses a card whose input size does not match the model', async () => {
    copyFileSync(join(MODELS_DIR, 'blazeface-front-128.onnx'), join(dir, 'front.onnx'));
    const input = { ...(card.input as object), size: 256 };
    writeFileSync(join(dir, 'mismatch.json'), JSON.stringify({ ...card, file: 'front.onnx', input }));
    await expect(FaceDetector.load(join(dir, 'mismatch.json'))).rejects.toThrow(
      /shape \[1, 128, 128, 3\], the card says \[1, 256, 256, 3\]/,
    );
  });

  it('refuses a card that names outputs the model lacks', async () => {
    const outputs = { scores: ['Identity:0'], regressions: ['nope'] };
    writeFileSync(join(dir, 'outputs.json'), JSON.stringify({ ...card, file: 'front.onnx', outputs }));
    await expect(FaceDetector.load(join(dir, 'outputs.json'))).rejects.toThrow(/lacks outputs \[nope\]/);
  });

  it('refuses an invalid card with the field named', async () => {
    writeFileSync(join(dir, 'invalid.json'), JSON.stringify({ ...card, decode: { ...(card.decode as object), scoreThreshold: 2 } }));
    await expect(FaceDetector.load(join(dir, 'invalid.json'))).rejects.toThrow(/scoreThreshold/);
  });
});
