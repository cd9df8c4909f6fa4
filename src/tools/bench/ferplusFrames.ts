/**
 * FERPlus faces read at test time from FERPLUS_DIR (research-only data: never written into the
 * project). A 48x48 face is framed as a webcam would show it: scaled up and centred in a
 * grey 640x480 frame with room around it for the detector.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Expression } from '../../shared/expressions.js';

export const FERPLUS_DIR =
  process.env.FERPLUS_DIR && existsSync(join(process.env.FERPLUS_DIR, 'images.u8')) ? process.env.FERPLUS_DIR : undefined;

export interface FerplusRow {
  index: number;
  split: string;
  label: Expression;
  /** sha1 of the pixels: equal for exact copies (the de-duplicated test split drops those found in train). */
  pixelSha1: string;
}

export function readFerplusRows(dir: string): FerplusRow[] {
  const [header, ...lines] = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split('\n');
  const columns = header!.split(',');
  const at = (name: string) => columns.indexOf(name);
  const [iIndex, iSplit, iLabel, iSha] = [at('index'), at('split'), at('majority_label'), at('pixel_sha1')];
  return lines
    .map((line) => line.split(','))
    .filter((cells) => cells[iLabel])
    .map((cells) => ({
      index: Number(cells[iIndex]),
      split: cells[iSplit]!,
      label: cells[iLabel] as Expression,
      pixelSha1: cells[iSha] ?? '',
    }));
}

export function readFerplusPixels(dir: string, index: number, all = readFileSync(join(dir, 'images.u8'))): Uint8Array {
  return new Uint8Array(all.subarray(index * 2304, (index + 1) * 2304));
}

/** A 640x480 RGBA frame with the face `faceSize` pixels wide in the middle. */
export async function ferplusFrame(grey: Uint8Array, faceSize = 200): Promise<{ width: number; height: number; data: Uint8Array }> {
  const face = await sharp(Buffer.from(grey), { raw: { width: 48, height: 48, channels: 1 } })
    .resize(faceSize, faceSize, { kernel: 'cubic' })
    .png()
    .toBuffer();
  const { data, info } = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 120, b: 120 } } })
    .composite([{ input: face, left: Math.round((640 - faceSize) / 2), top: Math.round((480 - faceSize) / 2) }])
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

export async function writeRgbaPng(frame: { width: number; height: number; data: Uint8Array }, path: string): Promise<void> {
  await sharp(Buffer.from(frame.data), { raw: { width: frame.width, height: frame.height, channels: 4 } })
    .png()
    .toFile(path);
}
